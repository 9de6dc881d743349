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

    // Direct drive (`drive = "gpio"`) only: the loop itself drives these.
    /// One pulse to the solenoid / voice-coil driver is one needle stroke.
    case strokePulse = "stroke_pulse"
    /// The depth stepper driver's STEP input: one pulse, one (micro)step.
    case depthStep = "depth_step"
    /// The depth stepper driver's DIR input; active moves the needle deeper (down).
    case depthDirection = "depth_dir"
    /// The depth stepper driver's enable input; inactive lets the stage go unpowered.
    case depthEnable = "depth_enable"
    /// The depth stage's home switch, found at arm time.
    case depthHome = "depth_home"
    /// A square wave to the external watchdog: the drivers are enabled only while it toggles,
    /// so a hung or dead loop disables the needle without any software.
    case chargePump = "charge_pump"

    public var isInput: Bool {
        switch self {
        case .pedal, .estop, .cartridgePresent, .jigEnableSense, .depthHome: true
        case .motorEnable, .statusLED, .strokePulse, .depthStep, .depthDirection, .depthEnable, .chargePump: false
        }
    }

    /// A role a machine file may leave out; every other role its drive needs must be wired.
    public var isOptional: Bool { self == .jigEnableSense }

    /// Lines only a direct-drive (`drive = "gpio"`) machine has; a usb machine's controller board
    /// makes the pulses and steps itself, so these are required on gpio and refused on usb.
    public var isDirectDriveOnly: Bool {
        switch self {
        case .strokePulse, .depthStep, .depthDirection, .depthEnable, .depthHome, .chargePump: true
        case .pedal, .estop, .motorEnable, .cartridgePresent, .statusLED, .jigEnableSense: false
        }
    }

    /// Whether a machine with `drive` has this line (wired, or optional like the jig's sense line).
    public func belongs(to drive: MachineDrive) -> Bool { drive == .gpio || !isDirectDriveOnly }

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
        case .strokePulse: 6
        case .depthStep: 7
        case .depthDirection: 8
        case .depthEnable: 9
        case .depthHome: 10
        case .chargePump: 11
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

    static func parse(_ r: TableReader, drive: MachineDrive) -> GPIOLineMap? {
        let chip = r.string("chip", expect: "the GPIO chip name, e.g. \"gpiochip0\"")
        var lines: [GPIOLineRole: GPIOLine] = [:]
        var complete = true
        for role in GPIOLineRole.allCases {
            if !role.belongs(to: drive) {
                // Claimed here so the unknown-key pass does not also call it a typo.
                if let v = r.raw(role.rawValue, required: false, expect: "") {
                    r.report(role.rawValue, value: v,
                             "is a direct-drive line, but this machine has drive = \"\(drive)\" (its controller board drives the needle)",
                             fix: "Remove it, or set drive = \"gpio\" if the drivers are wired to the GPIO header")
                    complete = false
                }
                continue
            }
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
        // The e-stop is wired normally-closed with a pull-up, so an open circuit reads high: a
        // pressed button and a broken wire both read active. Declared active-low, the same open
        // circuit would read released, and a cut wire would disarm the e-stop without a sign.
        if let estop = lines[.estop], estop.activeLow {
            r.report(GPIOLineRole.estop.rawValue + ".active_low", value: .boolean(true),
                     "would read an open e-stop circuit (a broken wire) as released",
                     fix: "Wire the e-stop normally-closed to ground with a pull-up and set active_low = false, so a broken wire reads as pressed")
            complete = false
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
