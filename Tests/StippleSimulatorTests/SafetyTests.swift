import Testing
import StippleSafetyEvidence
import StippleModel
import StippleSimulator
import StippleWire

/// The firmware's own safety: the refresh deadline, the e-stop latch, faults it detects, and
/// what reset_fault takes to clear them.
@Suite("Simulated machine: safety")
struct SafetyTests {
    static let flagArmed: UInt16 = 1 << 0, flagRunning: UInt16 = 1 << 1, flagRetracted: UInt16 = 1 << 2
    static let flagEstop: UInt16 = 1 << 3, flagFault: UInt16 = 1 << 4, flagCartridge: UInt16 = 1 << 5
    static let flagMotor: UInt16 = 1 << 6, flagDeadline: UInt16 = 1 << 7

    /// Connected, armed, running at 100 Hz, 1 mm deep, settled.
    static func running(_ machine: String = "rotary-r1") throws -> HostHarness {
        let h = try HostHarness(machine: machine)
        try #require(try h.connect() != nil)
        try h.startRunning(rateHertz: 100, rampMilliseconds: 100, depthMicrometres: 1000)
        h.run(milliseconds: 400)
        let flags = h.telemetry.last!.sample.stateFlags
        #expect(flags == flagArmed | flagRunning | flagCartridge | flagMotor | flagDeadline, "flags \(flags)")
        return h
    }

    @Test func silentHostStopsRetractsAndReportsFaultOneWithinDeadlinePlusOneTelemetryPeriod() throws {
        let h = try Self.running()  // rotary-r1: 50 ms deadline, 500 Hz telemetry
        h.heartbeating = false
        let lastHeartbeat = try #require(h.machine.status.lastHeartbeatAt)
        try #require(h.run(untilMilliseconds: 200) { !h.faults.isEmpty })
        let fault = h.faults[0]
        #expect(fault.code == 1)
        let after = Double(fault.at - lastHeartbeat) / 1e6
        #expect(after <= 50 + 2, "fault 1 reached the host \(after) ms after the last heartbeat")
        #expect(after > 50, "not before the deadline")
        SafetyEvidence.record(hazard: "host-hang", what: "fault 1 reached the host", measured: after, bound: 52, unit: "ms")
        #expect(fault.detail == 50, "detail: ms since the last heartbeat")
        let s = h.machine.status
        #expect(!s.running && !s.armed && s.retracted && s.latchedFault == 1)
        // The first telemetry after the report already shows it.
        h.run(milliseconds: 2.2)
        let flags = try #require(h.telemetry.last { $0.at > fault.at }?.sample.stateFlags)
        #expect(flags == Self.flagRetracted | Self.flagFault | Self.flagCartridge, "flags \(flags)")
        h.run(milliseconds: 200)  // 5 tau
        #expect(h.machine.status.actualRateHertz < 1)
        #expect(h.machine.status.stagePositionMicrometres == 0, "1 mm back at 8 mm/s in 125 ms")
        print("fault 1 after \(after) ms of silence")

        // Reset needs fresh heartbeats first.
        #expect(try h.command(.resetFault(code: 1))?.status == 1)
        #expect(h.machine.status.latchedFault == 1)
        h.heartbeating = true
        h.run(milliseconds: 15)
        #expect(try h.command(.resetFault(code: 1))?.status == 0)
        #expect(h.machine.status.latchedFault == nil)
        #expect(try h.command(.arm)?.status == 0)
    }

    @Test func theLatchLogShowsTheDeadlineStoppingTheMotorItself() throws {
        let h = try Self.running()
        #expect(h.machine.latchLog.isEmpty)
        let rate = h.machine.status.actualRateHertz
        h.heartbeating = false
        let lastHeartbeat = try #require(h.machine.status.lastHeartbeatAt)
        h.run(milliseconds: 400)
        #expect(h.machine.latchLog.count == 1, "one fault, logged once: \(h.machine.latchLog)")
        let entry = try #require(h.machine.latchLog.first)
        #expect(entry.code == 1 && entry.name == "heartbeat-timeout" && entry.detail == 50)
        #expect(entry.at > lastHeartbeat + 50_000_000 && entry.at <= lastHeartbeat + 51_000_000)
        #expect(abs(entry.rateAtLatchHertz - rate) < 2, "stroking at \(entry.rateAtLatchHertz) Hz when it latched")
        let stopped = try #require(entry.motorStoppedAt, "the motor came to a stop")
        // rotary-r1's stroke motor: 40 ms time constant; below 0.5 Hz from ~100 Hz takes ~5.3 tau.
        #expect(stopped > entry.at && stopped - entry.at < 300_000_000, "stopped \((stopped - entry.at) / 1_000_000) ms after latching")
        #expect(h.machine.status.actualRateHertz < 0.5)
    }

