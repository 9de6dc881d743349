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
    public var usb: USBIdentity
    public var gpio: GPIOLineMap
    public var limits: MachineLimits
    /// The firmware stops and retracts by itself when no heartbeat arrives within this time.
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
            let deadline = r.integer("heartbeat_deadline_ms", in: AbsoluteBounds.heartbeatDeadlineMilliseconds, unit: "ms")
            let usb = r.table("usb", expect: "the controller board's USB identity").flatMap(USBIdentity.parse)
            let gpio = r.table("gpio", expect: "the GPIO chip and line for each role").flatMap(GPIOLineMap.parse)
            let limits = r.table("limits", expect: "the machine's depth, rate and ramp limits").flatMap(MachineLimits.parse)
            let actuator = r.table("actuator", expect: "the motor and depth-stage model").flatMap(ActuatorModel.parse)
            // Optional: older machine files predate calibration and keep the defaults.
            let tolerance = r.has("calibration_tolerance_mm")
                ? r.number("calibration_tolerance_mm", in: AbsoluteBounds.calibrationToleranceMillimetres, unit: "mm")
                : defaultCalibrationTolerance.millimetres
            let validDays = r.has("calibration_valid_days")
                ? r.integer("calibration_valid_days", in: AbsoluteBounds.calibrationValidDays, unit: "days")
                : defaultCalibrationValidDays
            guard let name, let model, let kind, let deadline, let usb, let gpio, let limits, let actuator,
                  let tolerance, let validDays else { return nil }
            var spec = MachineSpec(name: name, model: model, kind: kind, usb: usb, gpio: gpio, limits: limits,
                                   heartbeatDeadlineMilliseconds: deadline, actuator: actuator)
            spec.calibrationTolerance = Depth(millimetres: tolerance)
            spec.calibrationValidDays = validDays
            return spec
        }
    }
}
