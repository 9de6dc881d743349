import Testing
import StippleHardware
import StippleModel
import StippleSimulator

@Suite("Simulated direct-drive machine")
struct SimulatedDirectDriveMachineTests {
    static let ms = DirectDriveTimeline.ms
    static let us = DirectDriveTimeline.us

    struct Bench {
        let clock = VirtualClock()
        let chip: SimulatedGPIOChip
        let machine: SimulatedDirectDriveMachine
        var plan = DirectDriveTimeline()

        init(tolerances: SimulatedDirectDriveTolerances = .standard) throws {
            let spec = try HardwareCatalog(layers: [.embedded]).machine(named: "direct-d1").spec
            chip = SimulatedGPIOChip(machine: spec, clock: clock)
            machine = try SimulatedDirectDriveMachine(chip: chip, clock: clock, tolerances: tolerances)
        }

        mutating func play(until t: UInt64) throws { try plan.play(until: t, chip: chip, clock: clock) }
        var status: SimulatedDirectDriveStatus { machine.status }
    }

    @Test func pulsesAt100HertzMake100StrokesASecondWithinOnePercent() throws {
        var b = try Bench()
        b.plan.set(.motorEnable, true, at: 0)
        b.plan.chargePump(from: 0, to: 3_000 * Self.ms)
        // Configured 2 ms pulses, one every 10 ms for two seconds, starting once the pump runs.
        b.plan.pulses(.strokePulse, count: 200, from: 10 * Self.ms, every: 10 * Self.ms, width: 2 * Self.ms)
        try b.play(until: 1_505 * Self.ms)
        let mid = b.status
        #expect(abs(mid.strokeRateHertz - 100) <= 1, "rate \(mid.strokeRateHertz) Hz")
        #expect(mid.strokes == 150)
        try b.play(until: 2_500 * Self.ms)
        let done = b.status
        #expect(done.strokes == 200)
        #expect(done.counters.strokePulseFaults == 0 && done.counters.blockedStrokes == 0)
        // The rate is over the last second only: half a second after the last pulse it has halved.
        #expect(abs(done.strokeRateHertz - 50) <= 1, "rate \(done.strokeRateHertz) Hz")
        try b.play(until: 3_001 * Self.ms)
        #expect(b.status.strokeRateHertz == 0)
        #expect(b.status.watchdogTripped == false)
    }

    @Test func strokePulsesOutsideTheWidthToleranceAreFaultsAndTooShortOnesStillCountTheEdge() throws {
        var b = try Bench()
        b.plan.set(.motorEnable, true, at: 0)
        b.plan.chargePump(from: 0, to: 200 * Self.ms)
        b.plan.pulse(.strokePulse, at: 10 * Self.ms, width: 2_100 * Self.us)  // within 10%: fine
        b.plan.pulse(.strokePulse, at: 20 * Self.ms, width: 150 * Self.us)    // below the 200 µs minimum
        b.plan.pulse(.strokePulse, at: 30 * Self.ms, width: 2_300 * Self.us)  // 15% over 2 ms
        b.plan.pulse(.strokePulse, at: 40 * Self.ms, width: 200 * Self.us)    // exactly the minimum: fine
        try b.play(until: 100 * Self.ms)
        let c = b.status.counters
        #expect(c.strokes == 4)
        #expect(c.shortStrokePulses == 1)
        #expect(c.longStrokePulses == 1)
    }

