import Testing
import StippleHardware
import StippleSimulator

@Suite struct VirtualClockTests {
    @Test func timeMovesOnlyWhenAdvanced() {
        let clock = VirtualClock(start: MonotonicInstant(nanoseconds: 5))
        #expect(clock.now().nanoseconds == 5)
        #expect(clock.now().nanoseconds == 5)
        clock.advance(byNanoseconds: 1_000_000)
        #expect(clock.now().nanoseconds == 1_000_005)
    }

    @Test func systemClockIsMonotonic() {
        let c = SystemMonotonicClock()
        let a = c.now(), b = c.now()
        #expect(b >= a)
    }
}
