import Testing
import StippleSafetyEvidence
import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The scenarios every drive path must pass, one suite for both: a controller board over USB
/// and direct drive over GPIO run the very same control core, and the needle must behave the
/// same way whichever makes the strokes. Observed on the simulated hardware, in virtual time.
@Suite("Scenarios on both drive paths", .timeLimit(.minutes(1)))
struct DriveScenarioTests {
    static let ms = DriveBench.ms

    @Test(arguments: Drive.allCases)
    func rampsReachTheProfilesRateAndDepth(_ drive: Drive) throws {
        let b = try DriveBench(drive)
        try b.armed()
        b.press(.pedal, true)
        // crown-vertex: ramp-in 300 ms; then a full second of steady strokes for the count.
        b.run(for: 1800 * Self.ms)
        #expect(b.session.state.machine == .running)
        #expect(abs(b.hardwareRateHertz - 115) / 115 <= 0.01, "rate \(b.hardwareRateHertz) Hz")
        // 1.0 mm ± 0.08 per dot, plus 3RL-0.25's 0.25 mm membrane: 1.25 mm at the stage.
        #expect(abs(b.stageMicrometres - 1250) <= 80 + 30, "stage at \(b.stageMicrometres) µm")
        #expect(!b.records.contains { $0.kind == .fault }, "no fault: \(b.records.filter { $0.kind == .fault }.map(\.code))")
    }

