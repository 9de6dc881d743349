import Testing
import StippleDirectDrive

@Suite("Stroke pulse train")
struct StrokePulseTrainTests {
    static let ms: UInt64 = 1_000_000
    static let second: UInt64 = 1_000_000_000

    /// Fires every edge at its planned instant up to `end`; returns the rising instants.
    static func play(_ train: inout StrokePulseTrain, until end: UInt64) -> [UInt64] {
        var rises: [UInt64] = []
        while let t = train.nextEdge(before: end) {
            if let e = train.fire(actual: t), e.edge == .rise { rises.append(t) }
        }
        return rises
    }

    @Test(arguments: [50, 100, 150])
    func risesOverOneSecondAreWithinOnePercentOfTheRate(hertz: Int) {
        var train = StrokePulseTrain(pulseWidthMicroseconds: 2_000, startRateMillihertz: 50_000,
                                     setpointMillihertz: hertz * 1000, rampMilliseconds: 50)
        let t0: UInt64 = 5 * Self.second
        train.start(now: t0)
        _ = Self.play(&train, until: t0 + 200 * Self.ms)
        let rises = Self.play(&train, until: t0 + 1_200 * Self.ms)
        #expect(abs(Double(rises.count - hertz)) <= Double(hertz) * 0.01)
        #expect(train.skippedStrokes == 0)
    }

    @Test func startBeginsAtRateMinAndRampsLinearlyToTheSetPoint() {
        var train = StrokePulseTrain(pulseWidthMicroseconds: 2_000, startRateMillihertz: 50_000,
                                     setpointMillihertz: 150_000, rampMilliseconds: 1_000)
        train.start(now: 0)
        #expect(train.rateHertz(at: 0) == 50)
        #expect(abs(train.rateHertz(at: 500 * Self.ms) - 100) < 1e-9)
        #expect(train.rateHertz(at: 2 * Self.second) == 150)
        // Over the 1 s ramp: the mean rate 100 Hz.
        let ramp = Self.play(&train, until: Self.second)
        #expect(abs(ramp.count - 100) <= 1, "\(ramp.count) strokes during the ramp")
        let after = Self.play(&train, until: 2 * Self.second)
        #expect(abs(after.count - 150) <= 1)
        // A set-point below rate_min starts at the set-point itself.
        var slow = StrokePulseTrain(pulseWidthMicroseconds: 2_000, startRateMillihertz: 50_000,
                                    setpointMillihertz: 30_000, rampMilliseconds: 500)
        slow.start(now: 0)
        #expect(slow.rateHertz(at: 0) == 30)
    }

    @Test func setRateRampsFromTheCurrentRateAndHoldsWithinOnePercentAfter() {
        var train = StrokePulseTrain(pulseWidthMicroseconds: 2_000, startRateMillihertz: 50_000,
                                     setpointMillihertz: 100_000, rampMilliseconds: 0)
        train.start(now: 0)
        _ = Self.play(&train, until: Self.second)
        train.setRate(millihertz: 150_000, rampMilliseconds: 500, now: Self.second)
        #expect(train.rateHertz(at: Self.second) == 100)
        #expect(abs(train.rateHertz(at: Self.second + 250 * Self.ms) - 125) < 1e-9)
        let ramp = Self.play(&train, until: Self.second + 500 * Self.ms)
        #expect(abs(Double(ramp.count) - 62.5) <= 1.5)
        let after = Self.play(&train, until: 2_500 * Self.ms)
        #expect(abs(after.count - 150) <= 1)
    }

    @Test func lateEdgesDoNotShiftTheScheduleAndNeverBurst() {
        var train = StrokePulseTrain(pulseWidthMicroseconds: 2_000, startRateMillihertz: 100_000)
        train.start(now: 0)
        var rises: [UInt64] = []
        var planned: [UInt64] = []
        var t: UInt64 = 0
        // Every edge 300 µs late, and one stall of 25 ms: the stroke grid stays at 10 ms.
        while t < Self.second {
            guard let due = train.nextEdge(before: Self.second) else { break }
            let actual = due == 500 * Self.ms ? due + 25 * Self.ms : due + 300_000
            t = actual
            if let e = train.fire(actual: actual), e.edge == .rise {
                rises.append(actual)
                planned.append(e.planned)
            }
        }
        #expect(planned.allSatisfy { $0 % (10 * Self.ms) == 0 }, "rises stay on the 10 ms grid")
        let gaps = zip(rises.dropFirst(), rises).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 4 * Self.ms }, "never back to back: at least a pulse width low after each pulse")
        #expect(train.skippedStrokes == 2, "the 25 ms stall skipped two slots")
        #expect(rises.count + train.skippedStrokes == 100)
    }

    @Test func stopPlansNoRiseButAPulseAlreadyHighStillFallsAtItsInstant() {
        var train = StrokePulseTrain(pulseWidthMicroseconds: 2_000, startRateMillihertz: 100_000)
        train.start(now: 0)
        #expect(train.fire(actual: 0)?.edge == .rise)
        train.stop()
        #expect(train.isHigh)
        #expect(train.nextEdge(before: Self.second) == 2 * Self.ms)
        #expect(train.fire(actual: 2 * Self.ms)?.edge == .fall)
        #expect(train.nextEdge(before: 10 * Self.second) == nil)
        // stopNow cuts a pulse short (e-stop).
        train.start(now: 20 * Self.ms)
        #expect(train.fire(actual: 20 * Self.ms)?.edge == .rise)
        train.stopNow(now: 20_500_000)
        #expect(train.nextEdge(before: Self.second) == 20_500_000)
        #expect(train.fire(actual: 20_500_000)?.edge == .fall)
        #expect(!train.isHigh && !train.isRunning)
    }
}
