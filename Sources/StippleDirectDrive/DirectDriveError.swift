import StippleHardware
import StippleModel

/// Why a direct-drive firmware cannot be built for a machine.
public enum DirectDriveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The machine file says `drive = "usb"`: a controller board, not Stipple's loop, drives it.
    case notDirectDrive(machine: String, drive: MachineDrive)
    /// `drive = "gpio"` but no `[direct_drive]` parameters (a spec built in code, not parsed).
    case parametersMissing(machine: String)
    /// A line the loop must drive or read is not in the machine's `[gpio]` table.
    case lineMissing(machine: String, role: GPIOLineRole)
    /// Putting an output in its safe level at start-up failed.
    case gpio(machine: String, GPIOError)

    public var description: String {
        switch self {
        case .notDirectDrive(let machine, let drive):
            "error: direct-drive firmware (machine \(machine)): the machine has drive = \"\(drive)\", its controller board runs the firmware. Use the USB link for it, or a drive = \"gpio\" machine file such as direct-d1"
        case .parametersMissing(let machine):
            "error: direct-drive firmware (machine \(machine)): the machine has drive = \"gpio\" but no [direct_drive] parameters. Add the [direct_drive] table to the machine file"
        case .lineMissing(let machine, let role):
            "error: direct-drive firmware (machine \(machine), gpio.\(role)): the line is not wired, and the loop needs it. Add \(role) to the machine's [gpio] table"
        case .gpio(let machine, let e):
            "error: direct-drive firmware (machine \(machine)): could not put the outputs in their safe levels: \(e). Check the GPIO chip's permissions and wiring"
        }
    }
}