    @Test func noStrokeWithoutMotorEnableOrBeforeTheChargePumpRuns() throws {
        var b = try Bench()
        #expect(b.status.watchdogTripped, "the drivers start disabled until the pump runs")
        b.plan.pulse(.strokePulse, at: 1 * Self.ms, width: 2 * Self.ms)      // no pump, no enable
        b.plan.set(.motorEnable, true, at: 5 * Self.ms)
        b.plan.pulse(.strokePulse, at: 6 * Self.ms, width: 2 * Self.ms)      // no pump yet
        b.plan.set(.chargePump, true, at: 10 * Self.ms)
        b.plan.pulse(.strokePulse, at: 11 * Self.ms, width: 2 * Self.ms)     // one pump edge is not enough
        b.plan.chargePump(from: 12 * Self.ms, to: 100 * Self.ms, startingActive: false)
        b.plan.pulse(.strokePulse, at: 20 * Self.ms, width: 2 * Self.ms)     // enabled and pumping: a stroke
        b.plan.set(.motorEnable, false, at: 30 * Self.ms)
        b.plan.pulse(.strokePulse, at: 40 * Self.ms, width: 2 * Self.ms)     // enable dropped
        try b.play(until: 60 * Self.ms)
        #expect(b.status.counters.strokes == 1)
        #expect(b.status.counters.blockedStrokes == 4)
        #expect(b.status.counters.watchdogTrips == 0, "never enabled before 12 ms, so nothing tripped")
    }

    @Test func stepsMoveTheStageByStepsOverStepsPerMillimetreInTheCommandedDirection() throws {
        var b = try Bench()
        let perMM = b.machine.parameters.stepsPerMillimetre  // 400 on direct-d1
        let start = b.status.positionMillimetres
        #expect(start == 1.0, "starts 1 mm below the home switch")
        b.plan.chargePump(from: 0, to: 2_000 * Self.ms)
        b.plan.set(.depthEnable, true, at: 1 * Self.ms)
        b.plan.set(.depthDirection, true, at: 2 * Self.ms)                   // deeper
        b.plan.pulses(.depthStep, count: 400, from: 5 * Self.ms, every: 1 * Self.ms, width: 10 * Self.us)
        try b.play(until: 500 * Self.ms)
        #expect(b.status.positionSteps == 400 + Int(perMM))
        #expect(abs(b.status.positionMillimetres - (start + 400 / perMM)) < 1e-12)
        b.plan.set(.depthDirection, false, at: 600 * Self.ms)                // shallower
        b.plan.pulses(.depthStep, count: 100, from: 610 * Self.ms, every: 1 * Self.ms, width: 10 * Self.us)
        try b.play(until: 1_000 * Self.ms)
        #expect(abs(b.status.positionMillimetres - (start + 300 / perMM)) < 1e-12)
        #expect(b.status.counters.steps == 500)
        #expect(b.status.lostSteps == 0)
        #expect(b.status.homeSwitchActive == false)
    }

