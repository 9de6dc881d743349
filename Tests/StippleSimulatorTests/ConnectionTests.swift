import Testing
import StippleModel
import StippleProtocolC
import StippleSimulator
import StippleWire

/// identify, set_config / get_config, and the device's side of section 3, with the host's
/// StippleWire ReliableLink on the other end of the pipe.
@Suite("Simulated machine: connection")
struct ConnectionTests {
    @Test func identifyReplyCarriesTheTableHashTheNonceAndTheDeviceFigures() throws {
        let h = try HostHarness()
        let reply = try #require(try h.query(Handshake.request(nonce: 0xC0FF_EE11)) { m -> IdentifyReply? in
            if case .identifyReply(let r) = m { r } else { nil }
        })
        #expect(reply.tableHash == SP_TABLE_HASH)
        #expect(reply.tableHash == MessageTable.tableHash, "C and Swift tables agree")
        #expect(reply.nonce == 0xC0FF_EE11)
        #expect(reply.protocolVersion == 1)
        #expect(reply.firmwareVersion == 0x000100)
        #expect(reply.serial == 0x5717_0042)
        #expect(reply.tickHertz == 1_000_000)
        #expect(reply.maxWindow == 8)
        let identity = try Handshake.check(reply, nonce: 0xC0FF_EE11).get()
        #expect(identity.firmwareVersionText == "0.1.0")
        #expect(h.machine.status.identified)
    }

    @Test func theMachineSaysNothingBeforeIdentify() throws {
        let h = try HostHarness()
        try h.send(.getConfig)
        h.run(milliseconds: 100)
        #expect(h.messages.isEmpty)
        #expect(h.machine.status.telemetrySent == 0)
        #expect(h.machine.status.framesBeforeIdentify > 0)
    }

    @Test func setConfigIsStoredAndReadBack() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        let wanted = DeviceConfig(depthMinMicrometres: 200, depthMaxMicrometres: 1800, rateMinMillihertz: 60_000,
                                  rateMaxMillihertz: 130_000, depthSlewMicrometresPerSecond: 5_000,
                                  heartbeatDeadlineMilliseconds: 40, telemetryHertz: 250)
        let echoed = try h.query(.setConfig(wanted)) { m -> DeviceConfig? in
            if case .config(let c) = m { c } else { nil }
        }
        #expect(echoed == wanted)
        #expect(h.results.last.map { [$0.command, UInt8($0.status)] } == [0x04, 0])
        let read = try h.query(.getConfig) { m -> DeviceConfig? in
            if case .config(let c) = m { c } else { nil }
        }
        #expect(read == wanted)
        let s = h.machine.status
        #expect(s.depthMaxMicrometres == 1800 && s.rateMinMillihertz == 60_000 && s.heartbeatDeadlineMilliseconds == 40)
        #expect(s.telemetryHertz == 250)
    }

    @Test func setConfigBeyondTheMachineIsRefusedAndTheOldLimitsStay() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        var tooDeep = h.machineConfig
        tooDeep.depthMaxMicrometres = 2600  // rotary-r1's stage ends at 2.5 mm
        var tooFast = h.machineConfig
        tooFast.depthSlewMicrometresPerSecond = 9_000  // its slew limit is 8 mm/s
        var shortDeadline = h.machineConfig
        shortDeadline.heartbeatDeadlineMilliseconds = 5  // spec: 10-500 ms
        for (bad, field) in [(tooDeep, 2), (tooFast, 5), (shortDeadline, 6)] {
            let before = h.results.count
            let config = try h.query(.setConfig(bad)) { m -> DeviceConfig? in
                if case .config(let c) = m { c } else { nil }
            }
            #expect(config == h.machineConfig, "the limits in force come back unchanged")
            let r = try #require(h.results.dropFirst(before).first)
            #expect(r.command == 0x04 && r.status == 2 && r.detail == Int32(field))
        }
        #expect(h.machine.status.depthMaxMicrometres == 2500)
        #expect(h.machine.status.commandsRefused == 3)
    }

    @Test func setConfigWhileArmedIsRefused() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        #expect(try h.command(.arm)?.status == 0)
        var c = h.machineConfig
        c.depthMaxMicrometres = 2000
        #expect(try h.command(.setConfig(c))?.status == 1)
        #expect(h.machine.status.depthMaxMicrometres == 2500)
    }

    @Test func aSecondIdentifyRestartsTheNumbering() throws {
        let h = try HostHarness()
        try #require(try h.connect(nonce: 1) != nil)
        h.run(milliseconds: 300)  // 150 telemetry frames: the device's numbering has wrapped past 127
        #expect(h.machine.status.dataFramesSent > 128)
        // The host restarts (new process, same machine): fresh link, new nonce.
        h.host.reset(now: h.now)
        let reply = try h.query(Handshake.request(nonce: 2)) { m -> IdentifyReply? in
            if case .identifyReply(let r) = m { r } else { nil }
        }
        #expect(reply?.nonce == 2)
        // From the reply on, both ends count from 0 again: nothing is out of order or duplicated.
        let before = h.host.statistics
        let telemetryBefore = h.telemetry.count
        #expect(try h.command(.arm)?.status == 0, "commands flow on the new numbering")
        h.run(milliseconds: 100)
        let after = h.host.statistics
        #expect(after.outOfOrderDropped == before.outOfOrderDropped)
        #expect(after.duplicatesDropped == before.duplicatesDropped)
        #expect(h.telemetry.count - telemetryBefore >= 50)
    }

    @Test func clockReplyCountsMicrosecondTicksFromPowerUp() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        h.run(milliseconds: 250)
        let sentAt = h.now
        let ticks = try #require(try h.query(.clockRequest(nonce: 77)) { m -> UInt64? in
            if case .clockReply(77, let t) = m { t } else { nil }
        })
        // The machine powered up at the harness's first tick (100 µs) and answers within a tick.
        let expected = (sentAt - HostHarness.tick) / 1000
        #expect(ticks >= expected && ticks <= expected + 200, "ticks \(ticks), expected about \(expected)")
    }

    @Test func theHostsClockFitRecoversTheDevicesDrift() throws {
        let h = try HostHarness(clockDriftPPM: 80)
        try #require(try h.connect() != nil)
        var sync = DeviceClockSync(tickHertz: 1_000_000)
        for i in 0..<20 {
            let sent = h.now
            let nonce = UInt32(i)
            let ticks = try #require(try h.query(.clockRequest(nonce: nonce)) { m -> UInt64? in
                if case .clockReply(nonce, let t) = m { t } else { nil }
            })
            sync.add(deviceTicks: ticks, hostSent: sent, hostReceived: h.now)
            h.run(milliseconds: 100)
        }
        #expect(abs(sync.driftPPM - 80) < 5, "fitted \(sync.driftPPM) ppm")

        // Telemetry stamped by the device maps back to its arrival, within a control cycle and the
        // fit's error (the pipe delivers a sample in the cycle it was taken).
        let last = try #require(h.telemetry.last)
        let mapped = try #require(sync.hostTime(forDeviceTicks: last.sample.deviceTicks))
        let lag = Int64(bitPattern: last.at &- mapped)
        #expect(lag >= -20_000 && lag <= 120_000, "arrived \(lag) ns after the mapped device time")
        print("clock fit: \(sync.driftPPM) ppm, telemetry arrived \(lag) ns after its mapped time")
    }

    @Test func cartridgeInfoAndCalibrationRoundTrip() throws {
        let h = try HostHarness()
        h.machine.cartridgeLot = 240_117
        try #require(try h.connect() != nil)
        let info = try h.query(.getCartridge) { m -> (UInt64, UInt32, UInt16, UInt8)? in
            if case .cartridgeInfo(let id, let lot, let uses, let present) = m { (id, lot, uses, present) } else { nil }
        }
        #expect(info?.0 == 0xCA27_0001 && info?.1 == 240_117 && info?.2 == 0 && info?.3 == 1)
        // The first start on a fitted cartridge counts one use.
        try h.startRunning(rateHertz: 100)
        let after = try h.query(.getCartridge) { m -> UInt16? in
            if case .cartridgeInfo(_, _, let uses, _) = m { uses } else { nil }
        }
        #expect(after == 1)

        let cal = DeviceCalibration(offsetMicrometres: -35, scalePPM: 1_012_000, quadraticPPM: -40,
                                    cartridgeOffsetMicrometres: 200, expiresUnixSeconds: 1_800_000_000)
        #expect(try h.command(.stop)?.status == 0)
        #expect(try h.command(.writeCalibration(cal))?.status == 0)
        let back = try h.query(.readCalibration) { m -> DeviceCalibration? in
            if case .calibration(let c) = m { c } else { nil }
        }
        #expect(back == cal)
    }

    @Test func aDeviceBoundMessageTheFirmwareDoesNotTakeIsAnUnknownCommand() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        let r = try h.command(.faultReport(deviceTicks: 0, code: 1, detail: 0))
        #expect(r?.status == 4)
    }
}
