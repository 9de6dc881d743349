#if canImport(Glibc)
import Glibc
#endif
import StippleHardware

/// What GPIO the controller has, as `stipple devices` shows it: every /dev/gpiochip*, opened one
/// by one so a chip that cannot be opened (no permission, most often) is reported by name with
/// what to do, while the others are still listed.
public struct GPIOChipInventory: Sendable, Hashable {
    /// The chips that could be read, in numeric order (gpiochip2 before gpiochip10).
    public var chips: [GPIOChipInfo]
    /// The chips that could not, with why.
    public var failures: [Failure]

    public struct Failure: Sendable, Hashable {
        /// The device path, `/dev/gpiochip0`.
        public var device: String
        public var error: GPIOError

        public init(device: String, error: GPIOError) {
            self.device = device
            self.error = error
        }
    }

    public init(chips: [GPIOChipInfo], failures: [Failure]) {
        self.chips = chips
        self.failures = failures
    }

    /// No chip device at all (a build machine, a VM without gpio-sim).
    public var isEmpty: Bool { chips.isEmpty && failures.isEmpty }

    /// Scans `directory` (the real /dev unless a test says otherwise) and reads each chip.
    public static func scan(directory: String = "/dev") -> GPIOChipInventory {
        let (names, result) = LibGPIOD.chipDeviceNames(in: directory)
        guard result == 0 else {
            let code = errno
            return GPIOChipInventory(chips: [], failures: [Failure(
                device: directory,
                error: GPIOError(operation: "list \(directory)", errno: code, advice: GPIOAdvice.other(code)))])
        }
        var chips: [GPIOChipInfo] = []
        var failures: [Failure] = []
        for name in names.sorted(by: chipOrder) {
            let device = directory + "/" + name
            switch read(device: device, name: name) {
            case .success(let info): chips.append(info)
            case .failure(let error): failures.append(Failure(device: device, error: error))
            }
        }
        return GPIOChipInventory(chips: chips, failures: failures)
    }

    /// Numeric order of `gpiochipN`, names that are not in that form after, by name.
    static func chipOrder(_ a: String, _ b: String) -> Bool {
        switch (Int(a.dropFirst(8)), Int(b.dropFirst(8))) {
        case let (x?, y?): x < y
        case (_?, nil): true
        case (nil, _?): false
        case (nil, nil): a < b
        }
    }

    private static func read(device: String, name: String) -> Result<GPIOChipInfo, GPIOError> {
        guard let chip = LibGPIOD.chipOpen(device) else {
            let code = errno
            return .failure(GPIOError(operation: "open chip \(name)", errno: code,
                                      advice: GPIOAdvice.openChip(errno: code, chip: name, device: device)))
        }
        defer { LibGPIOD.chipClose(chip) }
        let count = LibGPIOD.chipNumLines(chip)
        var lines: [GPIOLineInfo] = []
        lines.reserveCapacity(count)
        for offset in 0..<count {
            guard let line = LibGPIOD.chipGetLine(chip, UInt32(offset)) else {
                let code = errno
                return .failure(GPIOError(operation: "read line \(offset) of \(name)", errno: code,
                                          advice: GPIOAdvice.lineIO(errno: code)))
            }
            lines.append(GPIOLineInfo(
                offset: offset, name: LibGPIOD.lineName(line), consumer: LibGPIOD.lineConsumer(line),
                direction: LibGPIOD.lineDirection(line) == LibGPIOD.directionOutput ? .output : .input,
                activeLow: LibGPIOD.lineActiveState(line) == LibGPIOD.activeStateLow,
                used: LibGPIOD.lineIsUsed(line)))
        }
        return .success(GPIOChipInfo(name: LibGPIOD.chipName(chip), label: LibGPIOD.chipLabel(chip),
                                     device: device, lines: lines))
    }
}
