import Testing
import StippleModel
import StippleSimulator
import StippleWire

/// Stroke motor and depth stage physics as the host sees them through telemetry.
@Suite("Simulated machine: motion")
struct MotionTests {
    @Test func strokeRateSettlesWithinTwoPercentAfterRampPlusFiveTimeConstantsAndStrokesIntegrateTheRate() throws {
        let h = try HostHarness(machine: "rotary-r1")  // tau 40 ms
        try #require(try h.connect() != nil)
        #expect(try h.command(.arm)?.status == 0)
        #expect(try h.command(.start)?.status == 0)
        let strokesAtCommand = h.machine.status.strokes
        try h.send(.setStrokeRate(rateMillihertz: 120_000, rampMilliseconds: 300))
        try #require(h.run(untilMilliseconds: 10) { h.machine.status.rateSetpointHertz == 120 })
        let arrival = h.now
        let telemetryFrom = h.telemetry.count
        // Ramp 300 ms + 5 time constants (200 ms).
        h.run(untilMilliseconds: 600) { h.now - arrival >= 500_000_000 }
        let s = h.machine.status
        let last = try #require(h.telemetry.last?.sample)
        let rate = Double(last.rateMillihertz) / 1000
        #expect(abs(rate - 120) / 120 < 0.02, "rate \(rate) Hz")
        #expect(abs(s.actualRateHertz - 120) < 0.2, "a linear ramp through a 40 ms lag trails by 16 Hz at its end, e^-5 of that after 5 tau")
        #expect(last.stateFlags & 0b11 == 0b11, "armed and running")

        // Strokes = integral of the rate: analytically, ramp area + plateau - tau * final rate.
        let t = Double(h.now - arrival) / 1e9
        let analytic = 0.5 * 0.3 * 120 + 120 * (t - 0.3) - 0.040 * s.actualRateHertz
        let counted = s.strokes - strokesAtCommand
        #expect(abs(counted - analytic) < 0.5, "counted \(counted), analytic \(analytic)")
        // And the telemetry's own stroke count agrees with the trapezoid integral of its rates.
        let samples = h.telemetry.dropFirst(telemetryFrom).map(\.sample)
        var integral = 0.0
        for (a, b) in zip(samples, samples.dropFirst()) {
            integral += (Double(a.rateMillihertz) + Double(b.rateMillihertz)) / 2000 * Double(b.deviceTicks - a.deviceTicks) / 1e6
        }
        let delta = Double(samples.last!.strokeCount) - Double(samples.first!.strokeCount)
        #expect(abs(delta - integral) <= 1.5, "stroke count moved \(delta), integral of telemetry rate \(integral)")
        print("rate \(rate) Hz after \(t * 1000) ms; strokes \(counted) vs analytic \(analytic); telemetry \(delta) vs \(integral)")
    }

    @Test func motorCurrentFollowsTheRate() throws {
        let h = try HostHarness(machine: "rotary-r1")  // nominal 320 mA at 150 Hz
        try #require(try h.connect() != nil)
        #expect(try h.command(.arm)?.status == 0)
        h.run(milliseconds: 20)
        #expect(abs(h.machine.status.motorCurrentMilliamperes - 32) < 0.5, "idle: 10% of nominal")
        try h.startRunning(rateHertz: 150, rampMilliseconds: 100)
        h.run(milliseconds: 400)
        #expect(abs(h.machine.status.motorCurrentMilliamperes - 352) < 2, "\(h.machine.status.motorCurrentMilliamperes) mA at full rate")
        #expect(abs(Double(h.telemetry.last!.sample.motorCurrentMilliamperes) - 352) <= 2)
    }

