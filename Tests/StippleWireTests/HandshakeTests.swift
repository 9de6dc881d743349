import Testing
import StippleSafetyEvidence
import StippleModel
import StippleWire

@Suite struct HandshakeTests {
    static func reply(version: UInt16 = MessageTable.protocolVersion, hash: UInt32 = MessageTable.tableHash,
                      nonce: UInt32 = 77, tick: UInt32 = 1_000_000, window: UInt8 = 8) -> IdentifyReply {
        IdentifyReply(protocolVersion: version, tableHash: hash, nonce: nonce, firmwareVersion: 0x01_02_03,
                      serial: 0xABCD, tickHertz: tick, maxWindow: window)
    }

    @Test func aMatchingDeviceIsAccepted() throws {
        let id = try Handshake.check(Self.reply(), nonce: 77).get()
        #expect(id.firmwareVersionText == "1.2.3" && id.serial == 0xABCD && id.tickHertz == 1_000_000 && id.maxWindow == 8)
        #expect(Handshake.request(nonce: 77) == .identify(protocolVersion: 1, tableHash: MessageTable.tableHash, nonce: 77))
    }

    @Test func aFirmwareBuiltFromAnotherTableIsRefusedWithBothHashes() {
        let accepted: Double = if case .success = Handshake.check(Self.reply(hash: 0x1234_ABCD), nonce: 77) { 1 } else { 0 }
        SafetyEvidence.record(hazard: "table-mismatch", what: "mismatched tables accepted", measured: accepted, bound: 0, unit: "handshakes")
        guard case .failure(let e) = Handshake.check(Self.reply(hash: 0x1234_ABCD), nonce: 77) else {
            Issue.record("accepted a different message table")
            return
        }
        #expect(e == .tableHash(device: 0x1234_ABCD, host: MessageTable.tableHash))
        #expect(e.description.contains("0x1234abcd") && e.description.contains("messages.toml"))
    }

    @Test(arguments: [
        (reply(version: 2), "protocol version 2"),
        (reply(nonce: 5), "nonce"),
        (reply(tick: 10), "ticks/s"),
        (reply(window: 0), "send window of 0"),
        (reply(window: 33), "send window of 33"),
    ])
    func otherMismatchesAreRefused(_ reply: IdentifyReply, _ fragment: String) {
        guard case .failure(let e) = Handshake.check(reply, nonce: 77) else {
            Issue.record("accepted \(reply)")
            return
        }
        #expect(e.description.contains(fragment), "\(e)")
    }
}

@Suite struct DeviceClockSyncTests {
    /// A device clock at 1 MHz running 40 ppm fast, powered up 3.7 s before host time 0.
    static func deviceTicks(atHost ns: UInt64) -> UInt64 {
        UInt64((Double(ns) + 3.7e9) * 1.000_040 / 1000)
    }

    @Test func fitsOffsetAndDriftFromJitteryRoundTrips() {
        var sync = DeviceClockSync(tickHertz: 1_000_000)
        var rng = SplitMix64(seed: 11)
        var host: UInt64 = 10_000_000_000
        for _ in 0..<40 {
            // One-way delays 100-400 µs each, sometimes a 5 ms stall.
            let out = UInt64.random(in: 100_000...400_000, using: &rng)
            let back = UInt64.random(in: 100_000...400_000, using: &rng) + (Bool.random(using: &rng) && Bool.random(using: &rng) ? 5_000_000 : 0)
            let ticks = Self.deviceTicks(atHost: host + out)
            sync.add(deviceTicks: ticks, hostSent: host, hostReceived: host + out + back)
            host += 1_000_000_000
        }
        #expect(abs(sync.driftPPM - 40) < 5, "drift \(sync.driftPPM) ppm")
        let probe = host + 250_000_000
        let mapped = sync.hostTime(forDeviceTicks: Self.deviceTicks(atHost: probe))!
        let error = mapped > probe ? mapped - probe : probe - mapped
        #expect(error < 300_000, "mapping error \(error) ns")
    }

    @Test func slowRoundTripsAreNotUsed() {
        var sync = DeviceClockSync(tickHertz: 1_000_000)
        let fast = sync.add(deviceTicks: 1000, hostSent: 0, hostReceived: 200_000)
        let slow = sync.add(deviceTicks: 2000, hostSent: 1_000_000, hostReceived: 6_000_000)
        let backwards = sync.add(deviceTicks: 3000, hostSent: 5, hostReceived: 1)
        #expect(fast)
        #expect(!slow)
        #expect(!backwards, "time running backwards")
    }

    @Test func nothingIsMappedBeforeTheFirstSample() {
        let sync = DeviceClockSync(tickHertz: 1_000_000)
        #expect(!sync.isSynchronised && sync.hostTime(forDeviceTicks: 5) == nil)
    }
}
