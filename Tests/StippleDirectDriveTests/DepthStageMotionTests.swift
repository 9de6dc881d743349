import Testing
import StippleDirectDrive

@Suite("Depth stage motion")
struct DepthStageMotionTests {
    static let ms: UInt64 = 1_000_000

    static func motion() -> DepthStageMotion {
        // direct-d1: 400 steps/mm, 50 mm/s², 1,000 steps/s.
        var m = DepthStageMotion(accelerationStepsPerSecondSquared: 20_000, maximumStepRateHertz: 1_000, lagBound: 20,
                                 minimumStepIntervalNanoseconds: 800_000)
        m.advance(to: 0)
        return m
    }

    /// One cycle: advance the plan, make the step due.
    static func cycle(_ m: inout DepthStageMotion, at t: UInt64) -> Int {
        m.advance(to: t)
        let d = m.stepDue(now: t)
        if d != 0 { m.didStep(d, at: t) }
        return d
    }

    @Test func aMoveFollowsTheTrapezoidOneStepPerCycleAtMost() {
        var m = Self.motion()
        m.move(to: 800, speed: 1_000)
        var t: UInt64 = 0
        var steps = 0
        var peak = 0.0
        while !m.atRest, t < 2_000 * Self.ms {
            t += Self.ms
            steps += abs(Self.cycle(&m, at: t))
            peak = max(peak, m.velocity)
            #expect(m.planned <= 800)
            #expect(m.owed <= 1)
        }
        #expect(m.emitted == 800 && steps == 800)
        #expect(peak <= 1_000)
        #expect(m.planned == 800, "no overshoot past the target")
        // 50 ms up, 750 ms at 1,000 steps/s, 50 ms down (the tail stops at once below 250 steps/s).
        #expect((840 * Self.ms...851 * Self.ms).contains(t), "took \(t / Self.ms) ms")
    }

    @Test func aSlowerSlewIsKept() {
        var m = Self.motion()
        m.move(to: 400, speed: 400)
        var t: UInt64 = 0
        while !m.atRest, t < 3_000 * Self.ms {
            t += Self.ms
            _ = Self.cycle(&m, at: t)
            #expect(m.velocity <= 400)
        }
        #expect(m.emitted == 400)
        #expect(t >= 1_000 * Self.ms)
    }

    @Test func aLateCycleOwesStepsThatAreRepaidWhenThePlanSlows() {
        var m = Self.motion()
        m.move(to: 800, speed: 1_000)
        var t: UInt64 = 0
        for _ in 0..<300 { t += Self.ms; _ = Self.cycle(&m, at: t) }
        t += 4 * Self.ms  // three cycles missed
        #expect(abs(Self.cycle(&m, at: t)) == 1, "still only one step in the late cycle")
        #expect(m.owed == 3)
        for _ in 0..<300 { t += Self.ms; _ = Self.cycle(&m, at: t) }
        #expect(m.owed == 3, "at full speed nothing is repaid")
        while !m.atRest, t < 2_000 * Self.ms { t += Self.ms; _ = Self.cycle(&m, at: t) }
        #expect(m.emitted == 800 && m.owed == 0)
    }

    @Test func anEarlyCycleHoldsTheStepBackButOrdinaryJitterDoesNot() {
        var m = Self.motion()
        m.move(to: 10, speed: 1_000)
        m.advance(to: 100 * Self.ms)  // the plan is at the target: ten steps owed
        #expect(Self.cycle(&m, at: 100 * Self.ms) == 1)
        #expect(Self.cycle(&m, at: 100 * Self.ms + 700_000) == 0, "0.7 ms: too soon")
        #expect(Self.cycle(&m, at: 100 * Self.ms + 900_000) == 1, "0.9 ms: a jittered cycle steps")
    }

    @Test func haltAndRebaseKeepPlanAndStageTogether() {
        var m = Self.motion()
        m.move(to: -100, speed: 500)
        var t: UInt64 = 0
        for _ in 0..<100 { t += Self.ms; _ = Self.cycle(&m, at: t) }
        m.halt()
        #expect(m.owed == 0 && m.velocity == 0 && m.target == m.emitted)
        let at = m.emitted
        m.rebase(emittedIs: 0)
        #expect(m.emitted == 0 && m.target == 0 && m.planned == 0)
        #expect(at < 0)
    }
}
