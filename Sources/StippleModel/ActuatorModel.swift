/// The physics a simulator needs to behave like this machine, and the current bounds the control
/// core checks telemetry against.
public struct ActuatorModel: Sendable, Hashable {
    public enum DepthStage: String, Sendable, Hashable, CaseIterable {
        /// Lead-screw stage driven by a stepper: slow, exact, holds position unpowered.
        case stepper
        /// Voice-coil / linear actuator: fast, needs closed-loop position.
        case linear
    }

    /// First-order lag of the stroke motor's rate to its set-point.
    public var motorTimeConstantMilliseconds: Double
    public var depthStage: DepthStage
    public var motorCurrentNominalMilliamperes: Int
    /// Above this the drive is overloaded (stall, jammed cartridge): a fault.
    public var motorCurrentMaxMilliamperes: Int
    /// Standard deviation of the depth sensor reading.
    public var depthSensorNoiseMicrometres: Int

    static func parse(_ r: TableReader) -> ActuatorModel? {
        let tau = r.number("motor_time_constant_ms", in: AbsoluteBounds.motorTimeConstantMilliseconds, unit: "ms")
        let stageName = r.string("depth_stage", expect: "\"stepper\" or \"linear\"")
        let nominal = r.integer("motor_current_nominal_ma", in: AbsoluteBounds.motorCurrentMilliamperes, unit: "mA")
        let maximum = r.integer("motor_current_max_ma", in: AbsoluteBounds.motorCurrentMilliamperes, unit: "mA")
        let noise = r.integer("depth_sensor_noise_um", in: AbsoluteBounds.depthSensorNoiseMicrometres, unit: "µm")
        r.finish()
        var stage: DepthStage?
        if let stageName {
            stage = DepthStage(rawValue: stageName)
            if stage == nil {
                r.report("depth_stage", value: .string(stageName), "is not a known depth stage",
                         fix: "Use one of: " + DepthStage.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let nominal, let maximum, nominal >= maximum {
            r.report("motor_current_max_ma", value: .integer(maximum),
                     "must be greater than motor_current_nominal_ma (\(nominal))",
                     fix: "Set the drive's overload threshold above its running current")
        }
        guard let tau, let stage, let nominal, let maximum, let noise, nominal < maximum else { return nil }
        return ActuatorModel(motorTimeConstantMilliseconds: tau, depthStage: stage,
                             motorCurrentNominalMilliamperes: nominal, motorCurrentMaxMilliamperes: maximum,
                             depthSensorNoiseMicrometres: noise)
    }
}
