import StippleModel

/// Why a simulated direct-drive machine cannot be built on a given chip.
public enum SimulatedDirectDriveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The machine file says `drive = "usb"`: its controller board, not GPIO, drives the needle.
    case notDirectDrive(machine: String)
    /// A line the direct-drive hardware needs is not wired on the chip.
    case lineMissing(machine: String, role: GPIOLineRole)

    public var description: String {
        switch self {
        case .notDirectDrive(let machine):
            "error: simulated direct drive (machine \(machine)): the machine has no [direct_drive] table (drive is not \"gpio\"). Use a drive = \"gpio\" machine such as direct-d1, or the USB simulator"
        case .lineMissing(let machine, let role):
            "error: simulated direct drive (machine \(machine), gpio.\(role)): the line is not wired. Add it to the machine's [gpio] table"
        }
    }
}
