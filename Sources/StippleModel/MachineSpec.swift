/// A machine model: how to reach it, how it is wired, what it can do and how it behaves.
public struct MachineSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Rotary motor with an eccentric: fixed stroke length, rate from motor speed.
        case rotary
        /// Linear (voice-coil) motor: stroke per drive cycle.
        case linear
    }

    public var name: String
    public var model: String
    public var kind: Kind
    /// `drive` in the file; absent means usb, so files from before direct drive keep their meaning.
    public var drive: MachineDrive = .usb
    /// The controller board; present exactly when `drive` is usb.
    public var usb: USBIdentity?
    /// The loop's pulse, step and charge-pump parameters; present exactly when `drive` is gpio.
    public var directDrive: DirectDriveParameters?
    public var gpio: GPIOLineMap
    public var limits: MachineLimits
    /// The firmware stops and retracts by itself when no heartbeat arrives within this time. On a
    /// gpio machine there is no firmware: the external watchdog drops the drivers when the charge
    /// pump stops, so this is `charge_pump_timeout_ms`.
    public var heartbeatDeadlineMilliseconds: Int
    public var actuator: ActuatorModel
    /// A depth calibration passes only when every gauge reading lies within this of its fit
    /// (`calibration_tolerance_mm`, default 0.05 mm).
    public var calibrationTolerance: Depth = MachineSpec.defaultCalibrationTolerance
    /// How long a depth calibration stays valid (`calibration_valid_days`, default 90): a stale
    /// calibration blocks treatment.
    public var calibrationValidDays: Int = MachineSpec.defaultCalibrationValidDays

    public static let defaultCalibrationTolerance = Depth(micrometres: 50)
    public static let defaultCalibrationValidDays = 90

    /// Parses and validates a machine file's text.
    public static func decode(text: String, file: String) -> Result<MachineSpec, ConfigError> {
        ConfigDocument.decode(text: text, file: file) { r in
            let name = ConfigDocument.name(r, kind: "machine")
            let model = r.string("model", expect: "the maker's model name")
            let kindName = r.string("kind", expect: "\"rotary\" or \"linear\"")
            var kind: Kind?
            if let kindName {
                kind = Kind(rawValue: kindName)
                if kind == nil {
                    r.report("kind", value: .string(kindName), "is not a known machine kind",
                             fix: "Use one of: " + Kind.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            var drive: MachineDrive? = .usb
            if let driveName = r.string("drive", required: false, expect: "\"usb\" or \"gpio\"") {
                drive = MachineDrive(rawValue: driveName)
                if drive == nil {
                    r.report("drive", value: .string(driveName), "is not a known drive",
                             fix: "Use one of: " + MachineDrive.allCases.map(\.rawValue).joined(separator: ", "))
                }
            } else if r.has("drive") {
                drive = nil
            }
            var deadline: Int?
            var usb: USBIdentity?
            var directDrive: DirectDriveParameters?
            // Without a known drive the drive-specific tables cannot be judged; claim them so
            // the only error is the drive itself.
            let driveKeys = ["heartbeat_deadline_ms", "usb", "direct_drive"]
            switch drive {
            case nil:
                for key in driveKeys { _ = r.raw(key, required: false, expect: "") }
            case .usb:
                deadline = r.integer("heartbeat_deadline_ms", in: AbsoluteBounds.heartbeatDeadlineMilliseconds, unit: "ms")
                usb = r.table("usb", expect: "the controller board's USB identity").flatMap(USBIdentity.parse)
                refuse("direct_drive", in: r, because: "is only for drive = \"gpio\" machines (a usb machine's controller board makes the pulses and steps)",
                       fix: "Remove it, or set drive = \"gpio\" if the drivers are wired to the GPIO header")
            case .gpio:
                refuse("usb", in: r, because: "is only for drive = \"usb\" machines (a gpio machine has no controller board)",
                       fix: "Remove it, or set drive = \"usb\" if the machine has a controller board")
                refuse("heartbeat_deadline_ms", in: r, because: "is only for drive = \"usb\" machines (a gpio machine has no firmware; its stop deadline is direct_drive.charge_pump_timeout_ms)",
                       fix: "Remove it and set direct_drive.charge_pump_timeout_ms")
                directDrive = r.table("direct_drive", expect: "the direct-drive loop's step, stroke and charge-pump parameters")
                    .flatMap(DirectDriveParameters.parse)
                deadline = directDrive?.chargePumpTimeoutMilliseconds
            }
            let gpio = drive.flatMap { drive in
                r.table("gpio", expect: "the GPIO chip and line for each role").flatMap { GPIOLineMap.parse($0, drive: drive) }
            } ?? { _ = r.raw("gpio", required: false, expect: ""); return nil }()
            let limits = r.table("limits", expect: "the machine's depth, rate and ramp limits").flatMap(MachineLimits.parse)
            let actuator = r.table("actuator", expect: "the motor and depth-stage model").flatMap(ActuatorModel.parse)
            // Optional: older machine files predate calibration and keep the defaults.
            let tolerance = r.has("calibration_tolerance_mm")
                ? r.number("calibration_tolerance_mm", in: AbsoluteBounds.calibrationToleranceMillimetres, unit: "mm")
                : defaultCalibrationTolerance.millimetres
            let validDays = r.has("calibration_valid_days")
                ? r.integer("calibration_valid_days", in: AbsoluteBounds.calibrationValidDays, unit: "days")
                : defaultCalibrationValidDays
            if drive == .gpio {
                if let directDrive, let limits { directDrive.check(limits, root: r) }
                // The loop's STEP/DIR output drives a stepper; a linear stage needs a position loop
                // the direct-drive path does not have.
                if let actuator, actuator.depthStage != .stepper {
                    r.reportAt("actuator.depth_stage", value: "\"\(actuator.depthStage.rawValue)\"",
                               "is not a stepper, but drive = \"gpio\" moves the depth stage with STEP/DIR pulses",
                               fix: "Use depth_stage = \"stepper\", or drive = \"usb\" with a controller board")
                }
            }
            guard let name, let model, let kind, let drive, let deadline, let gpio, let limits, let actuator,
                  let tolerance, let validDays, (drive == .usb) == (usb != nil), (drive == .gpio) == (directDrive != nil)
            else { return nil }
            var spec = MachineSpec(name: name, model: model, kind: kind, usb: usb, gpio: gpio, limits: limits,
                                   heartbeatDeadlineMilliseconds: deadline, actuator: actuator)
            spec.drive = drive
            spec.directDrive = directDrive
            spec.calibrationTolerance = Depth(millimetres: tolerance)
            spec.calibrationValidDays = validDays
            return spec
        }
    }

    /// Reports `key` as out of place for this drive if the file has it, and claims it so it is not
    /// also reported as unknown.
    private static func refuse(_ key: String, in r: TableReader, because problem: String, fix: String) {
        guard let v = r.raw(key, required: false, expect: "") else { return }
        r.report(key, value: v, problem, fix: fix)
    }
}
