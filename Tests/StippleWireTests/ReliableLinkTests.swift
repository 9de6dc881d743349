import Testing
import StippleWire

@Suite("Reliable link")
struct ReliableLinkTests {
    static let step: UInt64 = 100_000  // 100 µs of virtual time per tick

    /// Runs host and device links over two lossy channels until `done` or `limit`.
    struct Pair {
        var now: UInt64 = 0
        let host: ReliableLink
        let device: ReliableLink
        var toDevice: LossyChannel
        var toHost: LossyChannel

        init(seed: UInt64, configuration: LinkConfiguration = LinkConfiguration()) {
            host = ReliableLink(role: .host, configuration: configuration, now: 0)
            device = ReliableLink(role: .device, configuration: configuration, now: 0)
            toDevice = LossyChannel(seed: seed)
            toHost = LossyChannel(seed: seed ^ 0xDEAD_BEEF)
        }

        mutating func tick(hostGot: (Message) -> Void, deviceGot: (Message) -> Void) {
            now += ReliableLinkTests.step
            for bytes in toDevice.arrivals(now: now) { device.receive(bytes, now: now, deliver: deviceGot) }
            for bytes in toHost.arrivals(now: now) { host.receive(bytes, now: now, deliver: hostGot) }
            let t = now
            host.poll(now: t) { toDevice.send($0, now: t) }
            device.poll(now: t) { toHost.send($0, now: t) }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func hundredThousandCommandsArriveExactlyOnceInOrderOverALossyLink() throws {
        var pair = Pair(seed: 2026)
        for ch in [\Pair.toDevice, \Pair.toHost] {
            pair[keyPath: ch].dropRate = 0.05
            pair[keyPath: ch].corruptRate = 0.05
            pair[keyPath: ch].duplicateRate = 0.05
            pair[keyPath: ch].delayRate = 0.05
        }
        let total: UInt32 = 100_000
        var nextToSend: UInt32 = 0
        var deviceExpects: UInt32 = 0
        var deviceDisorder = 0
        var telemetrySent: UInt32 = 0
        var hostExpects: UInt32 = 0
        var hostDisorder = 0
        while deviceExpects < total && pair.now < 600_000_000_000 {
            while nextToSend < total, (try? pair.host.send(.heartbeat(counter: nextToSend))) != nil { nextToSend += 1 }
            if pair.now % 1_000_000 == 0 {
                // The device streams telemetry back, reliably too.
                let t = Telemetry(deviceTicks: pair.now, rateMillihertz: 120_000, depthMicrometres: 800,
                                  motorCurrentMilliamperes: 300, strokeCount: telemetrySent, stateFlags: 0)
                if (try? pair.device.send(.telemetry(t))) != nil { telemetrySent += 1 }
            }
            pair.tick(hostGot: { m in
                guard case .telemetry(let t) = m else { hostDisorder += 1; return }
                if t.strokeCount == hostExpects { hostExpects += 1 } else { hostDisorder += 1 }
            }, deviceGot: { m in
                guard case .heartbeat(let c) = m else { deviceDisorder += 1; return }
                if c == deviceExpects { deviceExpects += 1 } else { deviceDisorder += 1 }
            })
            try #require(!pair.host.isDown && !pair.device.isDown, "link declared down at \(pair.now) ns: host \(pair.host.statistics) device \(pair.device.statistics) inflight \(pair.device.inFlight)")
        }
        #expect(deviceExpects == total, "every command delivered")
        #expect(deviceDisorder == 0, "no duplicate, missing or reordered command")
        #expect(hostDisorder == 0, "telemetry in order, exactly once")
        #expect(hostExpects > 1000)
        // The faults were really injected and really handled.
        #expect(pair.toDevice.dropped > 1000 && pair.toDevice.corrupted > 1000)
        #expect(pair.toDevice.duplicated > 1000 && pair.toDevice.delayed > 1000)
        let s = pair.device.statistics
        #expect(s.crcErrors > 0 && s.duplicatesDropped > 0 && s.outOfOrderDropped > 0)
        #expect(pair.host.statistics.retransmissions > 0 && pair.host.statistics.naksReceived > 0)
        #expect(pair.host.statistics.smoothedRTT > 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aDeadLinkIsReportedWithinItsTimeout() {
        var pair = Pair(seed: 7)
        var counter: UInt32 = 0
        // A healthy second first, with heartbeats every 10 ms.
        while pair.now < 1_000_000_000 {
            if pair.now % 10_000_000 == 0 { try? pair.host.send(.heartbeat(counter: counter)); counter += 1 }
            pair.tick(hostGot: { _ in }, deviceGot: { _ in })
        }
        #expect(!pair.host.isDown)
        let cutAt = pair.now
        pair.toDevice.cut = true
        pair.toHost.cut = true
        var downAt: UInt64?
        while downAt == nil && pair.now < cutAt + 2_000_000_000 {
            if pair.now % 10_000_000 == 0 { try? pair.host.send(.heartbeat(counter: counter)); counter += 1 }
            pair.tick(hostGot: { _ in }, deviceGot: { _ in })
            if pair.host.isDown { downAt = pair.now }
        }
        let timeout = LinkConfiguration().linkTimeout
        let detected = (downAt ?? .max) - cutAt
        #expect(detected <= timeout + 10_000_000 + Self.step, "link-down after \(detected / 1_000_000) ms")
        #expect(detected >= timeout - 10_000_000, "not declared down early")
        #expect(throws: LinkSendError.linkDown) { try pair.host.send(.heartbeat(counter: 0)) }
    }

    @Test func aFullQueueRefusesInsteadOfDropping() throws {
        var c = LinkConfiguration()
        c.sendQueueCapacity = 3
        let link = ReliableLink(role: .host, configuration: c, now: 0)
        for i in 0..<3 { try link.send(.heartbeat(counter: UInt32(i))) }
        #expect(throws: LinkSendError.queueFull) { try link.send(.heartbeat(counter: 3)) }
        #expect(link.queued == 3)
    }

    @Test func windowLimitsFramesInFlight() throws {
        let link = ReliableLink(role: .host, now: 0)
        for i in 0..<20 { try link.send(.heartbeat(counter: UInt32(i))) }
        var frames = 0
        link.poll(now: 1) { _ in frames += 1 }
        #expect(frames == LinkConfiguration().window)
        #expect(link.inFlight == 8 && link.queued == 12)
    }

    @Test func identifyResetsTheDevicesSequencing() throws {
        // A device that saw an old connection must accept a new host starting from seq 0.
        var pair = Pair(seed: 1)
        var got: [Message] = []
        for i in 0..<5 { try pair.host.send(.heartbeat(counter: UInt32(i))) }
        for _ in 0..<50 { pair.tick(hostGot: { _ in }, deviceGot: { got.append($0) }) }
        #expect(got.count == 5)
        // The host restarts (new process): its numbering starts again at 0.
        pair.host.reset(now: pair.now)
        try pair.host.send(.identify(protocolVersion: 1, tableHash: MessageTable.tableHash, nonce: 9))
        try pair.host.send(.heartbeat(counter: 100))
        got = []
        for _ in 0..<50 { pair.tick(hostGot: { _ in }, deviceGot: { got.append($0) }) }
        #expect(got == [.identify(protocolVersion: 1, tableHash: MessageTable.tableHash, nonce: 9), .heartbeat(counter: 100)])
    }

    @Test func rtoFollowsRFC6298AndStaysWithinBounds() throws {
        var pair = Pair(seed: 3)
        for ch in [\Pair.toDevice, \Pair.toHost] { pair[keyPath: ch].baseDelay = 2_000_000 }
        for i in 0..<50 { try pair.host.send(.heartbeat(counter: UInt32(i))) }
        for _ in 0..<2000 { pair.tick(hostGot: { _ in }, deviceGot: { _ in }) }
        let s = pair.host.statistics
        // Round trip: 2 ms each way plus up to 1 ms delayed ACK, quantised by the 100 µs tick.
        #expect(s.smoothedRTT >= 4_000_000 && s.smoothedRTT <= 5_300_000, "srtt \(s.smoothedRTT)")
        #expect(s.retransmissionTimeout >= LinkConfiguration().minimumRTO)
        #expect(s.retransmissionTimeout <= LinkConfiguration().maximumRTO)
        #expect(s.retransmissions == 0, "a clean link never retransmits")
    }
}

@Suite("Reliable link: repeated identify")
struct RepeatedIdentifyTests {
    @Test func aRetransmittedIdentifyIsADuplicateNotAReconnection() throws {
        let device = ReliableLink(role: .device, now: 0)
        var got: [Message] = []
        func frame(_ m: Message, seq: UInt8) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 64)
            let n = try out.withUnsafeMutableBytes { try FrameEncoder.message(m, seq: seq, ack: 0, into: $0) }
            return Array(out[0..<n])
        }
        let identify = Message.identify(protocolVersion: 1, tableHash: MessageTable.tableHash, nonce: 42)
        device.receive(try frame(identify, seq: 5), now: 1) { got.append($0) }
        device.receive(try frame(.heartbeat(counter: 1), seq: 6), now: 2) { got.append($0) }
        // The host did not see our ACK and resends identify: same nonce, behind recv_next.
        device.receive(try frame(identify, seq: 5), now: 3) { got.append($0) }
        device.receive(try frame(.heartbeat(counter: 1), seq: 6), now: 4) { got.append($0) }
        #expect(got == [identify, .heartbeat(counter: 1)], "delivered once each")
        #expect(device.statistics.duplicatesDropped == 2)
        // A new host (new nonce) still resets the device, whatever its SEQ.
        let fresh = Message.identify(protocolVersion: 1, tableHash: MessageTable.tableHash, nonce: 43)
        device.receive(try frame(fresh, seq: 0), now: 5) { got.append($0) }
        #expect(got.last == fresh)
    }
}
