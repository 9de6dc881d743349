import StippleControl
import StippleModel
import StippleWire

/// The stroke-rate calibration procedure on a bench machine: a sweep of set-points across the
/// machine's range (needle retracted), the achieved rate read from telemetry once each has
/// settled, a least-squares line through them (`StrokeRateCorrection`), then a second sweep with
/// the correction applied that must land every wanted rate within ±1%.
struct StrokeRateCalibration: Sendable {
    /// One sweep point: what was commanded and what the machine settled at.
    struct Point: Sendable, Codable {
        var commandedHz: Double
        var achievedHz: Double
        /// achieved - fitted line at this commanded rate.
        var residualHz: Double

        enum CodingKeys: String, CodingKey {
            case commandedHz = "commanded_hz", achievedHz = "achieved_hz", residualHz = "residual_hz"
        }
    }

    /// One verification point: a wanted rate, the corrected set-point sent for it, and the result.
    struct Check: Sendable, Codable {
        var wantedHz: Double
        /// nil when the corrected set-point falls outside the machine's rate limits.
        var commandedHz: Double?
        var achievedHz: Double?
        var errorPercent: Double?
        var passed: Bool

        enum CodingKeys: String, CodingKey {
            case wantedHz = "wanted_hz", commandedHz = "commanded_hz", achievedHz = "achieved_hz"
            case errorPercent = "error_percent", passed
        }
    }

    static let pointCount = 9
    static let tolerancePercent = 1.0
    /// Telemetry averaged per point, after settling.
    static let measureNanoseconds: UInt64 = 200_000_000

    var sweep: [Point] = []
    var correction: StrokeRateCorrection?
    var verification: [Check] = []
    /// Why the procedure could not complete (the firmware refused, a fault latched, no telemetry):
    /// nothing was measured that says anything about the drive, so nothing is journaled.
    var abortReason: String?
    /// Why no drive curve could be fitted to a complete sweep: a verdict on the drive (failed),
    /// journaled like a failed verification.
    var noFitReason: String?

    /// The procedure ran to a verdict (pass or fail) worth a record.
    var reachedVerdict: Bool { abortReason == nil }

    /// The largest |error| among the corrected verification rates measured.
    var worstVerificationErrorPercent: Double? {
        verification.compactMap(\.errorPercent).map(abs).max()
    }

    var passed: Bool {
        abortReason == nil && correction != nil && verification.count == sweep.count && verification.allSatisfy(\.passed)
    }

    var worstResidualPercent: Double {
        sweep.map { abs($0.residualHz) / $0.commandedHz * 100 }.max() ?? 0
    }

    /// `pointCount` set-points from the machine's minimum to its maximum rate, evenly spaced.
    static func setpoints(for machine: MachineSpec) -> [StrokeRate] {
        let lo = machine.limits.rateMin.millihertz, hi = machine.limits.rateMax.millihertz
        return (0..<pointCount).map { i in
            StrokeRate(millihertz: lo + Int((Double(hi - lo) * Double(i) / Double(pointCount - 1)).rounded()))
        }
    }

    /// Runs the sweep, the fit and the verification; leaves the machine safe (stopped, retracted,
    /// disarmed, enable off). Throws only when the machine could not be armed and started.
    static func run(on bench: MachineBench) throws -> StrokeRateCalibration {
        var result = StrokeRateCalibration()
        defer { bench.makeSafe() }
        let m = bench.machine
        let ramp = UInt16(clamping: m.limits.rampMinMilliseconds)
        let targets = setpoints(for: m)
        try bench.arm(step: "calibrate rate: arm")
        if let r = bench.command(.setStrokeRate(rateMillihertz: UInt32(targets[0].millihertz), rampMilliseconds: ramp)), r.status != 0 {
            throw CLIError("machine \(m.name) (calibrate rate: set_stroke_rate): the firmware refused \(targets[0]) (\(r.text)). Check the machine file's rate limits")
        }
        guard let started = bench.command(.start), started.status == 0 else {
            throw CLIError("machine \(m.name) (calibrate rate: start): the firmware did not start the motor. Clear faults and fit a cartridge, then try again")
        }
        // The needle stays retracted: the rate is calibrated stroking in air.
        _ = bench.command(.retract)

        var achieved: [Double] = []
        for c in targets {
            switch measure(bench, commandedMillihertz: c.millihertz, ramp: ramp) {
            case .success(let a): achieved.append(a)
            case .failure(let why):
                result.abortReason = "sweep at \(c): \(why)"
                return result
            }
        }
        let commanded = targets.map(\.hertz)
        guard let fit = StrokeRateCorrection.fit(commandedHertz: commanded, achievedHertz: achieved) else {
            result.sweep = zip(commanded, achieved).map { Point(commandedHz: $0, achievedHz: $1, residualHz: 0) }
            result.noFitReason = "the achieved rates do not follow the set-points (no drive curve with a gain between 0.5 and 2)"
            return result
        }
        result.correction = fit
        result.sweep = zip(commanded, achieved).map { c, a in
            Point(commandedHz: c, achievedHz: a, residualHz: a - fit.achievedHertz(forCommanded: c))
        }

        let limits = m.limits.rateMin...m.limits.rateMax
        for wanted in targets {
            guard let c = fit.commandedMillihertz(forAchieved: wanted, within: limits) else {
                result.verification.append(Check(wantedHz: wanted.hertz, commandedHz: nil, achievedHz: nil, errorPercent: nil, passed: false))
                continue
            }
            switch measure(bench, commandedMillihertz: c, ramp: ramp) {
            case .success(let a):
                let err = (a - wanted.hertz) / wanted.hertz * 100
                result.verification.append(Check(wantedHz: wanted.hertz, commandedHz: Double(c) / 1000, achievedHz: a,
                                                 errorPercent: err, passed: abs(err) <= tolerancePercent))
            case .failure(let why):
                result.abortReason = "verification at \(wanted): \(why)"
                return result
            }
        }
        return result
    }

    struct MeasureFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Commands a rate, waits for the ramp and eight motor time constants (the lag then leaves
    /// under 0.04% of the step), and averages the telemetry rate over `measureNanoseconds`.
    private static func measure(_ bench: MachineBench, commandedMillihertz c: Int, ramp: UInt16) -> Result<Double, MeasureFailure> {
        let faultsBefore = bench.faults.count
        guard let r = bench.command(.setStrokeRate(rateMillihertz: UInt32(c), rampMilliseconds: ramp)) else {
            return .failure(MeasureFailure(description: "no answer to set_stroke_rate"))
        }
        guard r.status == 0 else { return .failure(MeasureFailure(description: "the firmware refused set_stroke_rate (\(r.text))")) }
        let tau = bench.machine.actuator.motorTimeConstantMilliseconds
        bench.wait(UInt64(ramp) * 1_000_000 + UInt64(tau * 8 * 1_000_000) + 50_000_000)
        bench.clearTelemetry()
        bench.wait(measureNanoseconds)
        if let f = bench.faults[faultsBefore...].first {
            return .failure(MeasureFailure(description: "the machine latched fault \(f.code) (\(FaultCode(wire: f.code).name))"))
        }
        // Bit 1 of state_flags: running. A sample taken after a stop says nothing about the drive.
        let rates = bench.telemetry.filter { $0.sample.stateFlags & 0b10 != 0 }.map { Double($0.sample.rateMillihertz) / 1000 }
        guard !rates.isEmpty else {
            return .failure(MeasureFailure(description: "no telemetry from the running motor in \(measureNanoseconds / 1_000_000) ms"))
        }
        return .success(rates.reduce(0, +) / Double(rates.count))
    }
}
