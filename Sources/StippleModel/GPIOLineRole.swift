/// What a GPIO line does on a machine. Each role has a fixed direction.
public enum GPIOLineRole: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pedal
    /// Wired normally-closed, so a broken wire reads as pressed.
    case estop
    /// Drives the motor driver's enable input; inactive is the safe default.
    case motorEnable = "motor_enable"
    case cartridgePresent = "cartridge_present"
    case statusLED = "status_led"
    /// Only on a self-test jig: an input wired back from the motor_enable output, so
    /// `stipple selftest` can see the enable line drop when the e-stop is hit. Optional.
    case jigEnableSense = "jig_enable_sense"

    public var isInput: Bool {
        switch self {
        case .pedal, .estop, .cartridgePresent, .jigEnableSense: true
        case .motorEnable, .statusLED: false
        }
    }

    /// A role a machine file may leave out; every other role must be wired.
    public var isOptional: Bool { self == .jigEnableSense }

    public var description: String { rawValue }

    /// Compare and hash the case, not its String raw value (RawRepresentable's default): line
    /// roles are looked up many times per control cycle.
    public var ordinal: Int {
        switch self {
        case .pedal: 0
        case .estop: 1
        case .motorEnable: 2
        case .cartridgePresent: 3
        case .statusLED: 4
        case .jigEnableSense: 5
        }
    }

    public static func == (a: GPIOLineRole, b: GPIOLineRole) -> Bool { a.ordinal == b.ordinal }

    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }
}

/// One line on a GPIO chip.
public struct GPIOLine: Sendable, Hashable {
    public var offset: Int
    /// True when the electrical low level means "active" (pressed, present, enabled).
    public var activeLow: Bool

    public init(offset: Int, activeLow: Bool) {
        self.offset = offset
        self.activeLow = activeLow
    }
}

/// The machine's GPIO wiring: one chip, one line per role, no line used twice.
public struct GPIOLineMap: Sendable, Hashable {
    /// The chip's name (`gpiochip0`) or label as the kernel reports it.
    public var chip: String
    public var lines: [GPIOLineRole: GPIOLine]

    public init(chip: String, lines: [GPIOLineRole: GPIOLine]) {
        self.chip = chip
        self.lines = lines
    }

    public subscript(role: GPIOLineRole) -> GPIOLine? { lines[role] }

    static func parse(_ r: TableReader) -> GPIOLineMap? {
        let chip = r.string("chip", expect: "the GPIO chip name, e.g. \"gpiochip0\"")
        var lines: [GPIOLineRole: GPIOLine] = [:]
        var complete = true
        for role in GPIOLineRole.allCases {
            // An optional role left out is simply not wired (a machine off its test jig).
            if role.isOptional && !r.has(role.rawValue) { continue }
            guard let t = r.table(role.rawValue, expect: "{ offset = N, active_low = true|false }") else {
                complete = false
                continue
            }
            let offset = t.integer("offset", in: AbsoluteBounds.gpioOffset)
            let activeLow = t.bool("active_low")
            t.finish()
            if let offset, let activeLow { lines[role] = GPIOLine(offset: offset, activeLow: activeLow) }
            else { complete = false }
        }
        // A line wired to two roles would let, say, the pedal read the enable output.
        var seen: [Int: GPIOLineRole] = [:]
        for role in GPIOLineRole.allCases {
            guard let line = lines[role] else { continue }
            if let other = seen[line.offset] {
                r.report(role.rawValue + ".offset", value: .integer(line.offset),
                         "is already used by \(other.rawValue)",
                         fix: "Give each role its own line")
                complete = false
            } else {
                seen[line.offset] = role
            }
        }
        r.finish()
        guard let chip, complete else { return nil }
        return GPIOLineMap(chip: chip, lines: lines)
    }
}
