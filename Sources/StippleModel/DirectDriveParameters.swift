/// The `[direct_drive]` table of a `drive = "gpio"` machine: the numbers Stipple's own real-time
/// loop needs to be the firmware (stroke pulses, the STEP/DIR depth stage and its homing, the
/// charge pump that keeps the drivers enabled only while the loop lives).
///
/// The limits here follow from what the loop will do, so a file that passes is one the loop can
/// actually drive:
/// - The loop runs at `loopRateHertz` (1 kHz, the control step's rate).
/// - **Steps**: at most one step per cycle. The loop raises STEP and lowers it again in the same
///   cycle (two line writes, each longer than a stepper driver's 1-2 µs minimum pulse), so no
///   step is ever split across a late cycle. Hence `max_step_rate_hz` <= 1,000, and the depth
///   stage can slew at most `max_step_rate_hz / steps_per_mm`.
/// - **Charge pump**: the loop toggles the line on cycle boundaries, so each half period is a
///   whole number of cycles: `charge_pump_hz` must divide 500 (500, 250, 125, 100, 50 Hz, ...).
///   The external watchdog's timeout must cover two full periods, so one late cycle does not
///   drop the drivers.
/// - **Stroke pulses**: each pulse's rising and falling edges are absolute deadlines of their own
///   (not rounded to cycles); the pulse may take at most half the stroke period at the machine's
///   highest rate, so the coil has at least as long to return as it was driven.
public struct DirectDriveParameters: Sendable, Hashable {
    /// Which way the depth stage moves to find its home switch.
    public enum HomeDirection: String, Sendable, Hashable, CaseIterable {
        /// Away from the skin (retract): the usual choice, homing never pushes the needle out.
        case up
        case down
    }

    /// The control loop's rate the limits are derived from.
    public static let loopRateHertz = 1_000
    /// Stroke pulses may drive the coil for at most this fraction of the period at `rate_max_hz`.
    public static let maximumStrokeDuty = 0.5
    /// Charge-pump periods the watchdog timeout must cover.
    public static let chargePumpPeriodsPerTimeout = 2

    public var stepsPerMillimetre: Double
    /// Step pulses per second the loop may emit, at most one per cycle.
    public var maxStepRateHertz: Int
    public var accelerationMillimetresPerSecondSquared: Double
    public var homeDirection: HomeDirection
    /// How far the stage backs off the triggered home switch; that position is depth zero.
    public var homeOffset: Depth
    /// How far homing travels looking for the switch before it is a fault.
    public var homeTravel: Depth
    public var strokePulseWidthMicroseconds: Int
    public var chargePumpHertz: Int
    /// The external watchdog disables the drivers when no charge-pump edge arrives this long.
    public var chargePumpTimeoutMilliseconds: Int

    /// The fastest the depth stage can move at `maxStepRateHertz`.
    public var maximumSlewMillimetresPerSecond: Double { Double(maxStepRateHertz) / stepsPerMillimetre }

    public init(stepsPerMillimetre: Double, maxStepRateHertz: Int, accelerationMillimetresPerSecondSquared: Double,
                homeDirection: HomeDirection, homeOffset: Depth, homeTravel: Depth,
                strokePulseWidthMicroseconds: Int, chargePumpHertz: Int, chargePumpTimeoutMilliseconds: Int) {
        self.stepsPerMillimetre = stepsPerMillimetre
        self.maxStepRateHertz = maxStepRateHertz
        self.accelerationMillimetresPerSecondSquared = accelerationMillimetresPerSecondSquared
        self.homeDirection = homeDirection
        self.homeOffset = homeOffset
        self.homeTravel = homeTravel
        self.strokePulseWidthMicroseconds = strokePulseWidthMicroseconds
        self.chargePumpHertz = chargePumpHertz
        self.chargePumpTimeoutMilliseconds = chargePumpTimeoutMilliseconds
    }

