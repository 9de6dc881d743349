import Testing
import StippleSafetyEvidence
import StippleControl
import StippleModel
import StippleSimulator

/// Unplugging the machine mid-pass and plugging it back in, in the same session: link-lost, the
/// firmware's own deadline, a reconnect that is refused while the cable is out, then accepted.
@Suite("Reconnect after unplug", .timeLimit(.minutes(1)))
struct ReconnectTests {
    static let ms = SimulatedBench.ms

    @Test func unplugMidPassFaultsAtOnceAndTheFirmwareDeadlineStopsTheMotor() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 700 * Self.ms)
        let lastBeat = try #require(b.machine.status.lastHeartbeatAt)
        let unpluggedAt = b.now
        b.link.faults.unplugged = true
        b.run(for: 1 * Self.ms)
        #expect(b.session.state.latchedFault == .linkLost, "link-lost in the first cycle after the unplug")
        #expect(!b.chip.output(.motorEnable), "enable line dropped in that cycle")
        let pass = try #require(b.records.first { $0.kind == .passEnded })
        #expect(pass.summary.stopReason == .linkLost && pass.at == unpluggedAt)
        SafetyEvidence.record(hazard: "usb-unplug", what: "pass ended link-lost", measured: Double(Int64(pass.at) - Int64(unpluggedAt)) / 1e6, bound: 1, unit: "ms")
        var stoppedAt: UInt64?
        b.run(for: 200 * Self.ms) { now in
            if stoppedAt == nil, b.machine.status.latchedFaults.contains(1) { stoppedAt = now }
            return false
        }
        let silent = try #require(stoppedAt) - lastBeat
        #expect(silent >= 50 * Self.ms && silent <= 52 * Self.ms, "firmware latched heartbeat-timeout \(silent / Self.ms) ms after the last heartbeat (deadline 50 ms)")
        SafetyEvidence.record(hazard: "usb-unplug", what: "firmware stopped the motor", measured: Double(silent) / 1e6, bound: 52, unit: "ms")
        #expect(!b.machine.status.running && b.machine.status.actualRateHertz < 1, "the motor stopped by itself")
    }

    @Test func reconnectIsRefusedWhileUnpluggedThenRestoresTheLinkAndTheSessionGoesOn() throws {
        let b = try SimulatedBench()
        b.armed()
        b.press(.pedal, true)
        b.run(for: 500 * Self.ms)
        b.link.faults.unplugged = true
        b.run(for: 100 * Self.ms)
        b.press(.pedal, false)

        b.requests.append(.reconnect)
        b.run(for: 5 * Self.ms)
        #expect(b.reconnectAttempts == 1)
        let refused = b.records.last { $0.kind == .requestRefused }
        #expect(refused?.code == RefusalReason.linkDown.rawValue, "the operator is told the machine is not there")
        #expect(!b.records.contains { $0.kind == .linkRestored })

        b.link.faults.unplugged = false
        b.requests.append(.reconnect)
        b.run(for: 50 * Self.ms)
        #expect(b.reconnectAttempts == 2)
        #expect(b.session.phase.isReady, "identified and configured again: \(b.session.phase)")
        #expect(b.records.filter { $0.kind == .linkRestored }.count == 1)
        #expect(b.session.state.machine == .fault, "the fault stays latched until the operator resets it")
        #expect(!b.chip.output(.motorEnable))

        b.requests.append(.reset)
        b.run(for: 10 * Self.ms)
        #expect(b.session.state.machine == .idle)
        b.requests.append(.arm(cartridgeCleared: true))
        b.run(for: 20 * Self.ms)
        b.press(.pedal, true)
        b.run(for: 500 * Self.ms)
        #expect(b.session.state.machine == .running && b.machine.status.running, "needling again after the replug: \(b.session.state.machine), \(b.records.filter { $0.kind != .telemetry }.suffix(8).map { "\($0.kind) \($0.code) \($0.to)" }), firmware \(b.machine.status.latchedFaults)")
        #expect(b.records.filter { $0.kind == .passStarted }.count == 2)
    }

    @Test func reconnectWhileConnectedIsANoOp() throws {
        let b = try SimulatedBench()
        b.armed()
        let phase = b.session.phase
        let recordsBefore = b.records.count
        b.requests.append(.reconnect)
        b.run(for: 10 * Self.ms)
        #expect(b.reconnectAttempts == 0, "the machine was not looked for")
        #expect(b.session.phase == phase)
        #expect(!b.records[recordsBefore...].contains { $0.kind == .requestRefused || $0.kind == .linkRestored })
        #expect(b.session.state.machine == .armed)
    }
}
