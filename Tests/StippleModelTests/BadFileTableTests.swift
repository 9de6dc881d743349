import Foundation
import Testing
import StippleSafetyEvidence
import StippleModel

/// One change to a shipped file's text.
enum Edit: Sendable {
    /// Replace the first occurrence of `old` (which must be present) with `new`.
    case replace(String, String)
    case append(String)

    struct NotFound: Error, CustomStringConvertible {
        var old: String
        var description: String { "edit target not found in base text: \(old)" }
    }

    static func apply(_ edits: [Edit], to text: String) throws -> String {
        var text = text
        for edit in edits {
            switch edit {
            case .replace(let old, let new):
                guard let r = text.range(of: old) else { throw NotFound(old: old) }
                text.replaceSubrange(r, with: new)
            case .append(let extra):
                text += extra
            }
        }
        return text
    }
}

/// A file that must be refused, and the issue that must say why.
struct BadFile: Sendable, CustomTestStringConvertible {
    enum Input: Sendable {
        /// A shipped file of `kind` with `edits`, decoded under the shipped file's own path.
        case edited(HardwareCatalog.Kind, base: String, [Edit])
        /// Text written from scratch, decoded as `kind` under `path`.
        case text(HardwareCatalog.Kind, path: String, String)
        /// Raw bytes through `ConfigFile.decode`.
        case bytes(Data)
        /// Raw bytes written to a temporary file and read back through `ConfigFile.read`.
        case fileOnDisk(Data)
        /// A shipped profile with `edits` (which must still decode on its own) assessed on a shipped
        /// machine (with `machineEdits`) as the one named machine, with `cartridge` named
        /// explicitly, or with the profile's own list when nil.
        case fit(profile: String, [Edit], machine: String, machineEdits: [Edit] = [], cartridge: String?)
    }

    var label: String
    var input: Input
    /// The dotted key path the issue must name; nil for problems with the file as a whole.
    var key: String?
    /// Text the issue's rendered line must contain.
    var fragment: String
    /// When set, the issue's `file` must match this regular expression (e.g. `:\d+:\d+$`).
    var filePattern: String? = nil

    var testDescription: String { label }