    @Test(arguments: Drive.allCases)
    func pedalReleaseEndsThePassStopsTheNeedleAndRetracts(_ drive: Drive) throws {
        let b = try DriveBench(drive)
        try b.armed()
        b.press(.pedal, true)
        b.run(for: 1000 * Self.ms)
        let strokesBefore = b.hardwareStrokes
        let depth = b.stageMicrometres
        let releasedAt = b.now
        b.press(.pedal, false)
        let lastStroke = try #require(b.untilStrokesStop(), "strokes stopped")
        // The ramp-out (crown-vertex: 200 ms) slows the needle before the stop, plus one stroke.
        let rampOut = UInt64(b.settings.profile.rampOutMilliseconds) * Self.ms
        #expect(lastStroke - releasedAt <= rampOut + UInt64(1e9 / 50) + b.coast,
                "last stroke \((lastStroke - releasedAt) / 1_000_000) ms after release")
        #expect(b.hardwareStrokes > strokesBefore)
        var retractedAt: UInt64?
        b.run(for: 2000 * Self.ms) { now in
            if retractedAt == nil && b.stageMicrometres <= 3 { retractedAt = now }
            return retractedAt != nil
        }
        let took = try #require(retractedAt, "retracted") - releasedAt
        let slew = b.settings.machine.limits.depthSlewMillimetresPerSecond * 1000
        // The slew time at full speed, plus acceleration's share on a direct-drive stage and a
        // few cycles of link and loop.
        let bound = UInt64(depth / slew * 1e9) + 200 * Self.ms
        #expect(took <= bound, "retracted \(took / 1_000_000) ms after release; bound \(bound / 1_000_000) ms")
        let pass = try #require(b.records.first { $0.kind == .passEnded })
        #expect(pass.summary.stopReason == .pedalReleased)
        #expect(pass.summary.strokes > 50)
    }

    @Test(arguments: Drive.allCases)
    func eStopDropsEnableInTheSameCycleStopsTheNeedleAndLatchesUntilReset(_ drive: Drive) throws {
        let b = try DriveBench(drive)
        try b.armed()
        b.press(.pedal, true)
        b.run(for: 800 * Self.ms)
        let pressedAt = b.now
        b.press(.estop, true)
        b.run(for: 1 * Self.ms)
        let enableOff = b.chip.outputWrites.last { $0.role == .motorEnable && !$0.active }
        #expect(enableOff?.at.nanoseconds == pressedAt, "enable written low in the cycle that saw the edge")
        SafetyEvidence.record(hazard: "estop-pressed", what: "motor enable written low", measured: enableOff.map { Double(Int64($0.at.nanoseconds) - Int64(pressedAt)) / 1e6 } ?? 1e9,
                              bound: 1, unit: "ms")
        let lastStroke = try #require(b.untilStrokesStop(quiet: 30 * Self.ms, limit: 500 * Self.ms))
        // Direct drive: no rising edge after the cycle that saw the press (a pulse under way only
        // falls). A board's rotary motor coasts down over its time constant once disabled.
        #expect(lastStroke <= pressedAt + b.coast, "last stroke \(Double(lastStroke) / 1e6 - Double(pressedAt) / 1e6) ms after the press")
        #expect(b.session.state.machine == .eStopped)
        b.press(.pedal, false)
        b.press(.estop, false)
        b.run(for: 20 * Self.ms)
        #expect(b.session.state.machine == .eStopped, "releasing the button alone does not clear the latch")
        b.requests.append(.reset)
        b.run(for: 50 * Self.ms)
        #expect(b.session.state.machine == .idle)
        // A second pass after the reset: the machine works again.
        try b.armed()
        b.press(.pedal, true)
        b.run(for: 1500 * Self.ms)
        #expect(b.session.state.machine == .running && b.driveEnabled)
    }

    /// The host's loop stops dead mid-pass. On a controller board its firmware's refresh deadline
    /// stops the needle; on direct drive nothing makes pulses any more and the charge-pump
    /// watchdog drops the drivers. Either way the needle is disabled within the machine's bound
    /// without any host software running.
    @Test(arguments: Drive.allCases)
    func aHungLoopDisablesTheNeedleWithinTheMachinesBound(_ drive: Drive) throws {
        let b = try DriveBench(drive)
        try b.armed()
        b.press(.pedal, true)
        b.run(for: 1000 * Self.ms)
        #expect(b.driveEnabled)
        let hungAt = b.now
        b.hostAlive = false
        let bound: UInt64 = switch drive {
        case .usb: UInt64(b.settings.machine.heartbeatDeadlineMilliseconds) * Self.ms
        case .gpio: UInt64(b.settings.machine.directDrive!.chargePumpTimeoutMilliseconds) * Self.ms
        }
        var disabledAt: UInt64?
        b.run(for: 1000 * Self.ms) { now in
            let stopped = drive == .usb ? !(b.board!.status.running) : b.hardware!.status.watchdogTripped
            if disabledAt == nil && stopped { disabledAt = now }
            return disabledAt != nil
        }
        let took = try #require(disabledAt, "the needle was disabled") - hungAt
        #expect(took <= bound + 2 * Self.ms, "disabled \(took / 1_000_000) ms after the hang (bound \(bound / 1_000_000) ms)")
        SafetyEvidence.record(hazard: "host-hang", what: drive == .usb ? "firmware deadline stopped the needle" : "charge-pump watchdog dropped the drivers",
                              measured: Double(took) / 1e6, bound: Double(bound + 2 * Self.ms) / 1e6, unit: "ms")
        if drive == .gpio {
            SafetyEvidence.record(hazard: "solenoid-held-on", what: "charge-pump watchdog dropped the drivers", measured: Double(took) / 1e6,
                                  bound: Double(bound + 2 * Self.ms) / 1e6, unit: "ms")
        }
        b.run(for: b.coast)
        let strokes = b.hardwareStrokes
        b.run(for: 200 * Self.ms)
        #expect(b.hardwareStrokes == strokes, "no stroke while the loop is hung")
        // The loop comes back: the fault is the firmware's own, latched, reported, not resumed.
        b.hostAlive = true
        b.run(for: 200 * Self.ms)
        #expect(b.session.state.machine == .fault)
        let expected: FaultCode = drive == .usb ? .heartbeatTimeout : .loopStalled
        #expect(b.session.state.latchedFault == expected, "latched \(String(describing: b.session.state.latchedFault))")
        #expect(b.hardwareStrokes == strokes, "no stroke after the loop came back")
    }

    /// A set_depth beyond the fitted cartridge's rated depth never reaches the stage, whoever
    /// sends it: the firmware refuses it, and the host faults the pass on the refusal.
    @Test(arguments: Drive.allCases)
    func aSoftLimitViolationIsRefusedAndTheStageStaysInside(_ drive: Drive) throws {
        let b = try DriveBench(drive)
        try b.armed()
        b.press(.pedal, true)
        b.run(for: 800 * Self.ms)
        let limit = min(b.settings.cartridge.maxDepth.micrometres, b.settings.machine.limits.depthMax.micrometres)
        try b.session.link.send(.setDepth(depthMicrometres: UInt32(limit + 200), slewMicrometresPerSecond: 2500))
        var deepest = 0.0
        b.run(for: 500 * Self.ms) { _ in
            deepest = max(deepest, b.stageMicrometres)
            return false
        }
        #expect(deepest <= Double(limit) + 5, "the stage reached \(deepest) µm (limit \(limit) µm)")
        #expect(b.records.contains { $0.kind == .commandRefused && $0.code == UInt16(Message.setDepth(depthMicrometres: 0, slewMicrometresPerSecond: 0).id) })
        #expect(b.session.state.latchedFault == .commandRefused)
    }

    /// Direct drive only (a board's stage has an absolute sensor): a home switch that never
    /// triggers is a fault within the homing travel, and the needle never starts.
    @Test func aHomeSwitchThatNeverTriggersFaultsWithinTheTravel() throws {
        var tolerances = SimulatedDirectDriveTolerances.standard
        tolerances.homeSwitchWorks = false
        let b = try DriveBench(.gpio, tolerances: tolerances)
        b.requests.append(.load(b.settings))
        b.run(for: 30 * Self.ms)
        b.requests.append(.arm(cartridgeCleared: true))
        let start = b.hardware!.status.positionSteps
        b.run(for: 10_000 * Self.ms) { _ in b.session.state.machine == .fault }
        #expect(b.session.state.latchedFault == .homeNotFound)
        let p = b.settings.machine.directDrive!
        let travelled = Double(abs(b.hardware!.status.positionSteps - start)) / p.stepsPerMillimetre
        #expect(travelled <= p.homeTravel.millimetres + 0.01, "travelled \(travelled) mm looking (travel \(p.homeTravel.millimetres) mm)")
        SafetyEvidence.record(hazard: "home-switch", what: "stage travelled looking for home", measured: travelled, bound: p.homeTravel.millimetres + 0.01, unit: "mm")
        b.press(.pedal, true)
        b.run(for: 500 * Self.ms)
        #expect(b.hardwareStrokes == 0, "no stroke on an unhomed stage")
        #expect(!b.driveEnabled)
    }

    @Test(arguments: Drive.allCases)
    func theHardwareMadeEveryStrokeAndStepTheLoopMeant(_ drive: Drive) throws {
        let b = try DriveBench(drive)
        try b.armed()
        b.press(.pedal, true)
        b.run(for: 2000 * Self.ms)
        b.press(.pedal, false)
        b.run(for: 1500 * Self.ms)
        let pass = try #require(b.records.first { $0.kind == .passEnded })
        // The pass's strokes come from telemetry; the hardware's count may run on by the strokes
        // of the ramp-out, after the pass ended.
        #expect(b.hardwareStrokes >= Int(pass.summary.strokes), "hardware \(b.hardwareStrokes), pass \(pass.summary.strokes)")
        if let hw = b.hardware {
            #expect(hw.status.counters.lostSteps == 0)
            #expect(hw.status.counters.strokePulseFaults == 0)
            #expect(hw.status.counters.blockedStrokes == 0)
            #expect(hw.status.counters.watchdogTrips == 0)
        }
    }
}
