import StippleProtocolC

/// The firmware's half of the reliable link (Firmware-Protocol/README.md section 3), written here
/// from the spec rather than borrowed from StippleWire's `ReliableLink`, so that a host test
/// against the simulator checks one implementation of the rules against another: `recv_next`,
/// a duplicate answered with an ACK, a gap answered with one NAK until it closes, cumulative
/// ACKs, a send window of 8 with go-back-N on NAK or a fixed 20 ms timeout, and `identify`
/// restarting the numbering. Frames are built with the C reference codec (`sp_frame_encode`).
///
/// All storage is allocated at init; nothing per frame.
final class FirmwareLink {
    /// The window the firmware reports in `identify_reply` and keeps to.
    static let window = 8
    /// Replies, command results and fault reports wait here and take the window first, so a
    /// fault report is not stuck behind stale telemetry when the link has been congested.
    static let messageQueueCapacity = 64
    /// A command is taken only while this much room is left for what it may answer (config and
    /// command_result) plus a report of every fault code: the firmware never runs a command it
    /// could not answer, and never loses a fault report. A command refused for room is treated
    /// as lost (no ACK, `recv_next` unchanged), so the host resends it: back-pressure.
    static let replyReserve = 2 + FirmwareFault.allCases.count
    /// Telemetry waits apart; when it backs up the oldest sample gives way to the newest.
    static let telemetryQueueCapacity = 16
    /// Fixed retransmission timeout: the spec's RTO estimation is the host's refinement; a
    /// small firmware may use the initial 20 ms throughout.
    static let retransmitTimeout: UInt64 = 20_000_000
    /// A receiver with nothing to send acknowledges within 2 ms; this one within 1 ms.
    static let ackDelay: UInt64 = 1_000_000
    private static let slotSize = Int(SP_MAX_PAYLOAD)

    /// Counters a test reads to see the rules at work.
    struct Statistics {
        var dataFramesSent = 0
        var retransmissions = 0
        var timeouts = 0
        var naksSent = 0
        var naksReceived = 0
        var acksSent = 0
        var duplicatesReceived = 0
        var gapsReceived = 0
        var framesBeforeIdentify = 0
        /// In-order commands left unacknowledged because the reply queue was nearly full.
        var refusedForRoom = 0
        var telemetryDropped = 0
        var queueOverflows = 0
    }

    private(set) var statistics = Statistics()

    private let flight: UnsafeMutablePointer<UInt8>
    private let flightLength: UnsafeMutablePointer<Int>
    private let messages = PayloadQueue(capacity: FirmwareLink.messageQueueCapacity, slotSize: FirmwareLink.slotSize)
    private let telemetry = PayloadQueue(capacity: FirmwareLink.telemetryQueueCapacity, slotSize: FirmwareLink.slotSize)
    private let frame: UnsafeMutablePointer<UInt8>

    /// Messages waiting for the window.
    var queued: Int { messages.count + telemetry.count }

    private(set) var sendBase = 0
    private(set) var sendNext = 0
    private(set) var recvNext = 0
    private var timerStart: UInt64 = 0
    private var retransmitNow = false
    private var nakSentForGap = false
    private var nakPending = false
    private var ackDueAt: UInt64?
    private var ackNow = false
    /// An identify has opened a connection; before it the firmware talks to nobody.
    private(set) var connected = false
    private var connectionNonce: UInt32 = 0

    init() {
        flight = .allocate(capacity: Self.window * Self.slotSize)
        flightLength = .allocate(capacity: Self.window)
        flightLength.initialize(repeating: 0, count: Self.window)
        frame = .allocate(capacity: Int(SP_MAX_FRAME))
    }

    deinit {
        flight.deallocate()
        flightLength.deallocate()
        frame.deallocate()
    }

    var inFlight: Int { (sendNext - sendBase) & 127 }

    /// Forgets the connection (the host went away): nothing is sent until the next identify.
    func disconnect() {
        restartNumbering()
        connected = false
        recvNext = 0
    }

    private func restartNumbering() {
        sendBase = 0
        sendNext = 0
        messages.removeAll()
        telemetry.removeAll()
        retransmitNow = false
        nakSentForGap = false
        nakPending = false
        ackDueAt = nil
        ackNow = false
    }