    @Test(arguments: [("rotary-r1", 8_000.0), ("linear-l2", 40_000.0)])
    func depthReachesItsTargetAtTheSlewLimit(machine: String, slewLimit: Double) throws {
        let h = try HostHarness(machine: machine, cartridge: "1RL-0.25")
        try #require(try h.connect() != nil)
        #expect(try h.command(.arm)?.status == 0)
        // Ask for 100 mm/s: the firmware clamps to the machine's slew.
        #expect(try h.command(.setDepth(depthMicrometres: 1500, slewMicrometresPerSecond: 100_000))?.status == 0)
        h.run(milliseconds: 20)
        #expect(h.machine.status.stagePositionMicrometres == 0, "the needle stays back until start")
        try h.send(.start)
        try #require(h.run(untilMilliseconds: 10) { h.machine.status.stagePositionMicrometres > 0 })
        let began = h.now - HostHarness.tick
        let mid = began + UInt64((750 / slewLimit * 1e9).rounded())
        var halfway = 0.0
        try #require(h.run(untilMilliseconds: 1000) {
            if h.now >= mid, halfway == 0 { halfway = h.machine.status.stagePositionMicrometres }
            return h.machine.status.stagePositionMicrometres >= 1500
        })
        let took = Double(h.now - began) / 1e6
        let expected = 1500 / slewLimit * 1000
        #expect(abs(took - expected) <= 0.2, "took \(took) ms, expected \(expected) ms at \(slewLimit) um/s")
        #expect(abs(halfway - 750) <= slewLimit * 1e-4 + 1e-6, "halfway in time, halfway in travel: \(halfway)")
        h.run(milliseconds: 20)
        // The sensor reads the stage plus its noise (sigma from the machine file).
        let sigma = Double(h.spec.actuator.depthSensorNoiseMicrometres)
        let readings = h.telemetry.suffix(10).map { Double($0.sample.depthMicrometres) }
        #expect(readings.allSatisfy { abs($0 - 1500) <= 5 * sigma + 1 }, "\(readings)")
        print("\(machine): 1.5 mm in \(took) ms (expected \(expected))")
    }

    @Test func aSlowerCommandedSlewIsKeptAndRetractUsesTheFullSlew() throws {
        let h = try HostHarness(machine: "rotary-r1")
        try #require(try h.connect() != nil)
        try h.startRunning(rateHertz: 100, depthMicrometres: 1000)
        h.run(milliseconds: 200)
        #expect(h.machine.status.stagePositionMicrometres == 1000)
        #expect(try h.command(.setDepth(depthMicrometres: 500, slewMicrometresPerSecond: 2_000))?.status == 0)
        let began = h.now
        try #require(h.run(untilMilliseconds: 600) { h.machine.status.stagePositionMicrometres <= 500 })
        let took = Double(h.now - began) / 1e6
        #expect(abs(took - 250) <= 1.5, "500 um at 2 mm/s took \(took) ms")
        #expect(try h.command(.retract)?.status == 0)
        let r0 = h.now
        try #require(h.run(untilMilliseconds: 200) { h.machine.status.stagePositionMicrometres == 0 })
        let back = Double(h.now - r0) / 1e6
        #expect(back <= 500.0 / 8_000 * 1000 + 1.5, "retract at the machine's 8 mm/s: \(back) ms")
        #expect(h.machine.status.retracted)
        #expect(h.telemetry.last!.sample.stateFlags & 0b100 != 0, "retracted flag")
    }

    @Test func droppingMotorEnableStopsTheMotorWithNoUSBCommand() throws {
        let h = try HostHarness(machine: "rotary-r1")  // tau 40 ms
        try #require(try h.connect() != nil)
        try h.startRunning(rateHertz: 100, rampMilliseconds: 100)
        h.run(milliseconds: 500)
        #expect(abs(h.machine.status.actualRateHertz - 100) < 0.1)
        let chip = try #require(h.chip)
        let commandsBefore = h.host.statistics.dataFramesSent
        try chip.write(.motorEnable, active: false)
        h.run(milliseconds: 200)  // 5 tau
        let s = h.machine.status
        #expect(s.actualRateHertz < 1.0, "rate \(s.actualRateHertz) Hz 5 tau after the enable line dropped")
        #expect(s.running, "the firmware was never told")
        #expect(!s.motorEnabled)
        #expect(s.motorCurrentMilliamperes == 0)
        let flags = h.telemetry.last!.sample.stateFlags
        #expect(flags & 0b10 != 0 && flags & 0b100_0000 == 0, "running, motor not enabled: flags \(flags)")
        h.run(milliseconds: 400)
        let strokes = h.machine.status.strokes
        h.run(milliseconds: 1000)
        #expect(h.machine.status.strokes - strokes < 0.01, "no strokes with the drive unpowered")
        // Only heartbeats went out meanwhile.
        let heartbeats = h.host.statistics.dataFramesSent - commandsBefore
        #expect(heartbeats <= 161)
    }

    @Test func limitsAreEnforcedByTheDeviceItself() throws {
        let h = try HostHarness(machine: "rotary-r1", cartridge: "1RL-0.25")  // cartridge rated to 2.0 mm
        var c = h.machineConfig
        c.depthMaxMicrometres = 1800
        try #require(try h.connect(config: c) != nil)
        #expect(try h.command(.setDepth(depthMicrometres: 1200, slewMicrometresPerSecond: 0))?.status == 0)
        let deep = try h.command(.setDepth(depthMicrometres: 1900, slewMicrometresPerSecond: 0))
        #expect(deep?.status == 2 && deep?.detail == 1800)
        #expect(h.machine.status.targetDepthMicrometres == 1200, "the refused value was not applied")
        let fast = try h.command(.setStrokeRate(rateMillihertz: 160_000, rampMilliseconds: 100))
        #expect(fast?.status == 2 && fast?.detail == 150_000)
        let slow = try h.command(.setStrokeRate(rateMillihertz: 20_000, rampMilliseconds: 100))
        #expect(slow?.status == 2 && slow?.detail == 50_000)
        #expect(h.machine.status.rateSetpointHertz == 0)

        // Within the configured range but beyond the fitted cartridge's rating.
        let h2 = try HostHarness(machine: "rotary-r1", cartridge: "1RL-0.25")
        try #require(try h2.connect() != nil)
        let r = try h2.command(.setDepth(depthMicrometres: 2200, slewMicrometresPerSecond: 0))
        #expect(r?.status == 2 && r?.detail == 2000)
        #expect(h2.machine.status.commandsRefused == 1)
    }

    @Test func startIsRefusedUnlessArmed() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        #expect(try h.command(.start)?.status == 1)
        #expect(!h.machine.status.running)
        #expect(try h.command(.arm)?.status == 0)
        #expect(try h.command(.start)?.status == 0)
        #expect(try h.command(.disarm)?.status == 0)
        let s = h.machine.status
        #expect(!s.armed && !s.running && s.retracted)
    }
}
