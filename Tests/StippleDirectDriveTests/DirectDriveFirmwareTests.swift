import Testing
import StippleSafetyEvidence
import StippleDirectDrive
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The firmware end to end on the simulated direct-drive hardware; every assertion about what
/// happened to the needle or the stage is read from the hardware's counters, not the firmware's.
@Suite("Direct-drive firmware")
struct DirectDriveFirmwareTests {
    static let ms = DirectDriveRig.ms

    // MARK: Connecting

    @Test(.timeLimit(.minutes(1)))
    func identifyGivesAStableSerialAndNanosecondTicksAndSetConfigIsEchoed() throws {
        let rig = try DirectDriveRig()
        let reply = try #require(rig.connect())
        let identity = try Handshake.check(reply, nonce: 0x5EED).get()
        #expect(identity.tickHertz == 1_000_000_000)
        #expect(identity.serial == DirectDriveFirmware.serial(for: rig.spec))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "direct-drive:direct-d1:gpiochip0".utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        #expect(identity.serial == hash)
        #expect(rig.configs.last == rig.deviceConfig)
        #expect(rig.firmware.status.identified)
    }

    @Test func onlyADirectDriveMachineWithItsLinesGetsAFirmware() throws {
        let catalog = HardwareCatalog(layers: [.embedded])
        let usb = try catalog.machine(named: "rotary-r1").spec
        let chip = SimulatedGPIOChip(machine: usb, clock: VirtualClock())
        #expect(throws: DirectDriveError.notDirectDrive(machine: "rotary-r1", drive: .usb)) {
            try DirectDriveFirmware(machine: usb, gpio: chip, serial: 1, now: 0)
        }
        var gpio = try catalog.machine(named: "direct-d1").spec
        gpio.gpio.lines[.depthHome] = nil
        #expect(throws: DirectDriveError.lineMissing(machine: "direct-d1", role: .depthHome)) {
            try DirectDriveFirmware(machine: gpio, gpio: chip, serial: 1, now: 0)
        }
        let text = "\(DirectDriveError.notDirectDrive(machine: "rotary-r1", drive: .usb))"
        #expect(text.hasPrefix("error: direct-drive firmware (machine rotary-r1): "))
        #expect(text.contains("drive = \"usb\""))
    }

    // MARK: Homing

    @Test(.timeLimit(.minutes(1)))
    func armHomesToTheSwitchAndCallsTheOffsetAwayFromItZero() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        let start = rig.hardware.status.positionSteps
        #expect(start == 400, "the simulated stage starts 1 mm below the switch")
        #expect(rig.command(.arm)?.status == 0)
        rig.run(milliseconds: 20)
        #expect(rig.firmware.status.homing)
        #expect(rig.telemetry.last.map { $0.stateFlags & (1 << 8) != 0 } == true, "telemetry flags homing")
        var took = 0
        #expect(rig.run(milliseconds: 5_000) { took += 1; return rig.firmware.status.homed })
        let offset = Int((rig.parameters.homeOffset.millimetres * rig.parameters.stepsPerMillimetre).rounded())
        let hw = rig.hardware.status
        #expect(hw.positionSteps == offset, "zero is home_offset (80 steps) below the trip point")
        #expect(hw.lostSteps == 0)
        #expect(hw.counters.steps == start + offset)
        #expect(rig.firmware.status.positionSteps == 0)
        // 400 steps up and 80 back at 500 steps/s is just under a second, with the ramps.
        #expect(took < 1_100, "homing took \(took) ms")
        rig.run(milliseconds: 10)
        let flags = try #require(rig.telemetry.last).stateFlags
        #expect(flags & (1 << 8) == 0 && flags & 1 != 0, "armed, homing done")
        #expect(rig.telemetry.last?.depthMicrometres == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aStageThatStartsOnTheSwitchLeavesItFirstAndFindsTheSameZero() throws {
        let rig = try DirectDriveRig(tolerances: SimulatedDirectDriveTolerances(startMillimetresFromHome: -0.5))
        _ = rig.connect()
        #expect(rig.hardware.status.homeSwitchActive)
        #expect(rig.armAndHome() != nil)
        let hw = rig.hardware.status
        #expect(hw.positionSteps == 80)
        #expect(hw.lostSteps == 0)
        #expect(rig.faults.isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func armAfterAFaultHomesAgain() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        #expect(rig.command(.setDepth(depthMicrometres: 1_000, slewMicrometresPerSecond: 0))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 200)  // part-way down
        #expect(rig.command(.estop)?.status == 0)
        #expect(!rig.firmware.status.homed)
        #expect(rig.command(.arm)?.status == 3)
        #expect(rig.command(.resetFault(code: 2))?.status == 0)
        let steps = rig.hardware.status.counters.steps
        #expect(rig.armAndHome() != nil)
        #expect(rig.hardware.status.counters.steps > steps, "homed again, not trusted")
        #expect(rig.hardware.status.positionSteps == 80)
        #expect(rig.hardware.status.lostSteps == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func startAndSetDepthAreRefusedWhileHomingAndRetractIsANoOp() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.command(.arm)?.status == 0)
        #expect(rig.firmware.status.homing)
        #expect(rig.command(.start)?.status == 1)
        #expect(rig.command(.setDepth(depthMicrometres: 500, slewMicrometresPerSecond: 0))?.status == 1)
        #expect(rig.command(.retract)?.status == 0)
        #expect(rig.run(milliseconds: 5_000) { rig.firmware.status.homed })
        #expect(rig.command(.setDepth(depthMicrometres: 500, slewMicrometresPerSecond: 0))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        #expect(rig.hardware.status.lostSteps == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aBrokenHomeSwitchLatchesHomeNotFoundAfterExactlyTheHomingTravel() throws {
        let rig = try DirectDriveRig(tolerances: SimulatedDirectDriveTolerances(homeSwitchWorks: false))
        _ = rig.connect()
        #expect(rig.command(.arm)?.status == 0)
        #expect(rig.run(milliseconds: 5_000) { !rig.faults.isEmpty })
        let travel = Int((rig.parameters.homeTravel.millimetres * rig.parameters.stepsPerMillimetre).rounded())
        #expect(rig.faults.first?.code == 10)
        #expect(rig.faults.first?.detail == Int32(travel))
        rig.run(milliseconds: 100)
        let hw = rig.hardware.status
        #expect(hw.counters.steps == travel, "3.5 mm of steps, not one more")
        SafetyEvidence.record(hazard: "home-switch", what: "stage travelled looking for home", measured: Double(hw.counters.steps) / rig.parameters.stepsPerMillimetre, bound: rig.parameters.homeTravel.millimetres + 0.01, unit: "mm")
        #expect(hw.positionSteps == 400 - travel)
        #expect(hw.lostSteps == 0)
        #expect(rig.chip.output(.depthEnable) == false)
        #expect(hw.watchdogTripped, "the pump stopped at the latch")
        let s = rig.firmware.status
        #expect(!s.armed && !s.homing && !s.homed && !s.chargePumpRunning)
        #expect(rig.command(.arm)?.status == 3)
    }

    // MARK: Strokes

    @Test(.timeLimit(.minutes(1)), arguments: [50, 100, 150])
    func strokesOverOneSecondAreWithinOnePercentOfTheRate(hertz: Int) throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.write(.motorEnable, active: true)
        #expect(rig.command(.setStrokeRate(rateMillihertz: UInt32(hertz * 1000), rampMilliseconds: 50))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 200)
        let before = rig.hardware.status.strokes
        rig.run(milliseconds: 1_000)
        let hw = rig.hardware.status
        let made = hw.strokes - before
        #expect(abs(Double(made - hertz)) <= Double(hertz) * 0.01, "\(made) strokes in 1 s at \(hertz) Hz")
        #expect(hw.counters.strokePulseFaults == 0)
        #expect(hw.counters.blockedStrokes == 0)
        let reported = Double(rig.telemetry.last?.rateMillihertz ?? 0) / 1000
        #expect(abs(reported - Double(hertz)) <= Double(hertz) * 0.01, "telemetry says \(reported) Hz")
        // Telemetry is at most one 2 ms sample behind the last stroke.
        let counted = Int(rig.telemetry.last?.strokeCount ?? 0)
        #expect(hw.strokes - counted <= 1 && hw.strokes >= counted, "telemetry counted \(counted) of \(hw.strokes)")
        #expect(rig.firmware.status.lateStrokeEdges == 0)
        #expect(rig.firmware.edgeLog.lateness().maxNanoseconds == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aRampMovesTheRateLinearlyAndTheNewRateHoldsWithinOnePercent() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.write(.motorEnable, active: true)
        #expect(rig.command(.setStrokeRate(rateMillihertz: 100_000, rampMilliseconds: 50))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 300)
        let atRampStart = rig.hardware.status.strokes
        #expect(rig.command(.setStrokeRate(rateMillihertz: 150_000, rampMilliseconds: 500))?.status == 0)
        let sent = rig.now
        rig.run(milliseconds: 500 - Int((rig.now - sent) / Self.ms))
        // The mean of a linear 100 -> 150 Hz ramp over 0.5 s is 62.5 strokes (give or take the
        // cycles the command took to arrive).
        let duringRamp = rig.hardware.status.strokes - atRampStart
        #expect((60...66).contains(duringRamp), "\(duringRamp) strokes during the ramp")
        rig.run(milliseconds: 100)
        let before = rig.hardware.status.strokes
        rig.run(milliseconds: 1_000)
        let made = rig.hardware.status.strokes - before
        #expect(abs(Double(made) - 150) <= 1.5, "\(made) strokes in 1 s after the ramp")
        #expect(rig.hardware.status.counters.strokePulseFaults == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func stopLetsAPulseFinishAndLeavesNoPulseHigh() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.write(.motorEnable, active: true)
        #expect(rig.command(.setStrokeRate(rateMillihertz: 150_000, rampMilliseconds: 50))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 300)
        // Cycle until the pulse is high at a cycle's end, then stop in the next cycle.
        #expect(rig.run(milliseconds: 20) { rig.chip.output(.strokePulse) })
        rig.send(.stop)
        rig.cycle()
        rig.run(milliseconds: 5)
        #expect(rig.chip.output(.strokePulse) == false)
        let strokes = rig.hardware.status.strokes
        rig.run(milliseconds: 200)
        let hw = rig.hardware.status
        #expect(hw.strokes == strokes, "no stroke after stop")
        #expect(hw.counters.strokePulseFaults == 0, "the last pulse kept its full width")
        #expect(rig.chip.output(.strokePulse) == false)
        #expect(rig.telemetry.last?.rateMillihertz == 0)
    }

    /// The run or console ends mid-pass: every output goes to its safe level in that instant,
    /// without waiting for the process to exit or the watchdog to notice.
    @Test(.timeLimit(.minutes(1)))
    func shutDownPutsEveryOutputInItsSafeLevelAtOnce() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.write(.motorEnable, active: true)
        #expect(rig.command(.setStrokeRate(rateMillihertz: 150_000, rampMilliseconds: 50))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 300)
        #expect(rig.run(milliseconds: 20) { rig.chip.output(.strokePulse) }, "caught with a pulse high")
        #expect(rig.chip.output(.depthEnable))
        let pumpEdges = rig.hardware.status.counters.chargePumpEdges
        rig.firmware.shutDown(now: rig.now)
        #expect(!rig.chip.output(.strokePulse), "the pulse under way fell")
        #expect(!rig.chip.output(.depthEnable), "the stage driver is disabled")
        #expect(rig.firmware.nextEdge(before: .max) == nil, "no edge planned any more")
        #expect(rig.hardware.status.counters.chargePumpEdges == pumpEdges)
        #expect(!rig.firmware.status.running && !rig.firmware.status.armed && !rig.firmware.status.chargePumpRunning)
    }

    // MARK: The depth stage

    @Test(.timeLimit(.minutes(1)))
    func aTwoMillimetreMoveReachesItsTargetInTheTrapezoidsTimeWithEveryStepTaken() throws {
        // At the stepper's full rate (a slew of max_step_rate / steps_per_mm): one step every
        // cycle while cruising, so owed steps wait for the slow-down (direct-d1 ships 20% under).
        let rig = try DirectDriveRig(configure: { $0.limits.depthSlewMillimetresPerSecond = 2.5 })
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        let zero = rig.hardware.status.positionSteps
        let stepsBefore = rig.hardware.status.counters.steps
        #expect(rig.command(.setDepth(depthMicrometres: 2_000, slewMicrometresPerSecond: 0))?.status == 0)
        let sent = rig.now
        #expect(rig.command(.start)?.status == 0)
        let target = zero + 2 * rig.stepsPerMillimetre
        #expect(rig.run(milliseconds: 2_000) { rig.hardware.status.positionSteps == target })
        // 800 steps at 1,000 steps/s with 20,000 steps/s²: 50 ms up, 750 ms cruise, 50 ms down,
        // from the cycle the start arrives in (the cycle it was sent in). The last step is made
        // when the plan passes its half step, sqrt(1 / 20,000) s = 7 ms before the plan ends.
        let took = Int((rig.now - sent) / Self.ms)
        #expect((840...851).contains(took), "the move took \(took) ms")
        rig.run(milliseconds: 50)
        let hw = rig.hardware.status
        #expect(hw.positionSteps == target, "no overshoot")
        #expect(hw.counters.steps - stepsBefore == 800)
        #expect(hw.lostSteps == 0)
        #expect(rig.telemetry.last?.depthMicrometres == 2_000)
        #expect(rig.command(.retract)?.status == 0)
        #expect(rig.run(milliseconds: 2_000) { rig.hardware.status.positionSteps == zero })
        #expect(rig.hardware.status.lostSteps == 0)
        #expect(rig.firmware.status.stepsOwed == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aLateCycleOwesStepsAndRepaysThemWithoutLosingOne() throws {
        // At the stepper's full rate (a slew of max_step_rate / steps_per_mm): one step every
        // cycle while cruising, so owed steps wait for the slow-down (direct-d1 ships 20% under).
        let rig = try DirectDriveRig(configure: { $0.limits.depthSlewMillimetresPerSecond = 2.5 })
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        let zero = rig.hardware.status.positionSteps
        #expect(rig.command(.setDepth(depthMicrometres: 2_000, slewMicrometresPerSecond: 0))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 300)  // cruising at one step per cycle
        rig.hang(milliseconds: 3)
        rig.cycle()
        #expect(rig.firmware.status.stepsOwed == 3)
        let target = zero + 2 * rig.stepsPerMillimetre
        #expect(rig.run(milliseconds: 2_000) { rig.hardware.status.positionSteps == target })
        rig.run(milliseconds: 50)
        let hw = rig.hardware.status
        #expect(hw.positionSteps == target)
        #expect(hw.lostSteps == 0)
        #expect(rig.firmware.status.stepsOwed == 0)
        #expect(rig.faults.isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func aLoopThatKeepsFallingBehindLatchesStageLagBeforeItOwesMoreThanTheBound() throws {
        // At the stepper's full rate (a slew of max_step_rate / steps_per_mm): one step every
        // cycle while cruising, so owed steps wait for the slow-down (direct-d1 ships 20% under).
        let rig = try DirectDriveRig(configure: { $0.limits.depthSlewMillimetresPerSecond = 2.5 })
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        #expect(rig.firmware.lagBoundSteps == 20, "0.05 mm calibration tolerance at 400 steps/mm")
        #expect(rig.command(.setDepth(depthMicrometres: 2_500, slewMicrometresPerSecond: 0))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 100)
        for _ in 0..<10 where rig.faults.isEmpty {
            rig.hang(milliseconds: 3)
            rig.run(milliseconds: 20)
        }
        #expect(rig.faults.first?.code == 11)
        #expect(rig.faults.first?.detail == 21)
        SafetyEvidence.record(hazard: "stage-lost-steps", what: "steps owed at the stage-lag latch", measured: Double(rig.faults.first?.detail ?? 1_000_000), bound: Double(rig.firmware.lagBoundSteps + 1), unit: "steps")
        let hw = rig.hardware.status
        #expect(hw.lostSteps == 0, "held back, never skipped, never sent too fast")
        #expect(rig.chip.output(.depthEnable) == false)
        let steps = hw.counters.steps
        rig.run(milliseconds: 100)
        #expect(rig.hardware.status.counters.steps == steps, "no step after the latch")
    }

    /// direct-d1 cruises 20% under its stepper's rate: the same repeated stalls that latch
    /// stage-lag at full rate are repaid while the stage moves, and every step arrives.
    @Test(.timeLimit(.minutes(1)))
    func withHeadroomUnderTheStepRateRepeatedStallsAreRepaidWhileCruising() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        let zero = rig.hardware.status.positionSteps
        #expect(rig.command(.setDepth(depthMicrometres: 2_500, slewMicrometresPerSecond: 0))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 100)
        var worstOwed = 0
        for _ in 0..<10 {
            rig.hang(milliseconds: 3)
            rig.cycle()
            worstOwed = max(worstOwed, rig.firmware.status.stepsOwed)
            rig.run(milliseconds: 20)
            #expect(rig.firmware.status.stepsOwed == 0, "repaid within 20 ms of cruising")
        }
        #expect(worstOwed >= 2, "the stalls did leave steps owed (\(worstOwed))")
        let target = zero + Int(2.5 * Double(rig.stepsPerMillimetre))
        #expect(rig.run(milliseconds: 2_000) { rig.hardware.status.positionSteps == target })
        #expect(rig.faults.isEmpty)
        #expect(rig.hardware.status.lostSteps == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func setDepthBeyondTheFittedCartridgeOrTheLimitsIsRefusedWithTheLimit() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        rig.firmware.fitCartridge(maxDepth: Depth(micrometres: 1_500))
        let refused = try #require(rig.command(.setDepth(depthMicrometres: 2_000, slewMicrometresPerSecond: 0)))
        #expect(refused.status == 2 && refused.detail == 1_500)
        #expect(rig.command(.setDepth(depthMicrometres: 1_500, slewMicrometresPerSecond: 0))?.status == 0)
        let beyond = try #require(rig.command(.setDepth(depthMicrometres: 2_600, slewMicrometresPerSecond: 0)))
        #expect(beyond.status == 2 && beyond.detail == 2_500)
        rig.firmware.fitCartridge(maxDepth: nil)
        #expect(rig.command(.setDepth(depthMicrometres: 2_000, slewMicrometresPerSecond: 0))?.status == 0)
        #expect(rig.faults.isEmpty)
    }

    // MARK: Watchdog, e-stop, deadline

    @Test(.timeLimit(.minutes(1)))
    func aLoopHangLongerThanThePumpTimeoutTripsTheWatchdogAndLatchesLoopStalled() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.write(.motorEnable, active: true)
        #expect(rig.command(.setStrokeRate(rateMillihertz: 100_000, rampMilliseconds: 50))?.status == 0)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 300)
        #expect(rig.hardware.status.watchdogTripped == false)
        let strokes = rig.hardware.status.strokes
        rig.hang(milliseconds: 30)
        #expect(rig.hardware.status.watchdogTripped, "the hardware dropped the drivers on its own")
        rig.cycle()
        #expect(rig.firmware.status.latchedFaults == [12])
        rig.run(milliseconds: 10)
        #expect(rig.faults.first?.code == 12)
        #expect((rig.faults.first?.detail ?? 0) >= 30, "silent ms reported")
        rig.run(milliseconds: 200)
        let hw = rig.hardware.status
        #expect(hw.strokes <= strokes + 1, "no stroke after the hang")
        #expect(hw.counters.watchdogTrips == 1)
        #expect(rig.chip.output(.strokePulse) == false)
        #expect(!rig.firmware.status.armed)
        // Recovery: reset, the pump restarts and re-enables the drivers, arm homes again.
        #expect(rig.command(.resetFault(code: 12))?.status == 0)
        #expect(rig.armAndHome() != nil)
        #expect(rig.hardware.status.watchdogTripped == false)
        #expect(rig.command(.start)?.status == 0)
        let resumed = rig.hardware.status.strokes
        rig.run(milliseconds: 500)
        #expect(rig.hardware.status.strokes > resumed + 40)
        #expect(rig.hardware.status.lostSteps == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func theEstopInputStopsEverythingAndTheWatchdogDropsTheDriversWithinItsTimeout() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.write(.motorEnable, active: true)
        #expect(rig.command(.start)?.status == 0)
        rig.run(milliseconds: 200)
        try rig.chip.setInput(.estop, active: true)
        let hit = rig.now
        rig.cycle()
        #expect(rig.firmware.status.latchedFaults == [2])
        #expect(rig.chip.output(.strokePulse) == false, "an active pulse falls at once")
        #expect(rig.chip.output(.depthEnable) == false)
        let pumpEdges = rig.hardware.status.counters.chargePumpEdges
        let timeout = rig.parameters.chargePumpTimeoutMilliseconds
        var tripped = 0
        #expect(rig.run(milliseconds: timeout + 2) { tripped += 1; return rig.hardware.status.watchdogTripped })
        #expect(rig.now - hit <= UInt64(timeout + 2) * Self.ms)
        rig.run(milliseconds: 100)
        #expect(rig.hardware.status.counters.chargePumpEdges == pumpEdges, "the pump stopped")
        #expect(rig.faults.first?.code == 2)
        #expect(rig.telemetry.last.map { $0.stateFlags & (1 << 3) != 0 } == true)
        // Reset refused while the e-stop is still pressed, accepted once released.
        #expect(rig.command(.resetFault(code: 2))?.status == 1)
        try rig.chip.setInput(.estop, active: false)
        #expect(rig.command(.resetFault(code: 2))?.status == 0)
        rig.run(milliseconds: 20)
        #expect(rig.hardware.status.watchdogTripped == false, "the pump runs again")
    }

    @Test(.timeLimit(.minutes(1)))
    func heartbeatSilenceWhileArmedLatchesHeartbeatTimeout() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        rig.heartbeats = false
        #expect(rig.run(milliseconds: 100) { !rig.faults.isEmpty })
        #expect(rig.faults.first?.code == 1)
        #expect(rig.command(.resetFault(code: 1))?.status == 1, "no fresh heartbeat yet")
        rig.heartbeats = true
        rig.run(milliseconds: 10)
        #expect(rig.command(.resetFault(code: 1))?.status == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func pullingTheCartridgeWhileArmedLatchesAndDisarms() throws {
        let rig = try DirectDriveRig()
        _ = rig.connect()
        #expect(rig.armAndHome() != nil)
        try rig.chip.setInput(.cartridgePresent, active: false)
        rig.run(milliseconds: 5)
        #expect(rig.faults.first?.code == 6)
        #expect(!rig.firmware.status.armed)
        #expect(rig.command(.resetFault(code: 6))?.status == 1)
        try rig.chip.setInput(.cartridgePresent, active: true)
        #expect(rig.command(.resetFault(code: 6))?.status == 0)
    }
}