    /// The issues produced; also checks that the input really is refused.
    func issues() throws -> [ConfigIssue] {
        switch input {
        case .edited(let kind, let base, let edits):
            let text = try Edit.apply(edits, to: try ShippedHardware.text(kind, base))
            return try Self.decode(kind, text: text, path: ShippedHardware.path(kind, base))
        case .text(let kind, let path, let text):
            return try Self.decode(kind, text: text, path: path)
        case .bytes(let data):
            guard case .failure(let e) = ConfigFile.decode(data, file: "Hardware/profiles/bytes.toml") else {
                Issue.record("\(label): bytes were accepted as text")
                return []
            }
            return e.issues
        case .fileOnDisk(let data):
            let url = FileManager.default.temporaryDirectory
                .appending(path: "stipple-badfile-\(UUID().uuidString).toml")
            try data.write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            guard case .failure(let e) = ConfigFile.read(path: url.path) else {
                Issue.record("\(label): file was accepted")
                return []
            }
            return e.issues
        case .fit(let profileName, let edits, let machineName, let machineEdits, let cartridgeName):
            let path = ShippedHardware.path(.profile, profileName)
            let text = try Edit.apply(edits, to: try ShippedHardware.text(.profile, profileName))
            // The profile is fine on its own: only the machine or cartridge makes it unusable.
            let profile = try DepthProfile.decode(text: text, file: path).get()
            let machineText = try Edit.apply(machineEdits, to: try ShippedHardware.text(.machine, machineName))
            let machine = try MachineSpec.decode(text: machineText, file: ShippedHardware.path(.machine, machineName)).get()
            let cartridges = try ShippedHardware.allCartridges()
            let explicit = try cartridgeName.map { try #require(cartridges[$0]) }
            let assessment = ProfileAssessment(profile: profile, file: path, machines: [machine], cartridges: cartridges,
                                               explicitCartridge: explicit, explicitMachine: true)
            #expect(!assessment.isValid, "\(label): profile was assessed valid")
            #expect(assessment.fits.isEmpty)
            return assessment.errors
        }
    }

    static func decode(_ kind: HardwareCatalog.Kind, text: String, path: String) throws -> [ConfigIssue] {
        let result: Result<Void, ConfigError>
        switch kind {
        case .machine: result = MachineSpec.decode(text: text, file: path).map { _ in () }
        case .cartridge: result = Cartridge.decode(text: text, file: path).map { _ in () }
        case .profile: result = DepthProfile.decode(text: text, file: path).map { _ in () }
        }
        guard case .failure(let e) = result else {
            Issue.record("the \(kind.rawValue) file was accepted")
            return []
        }
        #expect(!e.issues.isEmpty)
        return e.issues
    }
}

@Suite struct BadFileTableTests {
    static let cases: [BadFile] = [
        // MARK: unknown keys
        BadFile(label: "misspelt limits key gets a did-you-mean hint",
                input: .edited(.machine, base: "rotary-r1", [.replace("depth_max_mm = 2.5", "depth_max_mn = 2.5")]),
                key: "limits.depth_max_mn", fragment: "is not a known key. Did you mean limits.depth_max_mm?"),
        BadFile(label: "misspelt top-level profile key gets a did-you-mean hint",
                input: .edited(.profile, base: "crown-vertex", [.replace("ramp_out_ms = 200", "ramp_ou_ms = 200")]),
                key: "ramp_ou_ms", fragment: "Did you mean ramp_out_ms?"),
        BadFile(label: "unrelated unknown key lists the known keys",
                input: .edited(.cartridge, base: "1RL-0.25", [.append("colour = \"red\"\n")]),
                key: "colour", fragment: "is not a known key. Remove it; known keys here: grouping, "),
        BadFile(label: "unknown key inside an inline GPIO table",
                input: .edited(.machine, base: "rotary-r1", [.replace("pedal = { offset = 17, active_low = true }",
                                                                      "pedal = { offset = 17, active_low = true, pull = \"up\" }")]),
                key: "gpio.pedal.pull", fragment: "is not a known key"),

        BadFile(label: "an e-stop declared active-low would read a broken wire as released",
                input: .edited(.machine, base: "rotary-r1", [.replace("estop = { offset = 27, active_low = false }",
                                                                      "estop = { offset = 27, active_low = true }")]),
                key: "gpio.estop.active_low", fragment: "would read an open e-stop circuit (a broken wire) as released"),

        // MARK: wrong types
        BadFile(label: "string where a number belongs",
                input: .edited(.machine, base: "rotary-r1", [.replace("depth_step_mm = 0.05", "depth_step_mm = \"0.05\"")]),
                key: "limits.depth_step_mm", fragment: "= \"0.05\" must be a number, not a string"),
        BadFile(label: "string where a boolean belongs",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("single_use = true", "single_use = \"yes\"")]),
                key: "single_use", fragment: "must be true or false, not a string"),
        BadFile(label: "float where a whole number belongs",
                input: .edited(.machine, base: "rotary-r1", [.replace("heartbeat_deadline_ms = 50", "heartbeat_deadline_ms = 50.0")]),
                key: "heartbeat_deadline_ms", fragment: "must be a whole number, not a number"),
        BadFile(label: "date where a number belongs",
                input: .edited(.profile, base: "crown-vertex", [.replace("rate_hz = 115", "rate_hz = 2024-01-01")]),
                key: "rate_hz", fragment: "must be a number, not a date/time"),
        BadFile(label: "nan is not a depth",
                input: .edited(.profile, base: "crown-vertex", [.replace("target = 1.0", "target = nan")]),
                key: "depth_mm.target", fragment: "must be a finite number"),
        BadFile(label: "array entry of the wrong type",
                input: .edited(.profile, base: "crown-vertex", [.replace("zones = [\"crown\"]", "zones = [\"crown\", 5]")]),
                key: "zones[1]", fragment: "= 5 must be a non-empty string, not an integer"),
        BadFile(label: "table written as a scalar (GPIO role)",
                input: .edited(.machine, base: "rotary-r1", [.replace("pedal = { offset = 17, active_low = true }", "pedal = 17")]),
                key: "gpio.pedal", fragment: "must be a table, not an integer"),
        BadFile(label: "table written as a scalar (profile depth)",
                input: .edited(.profile, base: "crown-vertex", [.replace("[depth_mm]\ntarget = 1.0\nmin = 0.85\nmax = 1.2", "depth_mm = 1.0")]),
                key: "depth_mm", fragment: "must be a table, not a number"),
        BadFile(label: "array written as a scalar",
                input: .edited(.profile, base: "crown-vertex", [.replace("zones = [\"crown\"]", "zones = \"crown\"")]),
                key: "zones", fragment: "must be an array of strings, not a string"),