    @Test func theDeadlineIsNotEnforcedWhileDisarmed() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        h.heartbeating = false
        h.run(milliseconds: 1000)
        #expect(h.faults.isEmpty)
        #expect(h.machine.status.latchedFault == nil)
        #expect(h.telemetry.last!.sample.stateFlags & Self.flagDeadline == 0)
    }

    @Test func estopInputLatchesAndResetWaitsForTheButtonToBeReleased() throws {
        let h = try Self.running()
        let chip = try #require(h.chip)
        try chip.setInput(.estop, active: true)
        h.step()
        var s = h.machine.status
        #expect(!s.running && !s.armed && s.estopLatched && s.retracted && s.latchedFault == 2)
        try #require(h.run(untilMilliseconds: 5) { !h.faults.isEmpty })
        #expect(h.faults.map(\.code) == [2])
        #expect(h.faults[0].detail == 1, "detail 1: from the input")

        let stillPressed = try h.command(.resetFault(code: 2))
        #expect(stillPressed?.status == 1 && stillPressed?.detail == 2)
        #expect(h.machine.status.estopLatched)
        #expect(try h.command(.arm)?.status == 3, "arming refused while latched")
        try chip.setInput(.estop, active: false)
        h.run(milliseconds: 5)
        #expect(h.machine.status.estopLatched, "releasing the button does not unlatch")
        #expect(try h.command(.resetFault(code: 2))?.status == 0)
        s = h.machine.status
        #expect(!s.estopLatched && s.latchedFault == nil)
        h.run(milliseconds: 3)
        #expect(h.telemetry.last!.sample.stateFlags & Self.flagEstop == 0)
        #expect(try h.command(.arm)?.status == 0)
    }

    @Test func estopMessageLatchesLikeTheInput() throws {
        let h = try Self.running()
        #expect(try h.command(.estop)?.status == 0)
        #expect(h.faults.first.map { [Int($0.code), Int($0.detail)] } == [2, 0])
        h.run(milliseconds: 3)
        let flags = h.telemetry.last!.sample.stateFlags
        #expect(flags & Self.flagEstop != 0 && flags & (Self.flagArmed | Self.flagRunning) == 0)
        #expect(try h.command(.start)?.status == 3)
        #expect(try h.command(.resetFault(code: 1))?.status == 1, "a fault that is not latched")
        #expect(try h.command(.resetFault(code: 2))?.status == 0)
    }

    @Test func pullingTheCartridgeMidRunLatchesFaultSix() throws {
        let h = try Self.running()
        h.machine.inject(.cartridgePulled)
        #expect(try h.chip?.read(.cartridgePresent) == false, "the cartridge input went inactive")
        try #require(h.run(untilMilliseconds: 5) { !h.faults.isEmpty })
        #expect(h.faults.map(\.code) == [6])
        var s = h.machine.status
        #expect(!s.running && s.retracted && s.latchedFault == 6 && !s.cartridgePresent)
        #expect(try h.command(.start)?.status == 3)
        let info = try h.query(.getCartridge) { m -> UInt8? in
            if case .cartridgeInfo(_, _, _, let present) = m { present } else { nil }
        }
        #expect(info == 0)
        #expect(try h.command(.resetFault(code: 6))?.status == 1, "still no cartridge")
        h.machine.inject(.clear)
        h.run(milliseconds: 1)
        #expect(try h.command(.resetFault(code: 6))?.status == 0)
        #expect(try h.command(.start)?.status == 0, "the spec's reaction to fault 6 leaves the drive armed")
        s = h.machine.status
        #expect(s.running && s.latchedFault == nil)
    }

    @Test func overcurrentLatchesFaultFourAndDisarms() throws {
        let h = try Self.running()  // rotary-r1: max 850 mA
        let injectedAt = h.now
        h.machine.inject(.overcurrent)
        try #require(h.run(untilMilliseconds: 20) { !h.faults.isEmpty })
        let f = h.faults[0]
        #expect(f.code == 4)
        #expect(f.detail > 850, "detail: the current, \(f.detail) mA")
        #expect(f.at - injectedAt <= 1_500_000, "after 1 ms above the limit: \(f.at - injectedAt) ns")
        SafetyEvidence.record(hazard: "overcurrent", what: "firmware latched fault 4 and disarmed", measured: Double(f.at - injectedAt) / 1e6, bound: 1.5, unit: "ms")
        h.run(milliseconds: 1)
        let s = h.machine.status
        #expect(!s.armed && !s.running && s.motorCurrentMilliamperes == 0)
        #expect(try h.command(.resetFault(code: 4))?.status == 1, "the short is still there")
        h.machine.inject(.clear)
        #expect(try h.command(.resetFault(code: 4))?.status == 0)
    }

    @Test func aStalledMotorLatchesFaultThree() throws {
        let h = try Self.running()
        let injectedAt = h.now
        h.machine.inject(.motorStall)
        h.run(milliseconds: 10)
        var s = h.machine.status
        #expect(s.actualRateHertz < 1, "rate collapsed to \(s.actualRateHertz) Hz")
        #expect(s.motorCurrentMilliamperes == 850, "current at the drive's maximum")
        #expect(h.faults.isEmpty, "at the maximum, not above it: no overcurrent")
        try #require(h.run(untilMilliseconds: 50) { !h.faults.isEmpty })
        #expect(h.faults.map(\.code) == [3])
        let after = Double(h.faults[0].at - injectedAt) / 1e6
        #expect(after > 20 && after < 30, "stall confirmed over 20 ms: \(after) ms")
        SafetyEvidence.record(hazard: "motor-stall", what: "firmware latched fault 3", measured: after, bound: 30, unit: "ms")
        s = h.machine.status
        #expect(!s.running && s.retracted && s.latchedFault == 3)
        #expect(s.armed, "the spec's reaction to a stall does not disable the drive")
    }

    @Test func anUnresponsiveFirmwareStillEnforcesItsDeadline() throws {
        let h = try Self.running()
        let telemetryBefore = h.telemetry.count
        let lastHeartbeat = try #require(h.machine.status.lastHeartbeatAt)
        let hungAt = h.now
        h.machine.inject(.unresponsive)
        _ = h.run(untilMilliseconds: 70) { h.machine.status.latchedFault == 1 }
        let stoppedAfter = Double(h.now - lastHeartbeat) / 1e6
        #expect(stoppedAfter <= 52, "the hung firmware's deadline stopped the needle \(stoppedAfter) ms after the last heartbeat")
        SafetyEvidence.record(hazard: "firmware-hang", what: "hardware deadline stopped the needle", measured: stoppedAfter, bound: 52, unit: "ms")
        // Past the 50 ms deadline, short of the host's 100 ms link timeout.
        h.run(milliseconds: 70 - Double(h.now - hungAt) / 1e6)
        #expect(h.telemetry.count - telemetryBefore <= 1, "nothing comes out")
        let s = h.machine.status
        #expect(s.latchedFault == 1, "the host's heartbeats were ignored, so the deadline passed")
        #expect(!s.running && !s.armed)
        #expect(s.bytesIgnored > 0)
        #expect(h.faults.isEmpty)
        h.machine.inject(.clear)
        try #require(h.run(untilMilliseconds: 50) { !h.faults.isEmpty })
        #expect(h.faults.map(\.code) == [1], "the report was kept and sent when the firmware came back")
    }

    @Test func aStalledPipeLongerThanTheDeadlineStopsTheMachine() throws {
        let h = try Self.running()
        h.pipe.faults.stalledUntil = h.now + 80_000_000
        h.run(milliseconds: 60)
        #expect(h.machine.status.latchedFault == 1)
        #expect(h.faults.isEmpty, "the report is stuck in the pipe")
        try #require(h.run(untilMilliseconds: 100) { !h.faults.isEmpty })
        #expect(h.faults[0].code == 1)
        #expect(h.now >= h.pipe.faults.stalledUntil!)
    }

    @Test func depthSensorDriftMovesTheReadingNotTheStage() throws {
        let h = try Self.running()
        h.machine.inject(.depthSensorDrift(micrometresPerSecond: 200))
        h.run(milliseconds: 500)
        let s = h.machine.status
        #expect(s.stagePositionMicrometres == 1000)
        let recent = h.telemetry.suffix(20).map { Double($0.sample.depthMicrometres) }
        let mean = recent.reduce(0, +) / Double(recent.count)
        #expect(abs(mean - 1100) < 8, "200 um/s for 0.5 s reads 100 um deep of the stage: mean \(mean)")
        h.machine.inject(.clear)
        h.run(milliseconds: 50)
        let cleared = h.telemetry.suffix(20).map { Double($0.sample.depthMicrometres) }
        #expect(abs(cleared.reduce(0, +) / 20 - 1000) < 8)
    }
}