    /// Applies a CRC-valid frame to the sequencing state; returns true when its message is new
    /// and in order, so the firmware must act on it. `identifyNonce` is set for a frame carrying
    /// a well-formed `identify`.
    func accept(seq: UInt8, ack: UInt8, nak: Bool, isData: Bool, identifyNonce: UInt32?, now: UInt64) -> Bool {
        if let nonce = identifyNonce {
            let behind = (Int(seq) - recvNext) & 127 >= 64
            if connected && nonce == connectionNonce && behind {
                // A retransmitted copy of the identify that opened this connection (our ACK was
                // lost). Resetting again would re-run every command since, so treat it as the
                // duplicate it is.
                statistics.duplicatesReceived += 1
                ackNow = true
                return false
            }
            // Section 3, Reset: accepted whatever its SEQ; drop our unacknowledged frames and
            // restart our numbering at 0.
            restartNumbering()
            connected = true
            connectionNonce = nonce
            recvNext = (Int(seq) + 1) & 127
            ackDueAt = now + Self.ackDelay
            return true
        }
        guard connected else {
            statistics.framesBeforeIdentify += 1
            return false
        }
        acknowledge(upTo: Int(ack), now: now)
        if nak {
            statistics.naksReceived += 1
            if inFlight > 0 { retransmitNow = true }
        }
        guard isData else { return false }
        let ahead = (Int(seq) - recvNext) & 127
        if ahead == 0 {
            guard messages.capacity - messages.count >= Self.replyReserve else {
                statistics.refusedForRoom += 1
                return false
            }
            recvNext = (recvNext + 1) & 127
            nakSentForGap = false
            if ackDueAt == nil { ackDueAt = now + Self.ackDelay }
            return true
        }
        if ahead < 64 {
            statistics.gapsReceived += 1
            if !nakSentForGap {
                nakSentForGap = true
                nakPending = true
            }
        } else {
            statistics.duplicatesReceived += 1
            ackNow = true
        }
        return false
    }

    private func acknowledge(upTo ack: Int, now: UInt64) {
        let released = (ack - sendBase) & 127
        guard released > 0, released <= inFlight else { return }
        sendBase = ack
        timerStart = now
    }

    /// Queues one message for reliable delivery: `pack` writes its payload (id byte first) into
    /// the slot it is given and returns the length, 0 on failure. A stale telemetry sample is
    /// worthless, so when telemetry backs up the oldest is dropped; anything else that finds its
    /// queue full is refused and counted.
    @discardableResult
    func enqueue(isTelemetry: Bool = false, _ pack: (UnsafeMutablePointer<UInt8>, Int) -> Int) -> Bool {
        guard connected else { return false }
        if isTelemetry {
            if telemetry.isFull {
                telemetry.dropOldest()
                statistics.telemetryDropped += 1
            }
            return telemetry.push(pack)
        }
        guard messages.push(pack) else {
            statistics.queueOverflows += 1
            return false
        }
        return true
    }

    /// Transmits what is due at `now`: retransmissions, new frames within the window, a NAK,
    /// an ACK.
    func poll(now: UInt64, transmit: (UnsafeRawBufferPointer) -> Void) {
        guard connected else { return }
        if inFlight > 0 {
            let timedOut = now &- timerStart >= Self.retransmitTimeout
            if retransmitNow || timedOut {
                if !retransmitNow { statistics.timeouts += 1 }
                retransmitNow = false
                for k in 0..<inFlight {
                    let seq = (sendBase + k) & 127
                    sendData(seq: seq, transmit)
                    statistics.retransmissions += 1
                }
                timerStart = now
            }
        }
        while inFlight < Self.window && queued > 0 {
            let seq = sendNext
            let slot = seq % Self.window
            let source = messages.count > 0 ? messages : telemetry
            flightLength[slot] = source.pop(into: flight + slot * Self.slotSize)
            if inFlight == 0 { timerStart = now }
            sendNext = (sendNext + 1) & 127
            sendData(seq: seq, transmit)
            statistics.dataFramesSent += 1
        }
        if nakPending {
            nakPending = false
            sendControl(nak: true, transmit)
            statistics.naksSent += 1
        }
        if ackNow || (ackDueAt.map { now >= $0 } ?? false) {
            sendControl(nak: false, transmit)
            statistics.acksSent += 1
        }
    }

    private func sendData(seq: Int, _ transmit: (UnsafeRawBufferPointer) -> Void) {
        let slot = seq % Self.window
        let n = sp_frame_encode(frame, Int(SP_MAX_FRAME), UInt8(seq), UInt8(recvNext), false,
                                flight + slot * Self.slotSize, flightLength[slot])
        guard n > 0 else { return }
        transmit(UnsafeRawBufferPointer(start: frame, count: n))
        // Every data frame carries the current ACK.
        ackDueAt = nil
        ackNow = false
    }

    private func sendControl(nak: Bool, _ transmit: (UnsafeRawBufferPointer) -> Void) {
        let n = sp_frame_encode(frame, Int(SP_MAX_FRAME), UInt8(sendNext), UInt8(recvNext), nak, nil, 0)
        guard n > 0 else { return }
        transmit(UnsafeRawBufferPointer(start: frame, count: n))
        ackDueAt = nil
        ackNow = false
    }
}
