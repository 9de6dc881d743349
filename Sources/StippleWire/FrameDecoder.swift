/// A frame that passed its CRC. `payload` points into the decoder's buffer and is valid only
/// during the callback that received it.
public struct DecodedFrame {
    public var seq: UInt8
    public var ack: UInt8
    public var nak: Bool
    public var payload: UnsafeRawBufferPointer
    /// nil for control frames; for data frames, nil when the payload matches the table.
    public var messageProblem: MessageError?
    public var isControl: Bool { payload.isEmpty }
}

/// What the decoder reports, in input order (Firmware-Protocol/README.md section 2.1).
public enum DecoderEvent {
    case frame(DecodedFrame)
    /// Bytes skipped while looking for SYNC; once per run.
    case garbage
    case badLength
    case unknownMessage
    case badCRC
    case badSequence
}

/// A streaming frame decoder: accepts bytes in any split, resynchronises after garbage by
/// dropping a single byte at a time, and never allocates after init.
public final class FrameDecoder {
    private static let capacity = 2 * FrameFormat.maximumLength
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private var inGarbage = false

    public init() {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.capacity, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Bytes held awaiting the rest of a frame.
    public var pending: Int { count }

    /// Forgets any partial frame (after a reconnect).
    public func reset() {
        count = 0
        inGarbage = false
    }

    /// Feeds bytes; `handle` is called for each event, in order.
    public func feed(_ bytes: UnsafeRawBufferPointer, _ handle: (DecoderEvent) -> Void) {
        var i = 0
        while i < bytes.count {
            let n = min(Self.capacity - count, bytes.count - i)
            (buffer.baseAddress! + count).copyMemory(from: bytes.baseAddress! + i, byteCount: n)
            count += n
            i += n
            process(handle)
        }
    }

    public func feed(_ bytes: [UInt8], _ handle: (DecoderEvent) -> Void) {
        bytes.withUnsafeBytes { feed($0, handle) }
    }

    private func process(_ handle: (DecoderEvent) -> Void) {
        while count > 0 {
            if buffer[0] != FrameFormat.sync {
                var j = 1
                while j < count && buffer[j] != FrameFormat.sync { j += 1 }
                if !inGarbage {
                    inGarbage = true
                    handle(.garbage)
                }
                drop(j)
                continue
            }
            inGarbage = false
            guard count >= 2 else { return }
            let length = Int(buffer[1])
            guard length >= FrameFormat.minimumLength && length <= FrameFormat.maximumLength else {
                handle(.badLength)
                drop(1)
                continue
            }
            guard count >= length else { return }
            var crc = CRC16.initial
            for k in 1..<(length - 2) { crc = CRC16.update(crc, buffer[k]) }
            if length > FrameFormat.overhead {
                let extra = MessageTable.crcExtraByID[Int(buffer[4])]
                guard extra >= 0 else {
                    handle(.unknownMessage)
                    drop(1)
                    continue
                }
                crc = CRC16.update(crc, UInt8(extra))
            }
            let sent = UInt16(buffer[length - 2]) | UInt16(buffer[length - 1]) << 8
            guard crc == sent else {
                handle(.badCRC)
                drop(1)
                continue
            }
            let seqByte = buffer[2], ack = buffer[3]
            let nak = seqByte & FrameFormat.nakFlag != 0
            if (nak && length > FrameFormat.overhead) || ack & 0x80 != 0 {
                handle(.badSequence)
                drop(length)
                continue
            }
            let payload = UnsafeRawBufferPointer(rebasing: buffer[4..<(length - 2)])
            let problem = payload.isEmpty ? nil : Message.check(payload)
            handle(.frame(DecodedFrame(seq: seqByte & 0x7F, ack: ack, nak: nak, payload: payload, messageProblem: problem)))
            drop(length)
        }
    }

    private func drop(_ n: Int) {
        // Never below zero, even if a handler reset the decoder mid-feed.
        let rest = max(0, count - n)
        if rest > 0 {
            (buffer.baseAddress!).copyMemory(from: buffer.baseAddress! + n, byteCount: rest)
        }
        count = rest
    }
}
