#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stroke motor's physics: a linear ramp of the set-point over the commanded ramp time, a
/// first-order lag of the actual rate to it (the machine file's time constant), strokes counted
/// by integrating the rate, and a drive current that follows the load. Advanced in fixed steps
/// so that a virtual-time run and a real-time run give the same numbers.
struct SimulatedStrokeMotor {
    let stepNanoseconds: UInt64
    private let stepSeconds: Double
    /// Exact discretisation of the lag for one step: 1 - exp(-dt / tau).
    private let lag: Double
    /// A jammed rotor stops within a couple of milliseconds.
    private let stallLag: Double
    private let nominalMilliamperes: Double
    let maximumMilliamperes: Double
    private let rateMaxHertz: Double

    private(set) var rateHertz = 0.0
    private(set) var strokes = 0.0
    private(set) var currentMilliamperes = 0.0
    /// The set-point being driven this step (0 when the motor is not driven).
    private(set) var drivenSetpointHertz = 0.0

    private(set) var targetHertz = 0.0
    /// Where the drive really settles for a set-point (calibration tests inject an error here).
    var driveError = StrokeRateError.none
    private var rampFromHertz = 0.0
    private var rampStart: UInt64 = 0
    private var rampNanoseconds: UInt64 = 0

    init(timeConstantMilliseconds: Double, nominalMilliamperes: Int, maximumMilliamperes: Int,
         rateMaxHertz: Double, stepNanoseconds: UInt64) {
        self.stepNanoseconds = stepNanoseconds
        stepSeconds = Double(stepNanoseconds) / 1e9
        let tau = max(timeConstantMilliseconds, 0.001) / 1000
        lag = 1 - exp(-stepSeconds / tau)
        stallLag = 1 - exp(-stepSeconds / 0.002)
        self.nominalMilliamperes = Double(nominalMilliamperes)
        self.maximumMilliamperes = Double(maximumMilliamperes)
        self.rateMaxHertz = max(rateMaxHertz, 1)
    }

    /// The ramped set-point at `t` (what the drive is asked for while running).
    func setpoint(at t: UInt64) -> Double {
        guard rampNanoseconds > 0, t < rampStart &+ rampNanoseconds else { return targetHertz }
        let f = t <= rampStart ? 0 : Double(t - rampStart) / Double(rampNanoseconds)
        return rampFromHertz + (targetHertz - rampFromHertz) * f
    }

    /// A new set-point: ramps from where the set-point is now (from the actual rate when the
    /// motor is not running, since `start` ramps from there anyway).
    mutating func command(rateHertz: Double, rampNanoseconds: UInt64, at t: UInt64, running: Bool) {
        rampFromHertz = running ? setpoint(at: t) : self.rateHertz
        targetHertz = rateHertz
        rampStart = t
        self.rampNanoseconds = rampNanoseconds
    }

    /// `start`: ramp from the present rate (0 from rest) to the set-point over the ramp time.
    mutating func startRamp(at t: UInt64, rampNanoseconds: UInt64) {
        rampFromHertz = rateHertz
        rampStart = t
        self.rampNanoseconds = rampNanoseconds
    }

    /// One step ending at `t`. `driven`: running with the drive powered; `powered`: the drive
    /// is enabled (armed and its enable line active), drawing idle current at least.
    mutating func step(at t: UInt64, driven: Bool, powered: Bool, stalled: Bool, overcurrent: Bool) {
        let sp = driven ? setpoint(at: t) : 0
        drivenSetpointHertz = sp
        let jammed = stalled && driven && sp > 0
        if jammed {
            rateHertz += (0 - rateHertz) * stallLag
        } else {
            // Undriven, the rotor coasts down on the same lag.
            rateHertz += (driveError.settledHertz(setpoint: sp) - rateHertz) * lag
        }
        if rateHertz < 1e-9 { rateHertz = 0 }
        strokes += rateHertz * stepSeconds
        if !powered {
            currentMilliamperes = 0
        } else if overcurrent {
            currentMilliamperes = maximumMilliamperes * 1.25
        } else if jammed {
            currentMilliamperes = maximumMilliamperes
        } else {
            currentMilliamperes = nominalMilliamperes * (0.1 + rateHertz / rateMaxHertz)
        }
    }

    /// High current with the rotor far behind its set-point: what a firmware sees of a stall.
    var stallIndicated: Bool {
        drivenSetpointHertz > 0 && currentMilliamperes >= 0.95 * maximumMilliamperes
            && rateHertz < 0.5 * drivenSetpointHertz
    }
}
