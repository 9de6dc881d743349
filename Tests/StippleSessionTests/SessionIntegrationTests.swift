import Testing
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
        #expect(!b.chip.output(.motorEnable))
        // The firmware, hearing nothing either, stops on its own deadline.
        #expect(!b.machine.status.running)
    }

    @Test func cartridgePulledMidPassEndsItWithCartridgeRemoved() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        b.machine.inject(.cartridgePulled)
        b.run(for: 20 * Self.ms)
        #expect(b.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .cartridgeRemoved })
        #expect(b.session.state.machine == .fault && !b.machine.status.running)
    }

    @Test func aStalledMotorIsCaughtAsAFault() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 800 * Self.ms)
        b.machine.inject(.motorStall)
        b.run(for: 400 * Self.ms)
        #expect(b.session.state.machine == .fault)
        #expect(b.session.state.latchedFault == .motorStall)
        #expect(b.records.contains { $0.kind == .passEnded && $0.summary.stopReason == .fault && $0.summary.faultCode == 3 })
    }

    @Test func depthSensorDriftIsCaughtByTheBoundsCheck() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 800 * Self.ms)
        b.machine.inject(.depthSensorDrift(micrometresPerSecond: 2000))
        b.run(for: 1000 * Self.ms)
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
    }
}
