import Testing
import StippleSafetyEvidence
import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The control core driving the simulated machine over the real protocol (Swift host codec and
/// reliable link on one side, the C reference codec on the firmware side), in virtual time.
@Suite("Session against the simulated machine", .timeLimit(.minutes(1)))
struct SessionIntegrationTests {
    static let ms = SimulatedBench.ms

    @Test func connectsWithTheHandshakeAndTheDeviceHoldsTheMachineLimits() throws {
        let b = try SimulatedBench()
        b.run(for: 30 * Self.ms)
        guard case .ready(let id) = b.session.phase else {
            Issue.record("not connected: \(b.session.phase)")
            return
        }
        #expect(id.tickHertz == 1_000_000 && id.serial == 1)
        #expect(b.machine.status.depthMaxMicrometres == 2500)
        #expect(b.machine.status.heartbeatDeadlineMilliseconds == 50)
    }

    @Test func rampsReachTheProfilesRateAndDepth() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        // Ramp-in 300 ms, then five motor time constants (5 x 40 ms) and the stage's travel.
        b.run(for: 800 * Self.ms)
        let s = b.machine.status
        #expect(s.running)
        #expect(abs(s.actualRateHertz - 115) / 115 < 0.01, "rate \(s.actualRateHertz) Hz")
        // crown-vertex: 1.0 mm ± 0.08 per dot, plus 3RL-0.25's 0.25 mm membrane = 1.25 mm set depth.
        #expect(abs(s.stagePositionMicrometres - 1250) <= 80 + 30, "stage at \(s.stagePositionMicrometres) µm")
        #expect(b.session.state.machine == .running)
    }

    @Test func afterPedalReleaseTheNeedleIsRetractedWithinOneStrokePlusTheSlewTime() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 1000 * Self.ms)
        let depth = b.machine.status.stagePositionMicrometres
        let releasedAt = b.now
        b.press(.pedal, false)
        var retractedAt: UInt64?
        b.run(for: 1000 * Self.ms) { now in
            if retractedAt == nil && b.machine.status.stagePositionMicrometres <= 1 { retractedAt = now }
            return retractedAt != nil
        }
        let took = try #require(retractedAt) - releasedAt
        let strokePeriod = UInt64(1e9 / 115)
        let slewTime = UInt64(depth / (b.settings.machine.limits.depthSlewMillimetresPerSecond * 1000) * 1e9)
        // One control cycle and one link hop (the simulated pipe delivers at the next pump) on top.
        let bound = strokePeriod + slewTime + 2 * Self.ms
        #expect(took <= bound, "retracted \(took / 1000) µs after release; bound \(bound / 1000) µs")
        #expect(b.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .pedalReleased && $0.summary.strokes > 50 })
    }

    @Test func eStopDropsEnableInTheSameCycleStopsTheFirmwareAndLatchesUntilReset() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        let pressedAt = b.now
        b.press(.estop, true)
        b.run(for: 1 * Self.ms)
        let enableOff = b.chip.outputWrites.last { $0.role == .motorEnable && !$0.active }
        #expect(enableOff?.at.nanoseconds == pressedAt, "enable written low in the cycle that drained the edge")
        #expect(!b.chip.output(.motorEnable))
        b.run(for: 20 * Self.ms)
        #expect(b.machine.status.estopLatched && !b.machine.status.running, "firmware stopped and latched")
        #expect(b.session.state.machine == .eStopped)
        // Released, still latched; a reset while pressed is refused; after release it clears.
        b.press(.pedal, false)
        b.requests.append(.reset)
        b.run(for: 10 * Self.ms)
        #expect(b.session.state.machine == .eStopped)
        b.press(.estop, false)
        b.run(for: 10 * Self.ms)
        #expect(b.session.state.machine == .eStopped, "releasing the button alone does not clear the latch")
        b.requests.append(.reset)
        b.run(for: 30 * Self.ms)
        #expect(b.session.state.machine == .idle)
        #expect(!b.machine.status.estopLatched)
    }

    @Test func whenTheHostHangsTheFirmwareStopsWithinItsDeadline() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        let lastBeat = try #require(b.machine.status.lastHeartbeatAt)
        b.hostAlive = false
        var stoppedAt: UInt64?
        b.run(for: 500 * Self.ms) { now in
            let s = b.machine.status
            if stoppedAt == nil && !s.running && s.latchedFault == 1 { stoppedAt = now }
            return stoppedAt != nil
        }
        let took = try #require(stoppedAt) - lastBeat
        // Observed once per 1 ms step, before that step's pump: up to 2 ms after the real stop.
        #expect(took <= 50 * Self.ms + 2 * Self.ms, "firmware stopped \(took / 1_000_000) ms after the last heartbeat (deadline 50 ms)")
        #expect(took >= 50 * Self.ms, "not before the deadline")
        SafetyEvidence.record(hazard: "host-hang", what: "firmware stopped the needle", measured: Double(took) / 1e6, bound: 52, unit: "ms")
        b.run(for: 300 * Self.ms)
        #expect(b.machine.status.stagePositionMicrometres <= 1, "and retracted")
    }

    @Test func aLinkLostMidPassEndsThePassWithLinkLost() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        let cutAt = b.now
        b.link.faults.stalledUntil = b.now + 10_000 * Self.ms
        var endedAt: UInt64?
        b.run(for: 1000 * Self.ms) { now in
            if endedAt == nil, b.records.contains(where: { $0.kind == .passEnded }) { endedAt = now }
            return endedAt != nil
        }
        let pass = try #require(b.records.first { $0.kind == .passEnded })
        #expect(pass.summary.stopReason == .linkLost)
        #expect(b.session.state.latchedFault == .linkLost)
        let took = try #require(endedAt) - cutAt
        #expect(took <= 100 * Self.ms + 10 * Self.ms, "link-lost after \(took / 1_000_000) ms (link timeout 100 ms)")
        SafetyEvidence.record(hazard: "usb-stall", what: "pass ended link-lost", measured: Double(took) / 1e6, bound: 110, unit: "ms")
        #expect(!b.chip.output(.motorEnable))
        // The firmware, hearing nothing either, stops on its own deadline.
        #expect(!b.machine.status.running)
    }

    @Test func cartridgePulledMidPassEndsItWithCartridgeRemoved() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        let pulledAt = b.now
        b.machine.inject(.cartridgePulled)
        var endedAt: UInt64?
        b.run(for: 20 * Self.ms) { now in
            if endedAt == nil, b.records.contains(where: { $0.kind == .passEnded }) { endedAt = now }
            return false
        }
        let took = try #require(endedAt, "the pass ended") - pulledAt
        #expect(took <= 20 * Self.ms)
        SafetyEvidence.record(hazard: "cartridge-pulled", what: "pass ended cartridge-removed", measured: Double(took) / 1e6, bound: 20, unit: "ms")
        #expect(b.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .cartridgeRemoved })
        #expect(b.session.state.machine == .fault && !b.machine.status.running)
    }

    @Test func aStalledMotorIsCaughtAsAFault() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 800 * Self.ms)
        let stalledAt = b.now
        b.machine.inject(.motorStall)
        var faultedAt: UInt64?
        b.run(for: 400 * Self.ms) { now in
            if faultedAt == nil, b.session.state.latchedFault == .motorStall { faultedAt = now }
            return false
        }
        let took = try #require(faultedAt, "the host faulted") - stalledAt
        #expect(took <= 50 * Self.ms, "motor-stall \(took / Self.ms) ms after the jam")
        SafetyEvidence.record(hazard: "motor-stall", what: "host faulted motor-stall", measured: Double(took) / 1e6, bound: 50, unit: "ms")
        #expect(b.session.state.machine == .fault)
        #expect(b.session.state.latchedFault == .motorStall)
        #expect(b.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .fault && $0.summary.faultCode == 3 })
    }

    @Test func depthSensorDriftIsCaughtByTheBoundsCheck() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 800 * Self.ms)
        let driftFrom = b.now
        b.machine.inject(.depthSensorDrift(micrometresPerSecond: 2000))
        var faultedAt: UInt64?
        b.run(for: 1000 * Self.ms) { now in
            if faultedAt == nil, b.session.state.latchedFault == .depthSensorDrift { faultedAt = now }
            return false
        }
        let took = try #require(faultedAt, "the host faulted") - driftFrom
        // 2 mm/s leaves the 260 µm band (2 x 80 µm dot variation + 100 µm) in 130 ms, then the
        // 250 ms grace: 380 ms, plus telemetry and noise.
        #expect(took <= 500 * Self.ms, "depth-sensor-drift \(took / Self.ms) ms after the drift began")
        #expect(!b.machine.status.running, "the needle stopped")
        SafetyEvidence.record(hazard: "depth-drift", what: "host faulted depth-sensor-drift", measured: Double(took) / 1e6, bound: 500, unit: "ms")
        #expect(b.session.state.latchedFault == .depthSensorDrift)
    }

    @Test func aReusedCartridgeIsRefusedAtArm() throws {
        let b = try SimulatedBench()
        let registry = InMemoryCartridgeRegistry()
        registry.recordUse(ofCartridge: 99, client: "client-a")
        b.requests.append(.load(b.settings))
        b.run(for: 20 * Self.ms)
        b.requests.append(.arm(cartridgeCleared: registry.previousClient(ofCartridge: 99, notBeing: "client-b") == nil))
        b.run(for: 20 * Self.ms)
        #expect(b.session.state.machine == .idle)
        #expect(b.records.contains { $0.kind == .requestRefused && $0.code == RefusalReason.cartridgeReused.rawValue })
        #expect(!b.machine.status.armed)
        SafetyEvidence.record(hazard: "cartridge-reused", what: "reused cartridges armed", measured: b.machine.status.armed ? 1 : 0, bound: 0, unit: "arms")
    }

    /// The e-stop is wired normally-closed, so a broken wire reads as pressed. A machine that is
    /// powered up with the circuit open comes up e-stopped, and neither arm nor reset gets it out
    /// until the circuit closes; then a reset and an arm work as usual.
    @Test func anEStopCircuitOpenAtPowerUpComesUpEStoppedAndRefusesArmAndReset() throws {
        let b = try SimulatedBench()
        b.press(.estop, true)  // before the first cycle: the wire is cut
        b.requests.append(.load(b.settings))
        b.run(for: 30 * Self.ms)
        #expect(b.session.state.machine == .eStopped, "came up \(b.session.state.machine)")
        #expect(b.records.contains { $0.kind == .estop }, "the e-stop is journalled")
        b.requests.append(.arm(cartridgeCleared: true))
        b.run(for: 20 * Self.ms)
        b.requests.append(.reset)
        b.run(for: 20 * Self.ms)
        b.press(.pedal, true)
        b.run(for: 500 * Self.ms)
        #expect(b.session.state.machine == .eStopped, "neither arm nor reset while the circuit is open")
        #expect(b.records.filter { $0.kind == .requestRefused }.count >= 2)
        #expect(!b.chip.output(.motorEnable) && !b.machine.status.armed && !b.machine.status.running)
        #expect(b.machine.status.strokes == 0)
        SafetyEvidence.record(hazard: "estop-wire-broken", what: "strokes with the circuit open", measured: b.machine.status.strokes, bound: 0, unit: "strokes")
        // The wire mended: reset, then arm and needle as usual.
        b.press(.pedal, false)
        b.press(.estop, false)
        b.run(for: 10 * Self.ms)
        b.requests.append(.reset)
        b.run(for: 30 * Self.ms)
        #expect(b.session.state.machine == .idle)
        b.armed()
        #expect(b.session.state.machine == .armed)
    }

    /// A pedal stuck down (a jammed switch, a foot left on it) through a fault and its reset
    /// never restarts the needle: reset leaves the machine idle, and arm is refused while the
    /// pedal is down. Released, the machine arms and needles again.
    @Test func aPedalHeldDownThroughAFaultAndResetNeverRestartsTheNeedle() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        b.machine.inject(.cartridgePulled)
        b.run(for: 50 * Self.ms)
        #expect(b.session.state.machine == .fault)
        b.machine.inject(.clear)  // a fresh cartridge in; the foot still down
        b.run(for: 1000 * Self.ms)  // the motor coasts to a stop (25 time constants)
        let strokes = b.machine.status.strokes
        b.requests.append(.reset)
        b.run(for: 30 * Self.ms)
        #expect(b.session.state.machine == .idle, "reset leaves the machine idle, not running")
        b.requests.append(.arm(cartridgeCleared: true))
        b.run(for: 30 * Self.ms)
        #expect(b.session.state.machine == .idle)
        #expect(b.records.contains { $0.kind == .requestRefused && $0.code == RefusalReason.pedalDown.rawValue })
        b.run(for: 1000 * Self.ms)
        // The simulated motor's stroke count is its shaft's phase: whole strokes, not the last
        // thousandth of one still coasting.
        let restarted = (b.machine.status.strokes - strokes).rounded(.down)
        #expect(restarted == 0, "\(restarted) strokes with the pedal held through the reset")
        #expect(!b.machine.status.running && !b.chip.output(.motorEnable))
        SafetyEvidence.record(hazard: "pedal-stuck", what: "strokes after the reset, pedal held", measured: restarted, bound: 0, unit: "strokes")
        b.press(.pedal, false)
        b.run(for: 10 * Self.ms)
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        #expect(b.session.state.machine == .running)
    }

    /// USB babble: every frame corrupted (a CRC storm), or a good share of them. Either the link
    /// times out (nothing valid arrives) or the firmware counts more than 20 bad frames in a
    /// second and latches link-errors (fault 8); the needle stops, the pass ends and the session
    /// faults, within the firmware's one-second window.
    @Test(arguments: [1.0, 0.5])
    func aCRCStormStopsTheNeedleAndFaultsThePass(corruptRate: Double) throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        let stormAt = b.now
        b.link.faults.corruptRate = corruptRate
        var faultedAt: UInt64?
        b.run(for: 2000 * Self.ms) { now in
            if faultedAt == nil, b.session.state.machine == .fault { faultedAt = now }
            return faultedAt != nil
        }
        let took = try #require(faultedAt, "the session faulted") - stormAt
        let fault = b.session.state.latchedFault
        #expect(fault == .linkLost || fault == .linkErrors, "latched \(String(describing: fault))")
        #expect(took <= 1000 * Self.ms, "faulted \(took / Self.ms) ms into the storm")
        let pass = try #require(b.records.first { $0.kind == .passEnded })
        #expect(pass.summary.stopReason == .linkLost || pass.summary.stopReason == .fault)
        #expect(!b.chip.output(.motorEnable))
        b.run(for: 200 * Self.ms)
        #expect(!b.machine.status.running, "the firmware stopped the needle")
        print("CRC storm \(corruptRate): \(String(describing: fault)) after \(took / Self.ms) ms; firmware saw \(b.machine.status.crcErrors) CRC errors, latched \(b.machine.status.latchedFaults)")
        SafetyEvidence.record(hazard: "usb-babble", what: "session faulted \(fault?.name ?? "none") (\(Int(corruptRate * 100))% corrupt) in",
                              measured: Double(took) / 1e6, bound: 1000, unit: "ms")
    }
}
