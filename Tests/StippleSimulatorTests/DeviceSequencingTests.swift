import Testing
import StippleSimulator
import StippleWire

/// The device's side of Firmware-Protocol/README.md section 3, frame by frame.
@Suite("Simulated machine: device sequencing")
struct DeviceSequencingTests {
    static func results(_ frames: [RawHost.Sent]) -> [String] {
        frames.compactMap { f in
            if case .commandResult(let id, let status, _) = f.message { "\(id):\(status)" } else { nil }
        }
    }

    @Test func identifyIsAcceptedWhateverItsSeqAndRestartsTheDeviceNumbering() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 9), seq: 93)
        let out = h.run(milliseconds: 2)
        let reply = try #require(out.first { $0.message != nil })
        #expect(reply.seq == 0 && reply.ack == 94 && !reply.nak)
        guard case .identifyReply(let r)? = reply.message else { Issue.record("not a reply"); return }
        #expect(r.nonce == 9)
    }

    @Test func aGapGetsExactlyOneNakUntilItClosesAndThenEverythingIsDeliveredInOrder() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 1), seq: 0)
        h.run(milliseconds: 2)
        // seq 1 is lost; 2 and 3 arrive.
        try h.data(.arm, seq: 2, ack: 1)
        try h.data(.start, seq: 3, ack: 1)
        var out = h.run(milliseconds: 5)
        #expect(out.filter(\.nak).count == 1, "one NAK for the gap, not one per frame")
        #expect(out.first(where: \.nak)?.ack == 1, "NAK names the frame it needs")
        #expect(Self.results(out).isEmpty, "nothing delivered out of order")
        #expect(h.machine.status.gapsReceived == 2)
        // Go-back-N from the host: 1, 2, 3.
        try h.data(.setDepth(depthMicrometres: 800, slewMicrometresPerSecond: 0), seq: 1, ack: 1)
        try h.data(.arm, seq: 2, ack: 1)
        try h.data(.start, seq: 3, ack: 1)
        out = h.run(milliseconds: 5)
        #expect(Self.results(out) == ["9:0", "6:0", "10:0"])
        #expect(out.last?.ack == 4)
        #expect(h.machine.status.running)
        // A new gap gets a NAK again.
        try h.data(.stop, seq: 5, ack: 1)
        #expect(h.run(milliseconds: 2).filter(\.nak).count == 1)
    }

    @Test func aDuplicateIsAcknowledgedAndNotRunTwice() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 1), seq: 0)
        try h.data(.arm, seq: 1, ack: 0)
        var out = h.run(milliseconds: 3)
        #expect(Self.results(out) == ["6:0"])
        let executed = h.machine.status.commandsExecuted
        try h.data(.arm, seq: 1, ack: 0)
        out = h.run(milliseconds: 1)
        let ack = try #require(out.first { $0.message == nil && !$0.nak })
        #expect(ack.ack == 2, "ACK repeats recv_next at once")
        #expect(Self.results(out).isEmpty)
        #expect(h.machine.status.commandsExecuted == executed)
        #expect(h.machine.status.duplicatesReceived == 1)
    }

    @Test func aRetransmittedIdentifyDoesNotResetTheConnectionAgain() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 7), seq: 0)
        try h.data(.arm, seq: 1, ack: 0)
        h.run(milliseconds: 3)
        // The identify again (its ACK was lost), then the host's next command.
        try h.data(Handshake.request(nonce: 7), seq: 0, ack: 2)
        try h.data(.start, seq: 2, ack: 2)
        let out = h.run(milliseconds: 3)
        #expect(Self.results(out) == ["10:0"], "arm is not run twice, start is run once")
        #expect(!out.contains { if case .identifyReply? = $0.message { true } else { false } })
        #expect(h.machine.status.running)
    }

    @Test func unacknowledgedFramesAreResentAfterTwentyMillisecondsWithinAWindowOfEight() throws {
        let h = try RawHost(telemetryHertz: 1000)
        try h.data(Handshake.request(nonce: 1), seq: 0)
        let out = h.run(milliseconds: 30)
        let data = out.filter { $0.message != nil }
        let distinct = Set(data.map(\.seq))
        #expect(distinct == Set(0..<8), "never more than 8 in flight: \(distinct.sorted())")
        let first = try #require(data.first { $0.seq == 0 })
        let again = try #require(data.dropFirst().first { $0.seq == 0 })
        #expect(again.at - first.at == 20_000_000, "resent after \(again.at - first.at) ns")
        #expect(data.filter { $0.at == again.at }.map(\.seq) == Array(0..<8), "go-back-N: all of them")
        #expect(h.machine.status.telemetryDropped > 0, "telemetry gives way while the window is full")
    }

    @Test func aCumulativeAckReleasesFramesAndANakResendsFromItsAck() throws {
        let h = try RawHost(telemetryHertz: 1000)
        try h.data(Handshake.request(nonce: 1), seq: 0)
        let sent = h.run(milliseconds: 5).filter { $0.message != nil }.map(\.seq)  // the reply, then telemetry
        let n = sent.count
        #expect(n >= 5 && sent == (0..<UInt8(n)).map { $0 })
        #expect(h.machine.status.framesInFlight == n)
        try h.control(seq: 1, ack: 3)
        #expect(h.machine.status.framesInFlight == n - 3, "ACK 3 releases 0, 1 and 2")
        try h.control(seq: 1, ack: 3, nak: true)
        let out = h.run(milliseconds: 0.1)
        #expect(out.compactMap { $0.message == nil ? nil : $0.seq }.prefix(n - 3) == (3..<UInt8(n)).map { $0 }[...])
    }

    @Test func commandsAreHeldBackRatherThanRunWithoutRoomForTheirReplies() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 1), seq: 0)
        // 100 commands while the host acknowledges nothing: results pile up in the device.
        for i in 1...100 { try h.data(.stop, seq: UInt8(i), ack: 0) }
        let s = h.machine.status
        let executed = s.commandsExecuted
        #expect(executed < 100 && s.commandsHeldBack > 0, "ran \(executed), held back \(s.commandsHeldBack)")
        #expect(s.replyOverflows == 0, "no result was lost")
        // The host acknowledges as results arrive and resends what was not acknowledged.
        var results = 0
        var ack: UInt8 = 0
        for _ in 0..<40 {
            let out = h.run(milliseconds: 1)
            results += Self.results(out).count
            if let last = out.last(where: { $0.message != nil }) { ack = (last.seq + 1) & 127 }
            try h.control(seq: 101, ack: ack)
            let next = h.machine.status.commandsExecuted + 1  // identify took seq 0
            if next <= 100 { for seq in next...100 { try h.data(.stop, seq: UInt8(seq), ack: ack) } }
        }
        #expect(h.machine.status.commandsExecuted == 100)
        #expect(results == 100, "every command answered exactly once")
    }

    @Test func aWrongLengthMessageCountsForSequencingButIsNotRun() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 1), seq: 0)
        h.run(milliseconds: 2)
        // "arm" with a stray field byte, with a CRC that is right for those bytes.
        var frame: [UInt8] = [0x7E, 8, 1, 0, 0x06, 0xAA]
        var crc: UInt16 = 0xFFFF
        for b in frame[1...] + [CRCExtra.arm] { crc = RawCRC.update(crc, b) }
        frame += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        h.raw(frame)
        try h.data(.arm, seq: 2, ack: 1)
        let out = h.run(milliseconds: 3)
        #expect(Self.results(out) == ["6:0"], "seq 2 was next: seq 1 counted")
        #expect(h.machine.status.messageErrors == 1)
        #expect(h.machine.status.gapsReceived == 0)
    }

    @Test func moreThanTwentyBadFramesInASecondLatchLinkErrors() throws {
        let h = try RawHost()
        try h.data(Handshake.request(nonce: 1), seq: 0)
        h.run(milliseconds: 2)
        let bad: [UInt8] = [0x7E, 6, 1, 0, 0x00, 0x00]  // a control frame with a wrong CRC
        for _ in 0..<20 { h.raw(bad); h.run(milliseconds: 10) }
        #expect(h.machine.status.crcErrors == 20)
        #expect(h.machine.status.latchedFault == nil, "20 is not more than 20")
        h.raw(bad)
        #expect(h.machine.status.latchedFault == 8)
        let out = h.run(milliseconds: 2)
        #expect(out.contains { if case .faultReport(_, 8, 21)? = $0.message { true } else { false } })
        // A second later the window has passed and the fault can be reset.
        h.run(milliseconds: 1000)
        try h.data(.resetFault(code: 8), seq: 1, ack: 1)
        #expect(Self.results(h.run(milliseconds: 2)) == ["15:0"])
    }
}

/// CRC-16/MCRF4XX byte step, from the spec, for hand-made frames.
enum RawCRC {
    static func update(_ crc: UInt16, _ b: UInt8) -> UInt16 {
        var t = b ^ UInt8(crc & 0xFF)
        t ^= t << 4
        let t16 = UInt16(t)
        return (crc >> 8) ^ (t16 << 8) ^ (t16 << 3) ^ (t16 >> 4)
    }
}

/// CRC_EXTRA values used by hand-made frames, from the Swift table.
enum CRCExtra {
    static var arm: UInt8 { MessageTable.descriptor(named: "arm")!.crcExtra }
}
