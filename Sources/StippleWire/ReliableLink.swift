/// Sequenced, acknowledged, in-order, exactly-once delivery of messages over a lossy byte
/// stream (Firmware-Protocol/README.md section 3): go-back-N with a send window, cumulative ACKs,
/// NAK on a gap, RFC 6298 retransmission timeouts, and link-down detection.
///
/// It does no I/O and reads no clock: the caller feeds received bytes and the current time, and
/// transmits what `poll` hands it. Tests drive it in virtual time. All storage is allocated at
/// init; sending and receiving allocate nothing (a `log_message`'s text aside).
public final class ReliableLink {
    public let role: LinkRole
    public let configuration: LinkConfiguration
    public private(set) var statistics = LinkStatistics()
    /// Latched when frames stay unacknowledged with nothing valid from the peer for
    /// `linkTimeout`; cleared only by `reset`.
    public private(set) var isDown = false

    private static let slots = 32
    private static let slotSize = FrameFormat.maximumPayload

    private let decoder = FrameDecoder()
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: FrameFormat.maximumLength, alignment: 8)

    // Sent, unacknowledged frames, by seq % 32.
    private let flight = UnsafeMutableRawBufferPointer.allocate(byteCount: slots * slotSize, alignment: 8)
    private var flightLength = [Int](repeating: 0, count: slots)
    private var flightSentAt = [UInt64](repeating: 0, count: slots)
    private var flightFirstSentAt = [UInt64](repeating: 0, count: slots)
    private var flightRetransmitted = [Bool](repeating: false, count: slots)
    private var sendBase = 0
    private var sendNext = 0
    private var timerStart: UInt64 = 0
    private var retransmitNow = false

    // Messages waiting for the window.
    private let queue: UnsafeMutableRawBufferPointer
    private var queueLength: [Int]
    private var queueHead = 0
    private var queueCount = 0

    // Receive side.
    private var recvNext = 0
    private var nakSentForGap = false
    private var nakPending = false
    private var ackPendingSince: UInt64?
    private var ackImmediately = false
    private var lastValidReceive: UInt64
    private var lastIdentifyNonce: UInt32?

    // RFC 6298 state.
    private var srtt: UInt64 = 0
    private var rttvar: UInt64 = 0
    private var rto: UInt64

    public init(role: LinkRole, configuration: LinkConfiguration = LinkConfiguration(), now: UInt64) {
        precondition((1...Self.slots).contains(configuration.window), "window must be 1-32")
        precondition(configuration.sendQueueCapacity > 0, "send queue capacity must be positive")
        self.role = role
        self.configuration = configuration
        queue = UnsafeMutableRawBufferPointer.allocate(byteCount: configuration.sendQueueCapacity * Self.slotSize, alignment: 8)
        queueLength = [Int](repeating: 0, count: configuration.sendQueueCapacity)
        rto = configuration.initialRTO
        lastValidReceive = now
        statistics.retransmissionTimeout = rto
    }

    deinit {
        scratch.deallocate()
        flight.deallocate()
        queue.deallocate()
    }

    /// Data frames sent and not yet acknowledged.
    public var inFlight: Int { (sendNext - sendBase) & 127 }

    /// Messages waiting for a window slot.
    public var queued: Int { queueCount }

    /// Starts afresh, as at (re)connection: sequence numbers from 0, nothing queued or in flight.
    public func reset(now: UInt64) {
        sendBase = 0
        sendNext = 0
        recvNext = 0
        queueHead = 0
        queueCount = 0
        retransmitNow = false
        nakSentForGap = false
        nakPending = false
        ackPendingSince = nil
        ackImmediately = false
        lastValidReceive = now
        isDown = false
        decoder.reset()
        srtt = 0
        rttvar = 0
        rto = configuration.initialRTO
        statistics.retransmissionTimeout = rto
    }

    /// Queues a message for reliable delivery. Refuses rather than drops when the queue is full.
    public func send(_ message: Message) throws(LinkSendError) {
        guard !isDown else { throw .linkDown }
        guard queueCount < configuration.sendQueueCapacity else { throw .queueFull }
        let slot = (queueHead + queueCount) % configuration.sendQueueCapacity
        let room = UnsafeMutableRawBufferPointer(rebasing: queue[(slot * Self.slotSize)..<((slot + 1) * Self.slotSize)])
        do { queueLength[slot] = try message.encode(into: room) } catch { throw .encoding(error) }
        queueCount += 1
    }

    /// Feeds bytes from the peer; `deliver` gets each new message once, in order.
    public func receive(_ bytes: UnsafeRawBufferPointer, now: UInt64, deliver: (Message) -> Void) {
        decoder.feed(bytes) { event in
            switch event {
            case .frame(let f): handle(f, now: now, deliver: deliver)
            case .garbage: statistics.garbageRuns += 1
            case .badLength: statistics.lengthErrors += 1
            case .unknownMessage: statistics.unknownMessages += 1
            case .badCRC: statistics.crcErrors += 1
            case .badSequence: statistics.sequenceErrors += 1
            }
        }
    }

    public func receive(_ bytes: [UInt8], now: UInt64, deliver: (Message) -> Void) {
        bytes.withUnsafeBytes { receive($0, now: now, deliver: deliver) }
    }

    private func handle(_ f: DecodedFrame, now: UInt64, deliver: (Message) -> Void) {
        statistics.framesReceived += 1
        lastValidReceive = now
        if !f.isControl, role == .device, f.payload[0] == 0x01, !isRepeatedIdentify(f) {
            // identify: the host (re)connects; adopt its numbering and restart ours.
            lastIdentifyNonce = f.payload.count >= 11 ? LittleEndian.load(UInt32.self, from: f.payload, at: 7) : nil
            recvNext = Int(f.seq)
            sendBase = 0
            sendNext = 0
            queueCount = 0
            retransmitNow = false
            nakSentForGap = false
        } else {
            acknowledge(upTo: Int(f.ack), now: now)
            if f.nak {
                statistics.naksReceived += 1
                if inFlight > 0 { retransmitNow = true }
            }
        }
        guard !f.isControl else { return }
        let ahead = (Int(f.seq) - recvNext) & 127
        if ahead == 0 {
            recvNext = (recvNext + 1) & 127
            nakSentForGap = false
            if ackPendingSince == nil { ackPendingSince = now }
            if f.messageProblem != nil {
                statistics.messageErrors += 1
                return
            }
            switch Message.decode(f.payload) {
            case .success(let m):
                statistics.messagesDelivered += 1
                deliver(m)
            case .failure:
                statistics.messageErrors += 1
            }
        } else if ahead < 64 {
            // A gap: an earlier frame was lost. Ask once for a resend from the one we need.
            statistics.outOfOrderDropped += 1
            if !nakSentForGap {
                nakSentForGap = true
                nakPending = true
            }
        } else {
            // Already delivered: our ACK was probably lost; repeat it now.
            statistics.duplicatesDropped += 1
            if ackPendingSince == nil { ackPendingSince = now }
            ackImmediately = true
        }
    }

    /// A retransmitted identify (same nonce, already delivered) is a duplicate, not a reconnection:
    /// resetting again would drop replies and run the commands after it twice.
    private func isRepeatedIdentify(_ f: DecodedFrame) -> Bool {
        guard let last = lastIdentifyNonce, f.payload.count >= 11 else { return false }
        let behind = (Int(f.seq) - recvNext) & 127 >= 64
        return behind && LittleEndian.load(UInt32.self, from: f.payload, at: 7) == last
    }

    private func acknowledge(upTo ack: Int, now: UInt64) {
        let released = (ack - sendBase) & 127
        guard released > 0, released <= inFlight else { return }
        var sample: UInt64?
        for k in 0..<released {
            let slot = (sendBase + k) % Self.slots
            // Karn: only frames sent once give an unambiguous round trip.
            if !flightRetransmitted[slot] { sample = now &- flightSentAt[slot] }
        }
        sendBase = ack
        if let sample {
            updateRTO(sample)
        } else {
            // Progress without a clean sample (Karn): the path works again, so drop the backoff.
            // Backoff guards against congestion, which a point-to-point cable does not have.
            rto = srtt == 0 ? configuration.initialRTO : clampRTO(srtt + max(1_000_000, 4 * rttvar))
            statistics.retransmissionTimeout = rto
        }
        timerStart = now
    }

    private func updateRTO(_ r: UInt64) {
        if srtt == 0 {
            srtt = r
            rttvar = r / 2
        } else {
            let diff = srtt > r ? srtt - r : r - srtt
            rttvar = (3 * rttvar + diff) / 4
            srtt = (7 * srtt + r) / 8
        }
        rto = clampRTO(srtt + max(1_000_000, 4 * rttvar))
        statistics.smoothedRTT = srtt
        statistics.retransmissionTimeout = rto
    }

    private func clampRTO(_ v: UInt64) -> UInt64 {
        min(max(v, configuration.minimumRTO), configuration.maximumRTO)
    }

    /// Sends what is due at `now`: retransmissions, new frames within the window, NAK and ACK.
    public func poll(now: UInt64, transmit: (UnsafeRawBufferPointer) -> Void) {
        guard !isDown else { return }
        if inFlight > 0 {
            let oldest = flightFirstSentAt[sendBase % Self.slots]
            if now &- max(lastValidReceive, oldest) >= configuration.linkTimeout {
                isDown = true
                return
            }
            let timedOut = now &- timerStart >= rto
            if retransmitNow || timedOut {
                if timedOut && !retransmitNow {
                    statistics.timeouts += 1
                    rto = min(rto * 2, configuration.maximumRTO)
                    statistics.retransmissionTimeout = rto
                }
                retransmitNow = false
                for k in 0..<inFlight {
                    let seq = (sendBase + k) & 127
                    let slot = seq % Self.slots
                    flightRetransmitted[slot] = true
                    flightSentAt[slot] = now
                    transmitData(slot: slot, seq: seq, transmit)
                    statistics.retransmissions += 1
                }
                timerStart = now
            }
        }
        while inFlight < configuration.window && queueCount > 0 {
            let seq = sendNext
            let slot = seq % Self.slots
            let q = queueHead
            let src = queue.baseAddress! + q * Self.slotSize
            (flight.baseAddress! + slot * Self.slotSize).copyMemory(from: src, byteCount: queueLength[q])
            flightLength[slot] = queueLength[q]
            queueHead = (queueHead + 1) % configuration.sendQueueCapacity
            queueCount -= 1
            if inFlight == 0 { timerStart = now }
            sendNext = (sendNext + 1) & 127
            flightRetransmitted[slot] = false
            flightSentAt[slot] = now
            flightFirstSentAt[slot] = now
            transmitData(slot: slot, seq: seq, transmit)
            statistics.dataFramesSent += 1
        }
        if nakPending {
            nakPending = false
            transmitControl(nak: true, transmit)
            statistics.naksSent += 1
        }
        if let since = ackPendingSince, ackImmediately || now &- since >= configuration.ackDelay {
            transmitControl(nak: false, transmit)
        }
    }

    private func transmitData(slot: Int, seq: Int, _ transmit: (UnsafeRawBufferPointer) -> Void) {
        let payload = UnsafeRawBufferPointer(rebasing: flight[(slot * Self.slotSize)..<(slot * Self.slotSize + flightLength[slot])])
        // Cannot fail: payloads were encoded against the table and sequence numbers are < 128.
        guard let n = try? FrameEncoder.data(seq: UInt8(seq), ack: UInt8(recvNext), payload: payload, into: scratch) else { return }
        transmit(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        // Every data frame carries the current ACK.
        ackPendingSince = nil
        ackImmediately = false
    }

    private func transmitControl(nak: Bool, _ transmit: (UnsafeRawBufferPointer) -> Void) {
        guard let n = try? FrameEncoder.control(seq: UInt8(sendNext), ack: UInt8(recvNext), nak: nak, into: scratch) else { return }
        transmit(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        statistics.controlFramesSent += 1
        ackPendingSince = nil
        ackImmediately = false
    }
}