        // MARK: ranges
        BadFile(label: "negative machine depth",
                input: .edited(.machine, base: "rotary-r1", [.replace("depth_min_mm = 0.0", "depth_min_mm = -0.5")]),
                key: "limits.depth_min_mm", fragment: "= -0.5 is outside the allowed range 0.0-3.0 mm"),
        BadFile(label: "negative profile depth",
                input: .edited(.profile, base: "crown-vertex", [.replace("min = 0.85", "min = -0.1")]),
                key: "depth_mm.min", fragment: "is outside the allowed range 0.0-3.0 mm"),
        BadFile(label: "profile rate above the absolute 150 Hz",
                input: .edited(.profile, base: "crown-vertex", [.replace("rate_hz = 115", "rate_hz = 160")]),
                key: "rate_hz", fragment: "= 160 is outside the allowed range 50.0-150.0 Hz"),
        BadFile(label: "machine rate below the absolute 50 Hz",
                input: .edited(.machine, base: "linear-l2", [.replace("rate_min_hz = 50", "rate_min_hz = 40")]),
                key: "limits.rate_min_hz", fragment: "is outside the allowed range 50.0-150.0 Hz"),
        BadFile(label: "heartbeat deadline too short",
                input: .edited(.machine, base: "rotary-r1", [.replace("heartbeat_deadline_ms = 50", "heartbeat_deadline_ms = 5")]),
                key: "heartbeat_deadline_ms", fragment: "= 5 is outside the allowed range 10-500 ms"),
        BadFile(label: "heartbeat deadline too long",
                input: .edited(.machine, base: "linear-l2", [.replace("heartbeat_deadline_ms = 30", "heartbeat_deadline_ms = 1000")]),
                key: "heartbeat_deadline_ms", fragment: "is outside the allowed range 10-500 ms"),
        BadFile(label: "USB endpoint_in without the direction bit",
                input: .edited(.machine, base: "rotary-r1", [.replace("endpoint_in = 0x81", "endpoint_in = 0x01")]),
                key: "usb.endpoint_in", fragment: "= 1 is outside the allowed range 129-143"),
        BadFile(label: "membrane offset beyond what a membrane does",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("membrane_offset_mm = 0.20", "membrane_offset_mm = 0.7")]),
                key: "membrane_offset_mm", fragment: "is outside the allowed range 0.0-0.6 mm"),
        BadFile(label: "zero needles",
                input: .edited(.cartridge, base: "3RL-0.25", [.replace("needles = 3", "needles = 0")]),
                key: "needles", fragment: "is outside the allowed range 1-15"),
        BadFile(label: "cartridge rated for no depth",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("max_depth_mm = 2.0", "max_depth_mm = 0")]),
                key: "max_depth_mm", fragment: "must be above 0 mm"),
        BadFile(label: "negative variation seed",
                input: .edited(.profile, base: "crown-vertex", [.replace("seed = 1404", "seed = -1")]),
                key: "variation.seed", fragment: "is outside the allowed range 0-4294967295"),

        // MARK: missing and empty
        BadFile(label: "missing required key",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("single_use = true\n", "")]),
                key: "single_use", fragment: "is required but missing. Add single_use (true or false)"),
        BadFile(label: "missing required key in a sub-table",
                input: .edited(.machine, base: "rotary-r1", [.replace("endpoint_out = 0x01\n", "")]),
                key: "usb.endpoint_out", fragment: "is required but missing"),
        BadFile(label: "missing required table",
                input: .edited(.machine, base: "rotary-r1", [.replace("[actuator]", "[actuator_model]")]),
                key: "actuator", fragment: "is required but missing"),
        BadFile(label: "cartridge from scratch with only a name",
                input: .text(.cartridge, path: "Hardware/cartridges/1RL-0.25.toml", "name = \"1RL-0.25\"\n"),
                key: "needles", fragment: "is required but missing"),
        BadFile(label: "empty description string",
                input: .edited(.profile, base: "temples", [.replace("description = \"Temple points, left and right: shallow single-needle detail\"",
                                                                    "description = \"  \"")]),
                key: "description", fragment: "must not be empty"),
        BadFile(label: "empty zone list",
                input: .edited(.profile, base: "crown-vertex", [.replace("zones = [\"crown\"]", "zones = []")]),
                key: "zones", fragment: "must not be empty"),

        // MARK: zones
        BadFile(label: "duplicate zone",
                input: .edited(.profile, base: "crown-vertex", [.replace("zones = [\"crown\"]", "zones = [\"crown\", \"crown\"]")]),
                key: "zones[1]", fragment: "= \"crown\" is listed twice"),
        BadFile(label: "unknown zone",
                input: .edited(.profile, base: "crown-vertex", [.replace("zones = [\"crown\"]", "zones = [\"crown\", \"vertex\"]")]),
                key: "zones[1]", fragment: "= \"vertex\" is not a known zone. Use one of: frontal-hairline,"),
        BadFile(label: "custom zone with an empty name",
                input: .edited(.profile, base: "crown-vertex", [.replace("zones = [\"crown\"]", "zones = [\"custom:\"]")]),
                key: "zones[0]", fragment: "is not a known zone"),

        // MARK: names and enumerations
        BadFile(label: "name does not match the file stem",
                input: .edited(.machine, base: "rotary-r1", [.replace("name = \"rotary-r1\"", "name = \"rotary-r2\"")]),
                key: "name", fragment: "does not match the file name rotary-r1.toml"),
        BadFile(label: "name with a path separator",
                input: .edited(.profile, base: "temples", [.replace("name = \"temples\"", "name = \"../temples\"")]),
                key: "name", fragment: "must be 1-64 letters, digits, '-', '_' or '.'"),
        BadFile(label: "cartridge name promises other needles",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("needles = 1", "needles = 3")]),
                key: "name", fragment: "= \"1RL-0.25\" does not describe 3 RL needle(s) of 0.25 mm. Name it 3RL-0.25"),
        BadFile(label: "cartridge name promises another diameter",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("needle_diameter_mm = 0.25", "needle_diameter_mm = 0.30")]),
                key: "name", fragment: "does not describe 1 RL needle(s) of 0.3 mm. Name it 1RL-0.30"),
        BadFile(label: "unknown needle grouping",
                input: .edited(.cartridge, base: "1RL-0.25", [.replace("grouping = \"RL\"", "grouping = \"XL\"")]),
                key: "grouping", fragment: "is not a known needle grouping. Use one of: RL, RS"),
        BadFile(label: "unknown machine kind",
                input: .edited(.machine, base: "rotary-r1", [.replace("kind = \"rotary\"", "kind = \"pneumatic\"")]),
                key: "kind", fragment: "is not a known machine kind. Use one of: rotary, linear"),
        BadFile(label: "unknown depth stage",
                input: .edited(.machine, base: "linear-l2", [.replace("depth_stage = \"linear\"", "depth_stage = \"servo\"")]),
                key: "actuator.depth_stage", fragment: "is not a known depth stage"),

        // MARK: machine consistency
        BadFile(label: "GPIO line used twice",
                input: .edited(.machine, base: "rotary-r1", [.replace("estop = { offset = 27,", "estop = { offset = 17,")]),
                key: "gpio.estop.offset", fragment: "= 17 is already used by pedal"),
        BadFile(label: "machine depth min above max",
                input: .edited(.machine, base: "rotary-r1", [.replace("depth_min_mm = 0.0", "depth_min_mm = 2.6")]),
                key: "limits.depth_max_mm", fragment: "must be greater than depth_min_mm (2.6)"),
        BadFile(label: "machine rate min equal to max",
                input: .edited(.machine, base: "rotary-r1", [.replace("rate_min_hz = 50", "rate_min_hz = 150")]),
                key: "limits.rate_max_hz", fragment: "must be greater than rate_min_hz (150.0)"),
        BadFile(label: "machine ramp min above max",
                input: .edited(.machine, base: "rotary-r1", [.replace("ramp_min_ms = 100", "ramp_min_ms = 5000")]),
                key: "limits.ramp_max_ms", fragment: "must not be less than ramp_min_ms (5000)"),
        BadFile(label: "depth step does not divide the range",
                input: .edited(.machine, base: "rotary-r1", [.replace("depth_step_mm = 0.05", "depth_step_mm = 0.04")]),
                key: "limits.depth_step_mm", fragment: "does not divide the depth range 0.0-2.5 mm evenly"),
        BadFile(label: "motor nominal current not below the overload current",
                input: .edited(.machine, base: "rotary-r1", [.replace("motor_current_nominal_ma = 320", "motor_current_nominal_ma = 850")]),
                key: "actuator.motor_current_max_ma", fragment: "must be greater than motor_current_nominal_ma (850)"),

        // MARK: drive (usb | gpio) and direct drive
        BadFile(label: "unknown drive",
                input: .edited(.machine, base: "rotary-r1", [.replace("kind = \"rotary\"", "kind = \"rotary\"\ndrive = \"can\"")]),
                key: "drive", fragment: "= \"can\" is not a known drive. Use one of: usb, gpio"),
        BadFile(label: "usb machine without its usb table",
                input: .edited(.machine, base: "rotary-r1", [.replace("[usb]", "[usb_board]")]),
                key: "usb", fragment: "is required but missing"),
        BadFile(label: "direct_drive table on a usb machine",
                input: .edited(.machine, base: "rotary-r1", [.append("[direct_drive]\nsteps_per_mm = 400\n")]),
                key: "direct_drive", fragment: "is only for drive = \"gpio\" machines"),
        BadFile(label: "direct-drive line on a usb machine",
                input: .edited(.machine, base: "rotary-r1", [.replace("status_led = { offset = 24, active_low = false }",
                                                                      "status_led = { offset = 24, active_low = false }\ncharge_pump = { offset = 18, active_low = false }")]),
                key: "gpio.charge_pump", fragment: "is a direct-drive line, but this machine has drive = \"usb\""),
        BadFile(label: "usb table on a gpio machine",
                input: .edited(.machine, base: "direct-d1", [.append("[usb]\nvendor_id = 0x1209\n")]),
                key: "usb", fragment: "is only for drive = \"usb\" machines (a gpio machine has no controller board)"),
        BadFile(label: "heartbeat deadline on a gpio machine",
                input: .edited(.machine, base: "direct-d1", [.replace("drive = \"gpio\"", "drive = \"gpio\"\nheartbeat_deadline_ms = 50")]),
                key: "heartbeat_deadline_ms", fragment: "its stop deadline is direct_drive.charge_pump_timeout_ms"),
        BadFile(label: "gpio machine without its direct_drive table",
                input: .edited(.machine, base: "direct-d1", [.replace("[direct_drive]", "[direct]")]),
                key: "direct_drive", fragment: "is required but missing"),
        BadFile(label: "gpio machine missing a direct-drive line",
                input: .edited(.machine, base: "direct-d1", [.replace("depth_home = { offset = 25, active_low = true }\n", "")]),
                key: "gpio.depth_home", fragment: "is required but missing"),
        BadFile(label: "direct-drive line used twice",
                input: .edited(.machine, base: "direct-d1", [.replace("depth_step = { offset = 20,", "depth_step = { offset = 12,")]),
                key: "gpio.depth_step.offset", fragment: "= 12 is already used by stroke_pulse"),
        BadFile(label: "step rate beyond one step per loop cycle",
                input: .edited(.machine, base: "direct-d1", [.replace("max_step_rate_hz = 1000", "max_step_rate_hz = 4000")]),
                key: "direct_drive.max_step_rate_hz",
                fragment: "= 4000 is more than the 1000 steps/s the 1 kHz loop can produce (one step per cycle). Use at most 1000"),
        BadFile(label: "depth slew beyond max step rate / steps per mm",
                input: .edited(.machine, base: "direct-d1", [.replace("depth_slew_mm_per_s = 2.0", "depth_slew_mm_per_s = 4.0")]),
                key: "limits.depth_slew_mm_per_s",
                fragment: "= 4.0 is faster than the depth stage can step: direct_drive.max_step_rate_hz 1000 / steps_per_mm 400.0 = 2.5 mm/s. Lower depth_slew_mm_per_s to at most 2.5"),
        BadFile(label: "depth step not a whole number of motor steps",
                input: .edited(.machine, base: "direct-d1", [.replace("steps_per_mm = 400", "steps_per_mm = 250"),
                                                             .replace("depth_step_mm = 0.01", "depth_step_mm = 0.005")]),
                key: "limits.depth_step_mm", fragment: "is 1.25 motor steps at direct_drive.steps_per_mm 250.0, not a whole number"),
        BadFile(label: "stroke pulse longer than half the period at the highest rate",
                input: .edited(.machine, base: "direct-d1", [.replace("stroke_pulse_width_us = 2000", "stroke_pulse_width_us = 4000")]),
                key: "direct_drive.stroke_pulse_width_us",
                fragment: "= 4000 is 60% of the stroke period at limits.rate_max_hz 150 (at most 50%, so the coil has as long to return as it is driven). Use at most 3333 µs"),
        BadFile(label: "charge pump above half the loop rate",
                input: .edited(.machine, base: "direct-d1", [.replace("charge_pump_hz = 250", "charge_pump_hz = 1000")]),
                key: "direct_drive.charge_pump_hz", fragment: "= 1000 is above 500 Hz, half the 1000 Hz loop rate"),
        BadFile(label: "charge pump the loop cannot toggle evenly",
                input: .edited(.machine, base: "direct-d1", [.replace("charge_pump_hz = 250", "charge_pump_hz = 300")]),
                key: "direct_drive.charge_pump_hz", fragment: "= 300 does not divide 500 Hz"),
        BadFile(label: "watchdog timeout shorter than two charge-pump periods",
                input: .edited(.machine, base: "direct-d1", [.replace("charge_pump_hz = 250", "charge_pump_hz = 50")]),
                key: "direct_drive.charge_pump_timeout_ms",
                fragment: "= 20 is shorter than 2 periods of the 50 Hz charge pump (40 ms): one late cycle would drop the drivers. Set the watchdog to at least 40 ms"),
        BadFile(label: "watchdog timeout beyond 100 ms",
                input: .edited(.machine, base: "direct-d1", [.replace("charge_pump_timeout_ms = 20", "charge_pump_timeout_ms = 250")]),
                key: "direct_drive.charge_pump_timeout_ms", fragment: "is outside the allowed range 2-100 ms"),
        BadFile(label: "unknown home direction",
                input: .edited(.machine, base: "direct-d1", [.replace("home_direction = \"up\"", "home_direction = \"left\"")]),
                key: "direct_drive.home_direction", fragment: "is not a home direction. Use one of: up, down"),
        BadFile(label: "homing travel shorter than the depth range plus back-off",
                input: .edited(.machine, base: "direct-d1", [.replace("home_travel_mm = 3.5", "home_travel_mm = 2.5")]),
                key: "direct_drive.home_travel_mm", fragment: "cannot reach the home switch from the far end of the depth range (2.5 mm travel + 0.2 mm back-off = 2.7 mm)"),
        BadFile(label: "back-off not shorter than the homing travel",
                input: .edited(.machine, base: "direct-d1", [.replace("home_offset_mm = 0.2", "home_offset_mm = 3.0"),
                                                             .replace("home_travel_mm = 3.5", "home_travel_mm = 2.9")]),
                key: "direct_drive.home_offset_mm", fragment: "is not shorter than home_travel_mm (2.9 mm)"),
        BadFile(label: "misspelt direct_drive key",
                input: .edited(.machine, base: "direct-d1", [.replace("steps_per_mm = 400", "step_per_mm = 400")]),
                key: "direct_drive.step_per_mm", fragment: "Did you mean direct_drive.steps_per_mm?"),
        BadFile(label: "gpio machine with a linear depth stage",
                input: .edited(.machine, base: "direct-d1", [.replace("depth_stage = \"stepper\"", "depth_stage = \"linear\"")]),
                key: "actuator.depth_stage", fragment: "is not a stepper, but drive = \"gpio\" moves the depth stage with STEP/DIR pulses"),

        // MARK: profile consistency
        BadFile(label: "profile target outside min-max",
                input: .edited(.profile, base: "crown-vertex", [.replace("target = 1.0", "target = 1.3")]),
                key: "depth_mm.target", fragment: "is not within depth_mm.min-depth_mm.max (0.85-1.2 mm)"),
        BadFile(label: "variation amplitude lets dots leave min-max",
                input: .edited(.profile, base: "crown-vertex", [.replace("depth_amplitude_mm = 0.08", "depth_amplitude_mm = 0.2")]),
                key: "variation.depth_amplitude_mm",
                fragment: "lets dots reach 0.8-1.2 mm, outside depth_mm 0.85-1.2 mm. Lower the amplitude to at most 0.15 mm"),
        BadFile(label: "depth finer than 1 µm",
                input: .edited(.profile, base: "crown-vertex", [.replace("min = 0.85", "min = 0.8505")]),
                key: "depth_mm.min", fragment: "is finer than 1 µm"),

        // MARK: fit to machine and cartridge
        BadFile(label: "depth above the explicit cartridge's max",
                input: .fit(profile: "mid-scalp-density", [.replace("max = 1.2", "max = 2.2")],
                            machine: "rotary-r1", cartridge: "1RL-0.25"),
                key: "depth_mm.max", fragment: "= 2.2 exceeds cartridge 1RL-0.25 max 2.0 mm"),
        BadFile(label: "explicit cartridge the profile does not list",
                input: .fit(profile: "crown-vertex", [], machine: "rotary-r1", cartridge: "3RL-0.30"),
                key: "compatible_cartridges", fragment: "does not list cartridge 3RL-0.30"),
        BadFile(label: "listed cartridge Stipple does not know",
                input: .fit(profile: "crown-vertex",
                            [.replace("compatible_cartridges = [\"3RL-0.25\", \"1RL-0.25\"]",
                                      "compatible_cartridges = [\"3RL-0.25\", \"9RL-0.99\"]")],
                            machine: "rotary-r1", cartridge: nil),
                key: "compatible_cartridges[1]", fragment: "= \"9RL-0.99\" names a cartridge Stipple does not know"),
        BadFile(label: "rate outside the machine's own range",
                input: .fit(profile: "crown-vertex", [], machine: "rotary-r1",
                            machineEdits: [.replace("rate_min_hz = 50", "rate_min_hz = 120")], cartridge: "3RL-0.25"),
                key: "rate_hz", fragment: "= 115 is outside machine rotary-r1 range 120-150 Hz"),
        BadFile(label: "depth off the machine's step grid",
                input: .fit(profile: "crown-vertex", [.replace("target = 1.0", "target = 1.02")],
                            machine: "rotary-r1", cartridge: "3RL-0.25"),
                key: "depth_mm.target", fragment: "= 1.02 needs a set depth of 1.27 mm (with cartridge 3RL-0.25's membrane offset 0.25 mm), not on machine rotary-r1's depth step 0.05 mm from 0.0 mm. Use 1.0 or 1.05"),
        BadFile(label: "set depth (max + membrane offset) beyond the machine's max",
                input: .fit(profile: "crown-vertex",
                            [.replace("compatible_cartridges = [\"3RL-0.25\", \"1RL-0.25\"]", "compatible_cartridges = [\"1RL-0.30\"]"),
                             .replace("max = 1.2", "max = 2.4")],
                            machine: "rotary-r1", cartridge: "1RL-0.30"),
                key: "depth_mm.max",
                fragment: "needs a set depth of 2.65 mm with cartridge 1RL-0.30 (membrane offset 0.25 mm), beyond machine rotary-r1 max 2.5 mm"),
        BadFile(label: "ramp outside the machine's ramp range",
                input: .fit(profile: "crown-vertex", [.replace("ramp_out_ms = 200", "ramp_out_ms = 60")],
                            machine: "rotary-r1", cartridge: "3RL-0.25"),
                key: "ramp_out_ms", fragment: "= 60 is outside machine rotary-r1 ramp range 100-3000 ms"),

        // MARK: the file as a whole
        BadFile(label: "empty file", input: .bytes(Data()), key: nil, fragment: "is empty"),
        BadFile(label: "binary garbage with NUL bytes",
                input: .bytes(Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xFF, 0x3E])),
                key: nil, fragment: "contains NUL bytes: it is a binary file, not TOML text"),
        BadFile(label: "invalid UTF-8",
                input: .bytes(Data("name = \"caf".utf8) + Data([0xC3, 0x28]) + Data("\"\n".utf8)),
                key: nil, fragment: "is not valid UTF-8 text"),
        BadFile(label: "1 MB file read from disk",
                input: .fileOnDisk(Data(repeating: UInt8(ascii: "#"), count: 1_000_000)),
                key: nil, fragment: "is larger than 256 KiB"),
        BadFile(label: "TOML syntax error names line and column",
                input: .edited(.profile, base: "crown-vertex", [.replace("rate_hz = 115", "rate_hz = = 115")]),
                key: nil, fragment: "is not valid TOML", filePattern: #"crown-vertex\.toml:7:\d+$"#),
    ]

    @Test(arguments: cases)
    func badFileIsRefusedWithTheRightIssue(_ bad: BadFile) throws {
        let issues = try bad.issues()
        SafetyEvidence.record(hazard: "profile-invalid", what: "invalid files accepted", measured: issues.isEmpty ? 1 : 0, bound: 0, unit: "files")
        let match = issues.first { $0.key == bad.key && $0.description.contains(bad.fragment) }
        #expect(match != nil, "expected key \(bad.key ?? "nil") with \"\(bad.fragment)\"; got:\n\(ConfigError(issues))")
        if let pattern = bad.filePattern, let match {
            #expect(match.file.contains(try Regex(pattern)), "issue file \(match.file) does not match \(pattern)")
        }
    }

    @Test func sizeLimitIsExactly256KiB() throws {
        #expect(ConfigFile.maximumSize == 256 * 1024)
        let atLimit = Data(repeating: UInt8(ascii: "#"), count: ConfigFile.maximumSize)
        #expect(try ConfigFile.decode(atLimit, file: "big.toml").get().utf8.count == ConfigFile.maximumSize)
        let overLimit = atLimit + Data([UInt8(ascii: "#")])
        #expect(throws: ConfigError.self) { try ConfigFile.decode(overLimit, file: "big.toml").get() }
    }

    /// Gaps the first version of these tests found (newline-only text, rounded cartridge names,
    /// the set-depth grid); each is now refused.
    @Test func formerlyAcceptedGapsAreRefused() throws {
        do {
            let text = try Edit.apply([.replace(
                "description = \"Temple points, left and right: shallow single-needle detail\"",
                "description = \"\\n\"")], to: try ShippedHardware.text(.profile, "temples"))
            let issues = try BadFile.decode(.profile, text: text, path: ShippedHardware.path(.profile, "temples"))
            #expect(issues.contains { $0.key == "description" && $0.problem == "must not be empty" })
        }
        do {
            let text = try Edit.apply([.replace("needle_diameter_mm = 0.18", "needle_diameter_mm = 0.185")],
                                      to: try ShippedHardware.text(.cartridge, "1RL-0.18"))
            let issues = try BadFile.decode(.cartridge, text: text, path: ShippedHardware.path(.cartridge, "1RL-0.18"))
            #expect(issues.contains { $0.key == "name" })
        }
        do {
            // Membrane offset 0.12 mm: set depths 0.97/1.12/1.32 mm are off rotary-r1's 0.05 mm grid.
            let cartridgeText = try Edit.apply([.replace("membrane_offset_mm = 0.25", "membrane_offset_mm = 0.12")],
                                               to: try ShippedHardware.text(.cartridge, "3RL-0.25"))
            let cartridge = try Cartridge.decode(text: cartridgeText, file: ShippedHardware.path(.cartridge, "3RL-0.25")).get()
            let issues = ProfileFit.issues(try ShippedHardware.profile("crown-vertex"),
                                           file: ShippedHardware.path(.profile, "crown-vertex"),
                                           machine: try ShippedHardware.machine("rotary-r1"), cartridge: cartridge)
            #expect(issues.contains { $0.problem.contains("depth step") })
        }
    }

    @Test func tableCoversEnoughCases() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.label)).count == Self.cases.count, "labels must be unique")
    }
}
