/// The depth stage's motion plan and the steps emitted against it, in motor steps (signed,
/// positive deeper; zero is home zero once homed).
///
/// The plan is a trapezoid (acceleration limited, speed limited) advanced with the real time that
/// passed between control cycles, integrated in sub-steps of at most 1 ms so a late cycle does
/// not change its shape. The emitted position follows it at most one step per cycle: a late
/// cycle leaves steps owed, repaid one per cycle when the plan allows it (deceleration, between
/// moves). Steps are never skipped: owed steps are either made or, past `lagBound`, the caller
/// latches stage-lag.
///
/// Pure arithmetic; the firmware writes the lines and calls `didStep`.
public struct DepthStageMotion: Sendable, Hashable {
    public let accelerationStepsPerSecondSquared: Double
    public let maximumStepRateHertz: Double
    /// Owed steps beyond this latch stage-lag (see `DirectDriveFirmware.lagBoundSteps`).
    public let lagBound: Int
    /// The shortest interval between two steps' actual instants for ordinary moves.
    public let minimumStepIntervalNanoseconds: UInt64

    public private(set) var emitted: Int
    public private(set) var planned: Double
    /// Planned velocity, steps/s, signed.
    public private(set) var velocity = 0.0
    public private(set) var target: Int
    public private(set) var speedLimit: Double
    /// The interval floor of the current move (longer than the ordinary one while homing).
    public private(set) var moveStepIntervalNanoseconds: UInt64
    public private(set) var lastStepAt: UInt64?
    private var lastUpdate: UInt64?

    /// The longest stretch of time integrated in one `advance` (a longer silence is a loop stall,
    /// a fault of its own).
    static let maximumAdvanceNanoseconds: UInt64 = 2_000_000_000
    static let subStepNanoseconds: UInt64 = 1_000_000

    public init(accelerationStepsPerSecondSquared: Double, maximumStepRateHertz: Double, lagBound: Int,
                minimumStepIntervalNanoseconds: UInt64, position: Int = 0) {
        self.accelerationStepsPerSecondSquared = max(accelerationStepsPerSecondSquared, 1)
        self.maximumStepRateHertz = max(maximumStepRateHertz, 1)
        self.lagBound = max(lagBound, 1)
        self.minimumStepIntervalNanoseconds = minimumStepIntervalNanoseconds
        emitted = position
        planned = Double(position)
        target = position
        speedLimit = self.maximumStepRateHertz
        moveStepIntervalNanoseconds = minimumStepIntervalNanoseconds
    }

    /// Steps the emitted position is behind (or ahead of) the plan, rounded to whole steps.
    public var owed: Int { abs(plannedStep - emitted) }
    public var plannedStep: Int { Int(planned.rounded()) }
    /// Plan and stage both at the target, at rest.
    public var atRest: Bool { velocity == 0 && planned == Double(target) && emitted == target }

    /// Moves to `target` at up to `speed` steps/s (capped at the maximum step rate), from the
    /// plan's current position and velocity.
    public mutating func move(to target: Int, speed: Double, minimumStepIntervalNanoseconds: UInt64? = nil) {
        self.target = target
        speedLimit = min(max(speed, 1), maximumStepRateHertz)
        moveStepIntervalNanoseconds = max(minimumStepIntervalNanoseconds ?? 0, self.minimumStepIntervalNanoseconds)
    }

    /// Stops the plan where the stage is, at once (a fault, the home switch found): nothing owed.
    public mutating func halt() {
        planned = Double(emitted)
        velocity = 0
        target = emitted
    }

    /// Calls the current emitted position `position` (home zero found).
    public mutating func rebase(emittedIs position: Int) {
        let shift = position - emitted
        emitted = position
        planned += Double(shift)
        target += shift
    }

    /// Forgets the time base (the stage was idle, disabled or re-armed): the next `advance`
    /// starts the clock rather than integrating the gap.
    public mutating func resetClock() { lastUpdate = nil }

    /// Advances the plan to `now` by the real elapsed time.
    public mutating func advance(to now: UInt64) {
        guard let last = lastUpdate else {
            lastUpdate = now
            return
        }
        lastUpdate = now
        guard now > last else { return }
        var remaining = min(now - last, Self.maximumAdvanceNanoseconds)
        while remaining > 0 {
            let dt = min(remaining, Self.subStepNanoseconds)
            remaining -= dt
            integrate(seconds: Double(dt) / 1e9)
        }
    }

    private mutating func integrate(seconds dt: Double) {
        let goal = Double(target)
        let d = goal - planned
        if d == 0 && velocity == 0 { return }
        let a = accelerationStepsPerSecondSquared
        let direction: Double = d > 0 ? 1 : (d < 0 ? -1 : (velocity > 0 ? -1 : 1))
        // The fastest speed from which the stage can still stop at the goal, capped by the limit.
        let wanted = direction * min(speedLimit, (2 * a * abs(d)).squareRoot())
        let change = wanted - velocity
        let maxChange = a * dt
        velocity += max(-maxChange, min(maxChange, change))
        planned += velocity * dt
        // Reaching or crossing the goal ends the move there when the stage can stop at once: at
        // the tail of a deceleration (integrated in 1 ms steps the plan arrives a little fast, and
        // must not overshoot the depth it was sent to), or below a quarter of the maximum step
        // rate, which a stepper starts and stops from without a ramp. Arriving faster (the goal
        // moved close while fast) overshoots and comes back, as a real stage must.
        let stopAtOnce = max((2 * a * abs(d)).squareRoot() + 2 * maxChange, maximumStepRateHertz / 4)
        if d != 0, (planned - goal) * d >= 0, abs(velocity) <= stopAtOnce {
            planned = goal
            velocity = 0
        }
    }

    /// The step to emit at `now` (+1 deeper, -1 shallower, 0 none): towards the plan, if the
    /// interval since the last step allows.
    public func stepDue(now: UInt64) -> Int {
        let want = plannedStep - emitted
        guard want != 0 else { return 0 }
        if let last = lastStepAt, now < last &+ moveStepIntervalNanoseconds { return 0 }
        return want > 0 ? 1 : -1
    }

    /// Notes a step made at `now` in `direction`.
    public mutating func didStep(_ direction: Int, at now: UInt64) {
        emitted += direction
        lastStepAt = now
    }
}