    /// Reads the table and checks what it can alone; `MachineSpec` checks it against the limits.
    static func parse(_ r: TableReader) -> DirectDriveParameters? {
        let loop = loopRateHertz
        let stepsPerMM = r.number("steps_per_mm", in: AbsoluteBounds.stepsPerMillimetre, unit: "steps/mm")
        var stepRate = r.integer("max_step_rate_hz", in: AbsoluteBounds.stepRateHertz, unit: "Hz")
        let acceleration = r.number("acceleration_mm_s2", in: AbsoluteBounds.depthAccelerationMillimetresPerSecondSquared,
                                    unit: "mm/s²")
        let directionName = r.string("home_direction", expect: "\"up\" or \"down\"")
        let homeOffset = r.number("home_offset_mm", in: AbsoluteBounds.homeOffsetMillimetres, unit: "mm")
        let homeTravel = r.number("home_travel_mm", in: AbsoluteBounds.homeTravelMillimetres, unit: "mm")
        let width = r.integer("stroke_pulse_width_us", in: AbsoluteBounds.strokePulseWidthMicroseconds, unit: "µs")
        var pumpHz = r.integer("charge_pump_hz", in: AbsoluteBounds.chargePumpHertz, unit: "Hz")
        let pumpTimeout = r.integer("charge_pump_timeout_ms", in: AbsoluteBounds.chargePumpTimeoutMilliseconds, unit: "ms")
        r.finish()

        var direction: HomeDirection?
        if let directionName {
            direction = HomeDirection(rawValue: directionName)
            if direction == nil {
                r.report("home_direction", value: .string(directionName), "is not a home direction",
                         fix: "Use one of: " + HomeDirection.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let rate = stepRate, rate > loop {
            r.report("max_step_rate_hz", value: .integer(rate),
                     "is more than the \(loop) steps/s the \(loop / 1000) kHz loop can produce (one step per cycle)",
                     fix: "Use at most \(loop), or a coarser steps_per_mm for more speed")
            stepRate = nil
        }
        let halfPeriodCycles = loop / 2
        if let hz = pumpHz, hz > halfPeriodCycles || halfPeriodCycles % hz != 0 {
            let nearest = Self.chargePumpRates.min { abs($0 - hz) < abs($1 - hz) } ?? halfPeriodCycles
            r.report("charge_pump_hz", value: .integer(hz),
                     hz > halfPeriodCycles
                        ? "is above \(halfPeriodCycles) Hz, half the \(loop) Hz loop rate (the loop toggles the line once per cycle at most)"
                        : "does not divide \(halfPeriodCycles) Hz: the loop toggles on cycle boundaries, so each half period must be a whole number of 1 ms cycles",
                     fix: "Use one of \(Self.chargePumpRates.map(String.init).joined(separator: ", ")) Hz, e.g. \(nearest)")
            pumpHz = nil
        }
        if let hz = pumpHz, let timeout = pumpTimeout, timeout * hz < chargePumpPeriodsPerTimeout * 1000 {
            let needed = (chargePumpPeriodsPerTimeout * 1000 + hz - 1) / hz
            r.report("charge_pump_timeout_ms", value: .integer(timeout),
                     "is shorter than \(chargePumpPeriodsPerTimeout) periods of the \(hz) Hz charge pump (\(needed) ms): one late cycle would drop the drivers",
                     fix: "Set the watchdog to at least \(needed) ms, or raise charge_pump_hz")
        }
        if let homeOffset, let homeTravel, homeOffset >= homeTravel {
            r.report("home_offset_mm", value: .float(homeOffset),
                     "is not shorter than home_travel_mm (\(ConfigValue.render(homeTravel)) mm)",
                     fix: "Back off the switch by less than the homing travel")
        }
        guard let stepsPerMM, let stepRate, let acceleration, let direction, let homeOffset, let homeTravel,
              let width, let pumpHz, let pumpTimeout, pumpTimeout * pumpHz >= chargePumpPeriodsPerTimeout * 1000,
              homeOffset < homeTravel
        else { return nil }
        return DirectDriveParameters(
            stepsPerMillimetre: stepsPerMM, maxStepRateHertz: stepRate, accelerationMillimetresPerSecondSquared: acceleration,
            homeDirection: direction, homeOffset: Depth(millimetres: homeOffset), homeTravel: Depth(millimetres: homeTravel),
            strokePulseWidthMicroseconds: width, chargePumpHertz: pumpHz, chargePumpTimeoutMilliseconds: pumpTimeout)
    }

    /// Every charge-pump frequency the loop can make exactly: divisors of half the loop rate.
    static let chargePumpRates: [Int] = (1...(loopRateHertz / 2)).reversed().filter { (loopRateHertz / 2) % $0 == 0 }

    /// Checks against the machine's limits: the stage must be able to do what `[limits]` promises.
    func check(_ limits: MachineLimits, root r: TableReader) {
        let slew = maximumSlewMillimetresPerSecond
        if limits.depthSlewMillimetresPerSecond > slew + 1e-9 {
            r.reportAt("limits.depth_slew_mm_per_s", value: ConfigValue.render(limits.depthSlewMillimetresPerSecond),
                       "is faster than the depth stage can step: direct_drive.max_step_rate_hz \(maxStepRateHertz) / steps_per_mm \(ConfigValue.render(stepsPerMillimetre)) = \(ConfigValue.render(slew)) mm/s",
                       fix: "Lower depth_slew_mm_per_s to at most \(ConfigValue.render(slew)), or raise max_step_rate_hz")
        }
        let stepsPerDepthStep = limits.depthStep.millimetres * stepsPerMillimetre
        if (stepsPerDepthStep - stepsPerDepthStep.rounded()).magnitude > 1e-6 || stepsPerDepthStep.rounded() < 1 {
            r.reportAt("limits.depth_step_mm", value: ConfigValue.render(limits.depthStep.millimetres),
                       "is \(ConfigValue.render(stepsPerDepthStep)) motor steps at direct_drive.steps_per_mm \(ConfigValue.render(stepsPerMillimetre)), not a whole number: set depths would fall between steps",
                       fix: "Use a depth step of whole motor steps (\(ConfigValue.render(1 / stepsPerMillimetre)) mm each)")
        }
        let duty = Double(strokePulseWidthMicroseconds) * limits.rateMax.hertz / 1_000_000
        if duty > Self.maximumStrokeDuty + 1e-9 {
            let widest = Int(Self.maximumStrokeDuty * 1_000_000 / limits.rateMax.hertz)
            r.reportAt("direct_drive.stroke_pulse_width_us", value: String(strokePulseWidthMicroseconds),
                       "is \(Int((duty * 100).rounded()))% of the stroke period at limits.rate_max_hz \(limits.rateMax.plain) (at most \(Int(Self.maximumStrokeDuty * 100))%, so the coil has as long to return as it is driven)",
                       fix: "Use at most \(widest) µs, or lower rate_max_hz")
        }
        let span = limits.depthMax - limits.depthMin
        let needed = span + homeOffset
        if homeTravel < needed {
            r.reportAt("direct_drive.home_travel_mm", value: ConfigValue.render(homeTravel.millimetres),
                       "cannot reach the home switch from the far end of the depth range (\(ConfigValue.render(span.millimetres)) mm travel + \(ConfigValue.render(homeOffset.millimetres)) mm back-off = \(ConfigValue.render(needed.millimetres)) mm)",
                       fix: "Use at least \(ConfigValue.render(needed.millimetres)) mm")
        }
    }
}