    @Test func theHomeSwitchTripsExactlyAtHomeAndReleasesOneStepAway() throws {
        var b = try Bench()
        let home = b.status.positionSteps  // steps up to the trip point
        #expect(home == 400)
        #expect(try b.chip.read(.depthHome) == false)
        b.plan.chargePump(from: 0, to: 2_000 * Self.ms)
        b.plan.set(.depthEnable, true, at: 1 * Self.ms)
        b.plan.pulses(.depthStep, count: home - 1, from: 5 * Self.ms, every: 1 * Self.ms, width: 10 * Self.us)
        let last = 5 * Self.ms + UInt64(home - 1) * Self.ms
        try b.play(until: last - 1)
        #expect(b.status.positionSteps == 1)
        #expect(try b.chip.read(.depthHome) == false, "one step short of home")
        var edges: [GPIOEdge] = []
        try b.chip.drainEdges(into: &edges)
        #expect(edges.isEmpty)
        b.plan.pulse(.depthStep, at: last, width: 10 * Self.us)
        try b.play(until: last + 1 * Self.ms)
        #expect(b.status.positionSteps == 0)
        #expect(b.status.homeSwitchActive)
        try b.chip.drainEdges(into: &edges)
        #expect(edges == [GPIOEdge(role: .depthHome, active: true, at: MonotonicInstant(nanoseconds: last))],
                "the loop sees the switch at the step that reached it")
        // Past the switch it stays pressed; one step back below it releases.
        b.plan.pulse(.depthStep, at: last + 2 * Self.ms, width: 10 * Self.us)
        b.plan.set(.depthDirection, true, at: last + 3 * Self.ms)
        b.plan.pulses(.depthStep, count: 2, from: last + 4 * Self.ms, every: 1 * Self.ms, width: 10 * Self.us)
        try b.play(until: last + 4 * Self.ms + 100 * Self.us)
        #expect(b.status.positionSteps == 0 && b.status.homeSwitchActive)
        try b.play(until: last + 10 * Self.ms)
        #expect(b.status.positionSteps == 1)
        #expect(try b.chip.read(.depthHome) == false)
    }

    @Test func aBrokenHomeSwitchNeverTriggers() throws {
        var b = try Bench(tolerances: SimulatedDirectDriveTolerances(homeSwitchWorks: false))
        b.plan.chargePump(from: 0, to: 2_000 * Self.ms)
        b.plan.set(.depthEnable, true, at: 1 * Self.ms)
        b.plan.pulses(.depthStep, count: 1_000, from: 5 * Self.ms, every: 1 * Self.ms, width: 10 * Self.us)
        try b.play(until: 1_500 * Self.ms)
        #expect(b.status.positionSteps == -600)
        #expect(try b.chip.read(.depthHome) == false)
    }

    @Test func aHungLoopLetsTheWatchdogDropTheDriversWithinTheTimeoutAndStrokesStop() throws {
        var b = try Bench()
        let timeout = UInt64(b.machine.parameters.chargePumpTimeoutMilliseconds) * Self.ms  // 20 ms
        b.plan.set(.motorEnable, true, at: 0)
        b.plan.set(.depthEnable, true, at: 0)
        // The pump's last edge is at 498 ms; strokes and steps carry on as if the loop still ran.
        b.plan.chargePump(from: 0, to: 500 * Self.ms)
        b.plan.pulses(.strokePulse, count: 100, from: 10 * Self.ms, every: 10 * Self.ms, width: 2 * Self.ms)
        b.plan.pulses(.depthStep, count: 100, from: 400 * Self.ms, every: 5 * Self.ms, width: 10 * Self.us)
        let lastEdge = 498 * Self.ms
        try b.play(until: lastEdge + timeout - 1)
        #expect(b.status.watchdogTripped == false, "not before the timeout")
        let strokesBefore = b.status.strokes
        try b.play(until: lastEdge + timeout)
        #expect(b.status.watchdogTripped, "tripped at the timeout")
        try b.play(until: 1_600 * Self.ms)
        let s = b.status
        #expect(s.counters.watchdogTrips == 1)
        #expect(strokesBefore == 51, "strokes at 10..510 ms, before the 518 ms trip")
        #expect(s.strokes == 51, "no stroke after the trip, though the loop pulsed on to 1 s")
        #expect(s.counters.blockedStrokes == 49)
        #expect(s.strokeRateHertz == 0)
        #expect(s.counters.steps == 24, "steps at 400..515 ms")
        #expect(s.counters.stepsLostWhileDisabled == 76)
    }

    @Test func aPulseHeldHighByAHungLoopIsCutByTheWatchdogAndOnlyAResumedPumpReenables() throws {
        var b = try Bench()
        b.plan.set(.motorEnable, true, at: 0)
        b.plan.chargePump(from: 0, to: 100 * Self.ms)       // last edge at 98 ms
        b.plan.set(.strokePulse, true, at: 97 * Self.ms)    // ...and the loop dies mid-pulse
        try b.play(until: 200 * Self.ms)
        var s = b.status
        #expect(s.watchdogTripped)
        #expect(s.counters.longStrokePulses == 1, "the coil was driven 21 ms, not 2")
        b.plan.set(.strokePulse, false, at: 201 * Self.ms)
        // One stray edge does not re-enable; a running pump does.
        b.plan.set(.chargePump, true, at: 300 * Self.ms)
        b.plan.pulse(.strokePulse, at: 302 * Self.ms, width: 2 * Self.ms)
        b.plan.chargePump(from: 400 * Self.ms, to: 600 * Self.ms)
        b.plan.pulse(.strokePulse, at: 410 * Self.ms, width: 2 * Self.ms)
        try b.play(until: 500 * Self.ms)
        s = b.status
        #expect(s.watchdogTripped == false)
        #expect(s.strokes == 2, "the stroke at 97 ms and the one at 410 ms")
        #expect(s.counters.blockedStrokes == 1)
        #expect(s.counters.longStrokePulses == 1, "the fall at 201 ms belongs to no driven pulse")
    }

    @Test func stepsFasterThanTheMaximumRateOrWhileDisabledAreCountedLost() throws {
        var b = try Bench()
        b.plan.chargePump(from: 0, to: 1_000 * Self.ms)
        b.plan.pulses(.depthStep, count: 10, from: 5 * Self.ms, every: 1 * Self.ms, width: 10 * Self.us)  // disabled
        b.plan.set(.depthEnable, true, at: 20 * Self.ms)
        b.plan.set(.depthDirection, true, at: 20 * Self.ms)
        // 2,000 steps/s against direct-d1's 1,000: every other step falls inside the stepper's limit.
        b.plan.pulses(.depthStep, count: 100, from: 30 * Self.ms, every: 500 * Self.us, width: 10 * Self.us)
        // A late cycle's catch-up: 1.5 ms then 0.5 ms.
        b.plan.pulse(.depthStep, at: 200 * Self.ms, width: 10 * Self.us)
        b.plan.pulse(.depthStep, at: 201_500 * Self.us, width: 10 * Self.us)
        b.plan.pulse(.depthStep, at: 202 * Self.ms, width: 10 * Self.us)
        try b.play(until: 300 * Self.ms)
        let s = b.status
        #expect(s.counters.stepsLostWhileDisabled == 10)
        #expect(s.counters.stepsLostTooFast == 51)
        #expect(s.counters.steps == 52)
        #expect(s.lostSteps == 61)
        #expect(s.positionSteps == 400 + 52)
    }

    @Test func aStepperFollowsAJitteredStepIntervalButNotOneMuchShorterThanItsRate() throws {
        var b = try Bench()
        b.plan.chargePump(from: 0, to: 500 * Self.ms)
        b.plan.set(.depthEnable, true, at: 1 * Self.ms)
        b.plan.set(.depthDirection, true, at: 1 * Self.ms)
        // At direct-d1's 1,000 steps/s: 0.8 ms (an early cycle the loop still steps in) is
        // followed, 0.76 ms just is, 0.74 ms is a quarter too fast and lost.
        b.plan.pulse(.depthStep, at: 10 * Self.ms, width: 10 * Self.us)
        b.plan.pulse(.depthStep, at: 10_800 * Self.us, width: 10 * Self.us)
        b.plan.pulse(.depthStep, at: 11_560 * Self.us, width: 10 * Self.us)
        b.plan.pulse(.depthStep, at: 12_300 * Self.us, width: 10 * Self.us)
        try b.play(until: 20 * Self.ms)
        let s = b.status
        #expect(s.counters.steps == 3)
        #expect(s.counters.stepsLostTooFast == 1)
        #expect(b.machine.tolerances.stepIntervalTolerance == 0.25)
    }

    @Test func onlyADirectDriveMachineWithAllItsLinesCanBeSimulated() throws {
        let catalog = HardwareCatalog(layers: [.embedded])
        let usb = try catalog.machine(named: "rotary-r1").spec
        #expect(throws: SimulatedDirectDriveError.notDirectDrive(machine: "rotary-r1")) {
            try SimulatedDirectDriveMachine(chip: SimulatedGPIOChip(machine: usb, clock: VirtualClock()), clock: VirtualClock())
        }
        var gpio = try catalog.machine(named: "direct-d1").spec
        gpio.gpio.lines[.chargePump] = nil
        #expect(throws: SimulatedDirectDriveError.lineMissing(machine: "direct-d1", role: .chargePump)) {
            try SimulatedDirectDriveMachine(chip: SimulatedGPIOChip(machine: gpio, clock: VirtualClock()), clock: VirtualClock())
        }
        #expect("\(SimulatedDirectDriveError.lineMissing(machine: "direct-d1", role: .chargePump))"
                == "error: simulated direct drive (machine direct-d1, gpio.charge_pump): the line is not wired. Add it to the machine's [gpio] table")
    }
}
