/// Why a frame could not be built.
public enum FrameEncodeError: Error, Sendable, Hashable, CustomStringConvertible {
    case sequenceOutOfRange(UInt8)
    case payloadTooLong(Int)
    case unknownMessage(UInt8)
    case bufferTooSmall(needed: Int, available: Int)
    case message(MessageError)

    public var description: String {
        switch self {
        case .sequenceOutOfRange(let v): "sequence/ack \(v) is above 127"
        case .payloadTooLong(let n): "payload of \(n) bytes exceeds \(FrameFormat.maximumPayload)"
        case .unknownMessage(let id): "message id 0x\(String(id, radix: 16)) is not in the table"
        case .bufferTooSmall(let n, let a): "frame needs \(n) bytes, buffer has \(a)"
        case .message(let e): e.description
        }
    }
}

/// Builds frames in caller-provided buffers (Firmware-Protocol/README.md section 2). No allocation.
public enum FrameEncoder {
    /// A control frame: an ACK, or a NAK asking for retransmission from `ack`.
    public static func control(seq: UInt8, ack: UInt8, nak: Bool, into out: UnsafeMutableRawBufferPointer) throws(FrameEncodeError) -> Int {
        try header(seq: seq, ack: ack, nak: nak, payloadLength: 0, into: out)
        return finish(length: FrameFormat.overhead, crcExtra: nil, out)
    }

    /// A data frame around a payload already encoded (id byte first).
    public static func data(seq: UInt8, ack: UInt8, payload: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws(FrameEncodeError) -> Int {
        guard let id = payload.first else { return try control(seq: seq, ack: ack, nak: false, into: out) }
        let extra = MessageTable.crcExtraByID[Int(id)]
        guard extra >= 0 else { throw .unknownMessage(id) }
        try header(seq: seq, ack: ack, nak: false, payloadLength: payload.count, into: out)
        for i in 0..<payload.count { out[4 + i] = payload[i] }
        return finish(length: FrameFormat.overhead + payload.count, crcExtra: UInt8(extra), out)
    }

    /// A data frame carrying `message`, encoded straight into `out`.
    public static func message(_ message: Message, seq: UInt8, ack: UInt8, into out: UnsafeMutableRawBufferPointer) throws(FrameEncodeError) -> Int {
        guard out.count >= FrameFormat.overhead else {
            throw .bufferTooSmall(needed: FrameFormat.overhead + 1, available: out.count)
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: out[4..<min(out.count - 2, 4 + FrameFormat.maximumPayload)])
        let n: Int
        do { n = try message.encode(into: room) } catch { throw .message(error) }
        try header(seq: seq, ack: ack, nak: false, payloadLength: n, into: out)
        return finish(length: FrameFormat.overhead + n, crcExtra: UInt8(MessageTable.crcExtraByID[Int(message.id)]), out)
    }

    private static func header(seq: UInt8, ack: UInt8, nak: Bool, payloadLength: Int, into out: UnsafeMutableRawBufferPointer) throws(FrameEncodeError) {
        guard seq < 128 else { throw .sequenceOutOfRange(seq) }
        guard ack < 128 else { throw .sequenceOutOfRange(ack) }
        guard payloadLength <= FrameFormat.maximumPayload else { throw .payloadTooLong(payloadLength) }
        let length = FrameFormat.overhead + payloadLength
        guard out.count >= length else { throw .bufferTooSmall(needed: length, available: out.count) }
        out[0] = FrameFormat.sync
        out[1] = UInt8(length)
        out[2] = nak ? seq | FrameFormat.nakFlag : seq
        out[3] = ack
    }

    private static func finish(length: Int, crcExtra: UInt8?, _ out: UnsafeMutableRawBufferPointer) -> Int {
        var crc = CRC16.initial
        for i in 1..<(length - 2) { crc = CRC16.update(crc, out[i]) }
        if let crcExtra { crc = CRC16.update(crc, crcExtra) }
        out[length - 2] = UInt8(truncatingIfNeeded: crc)
        out[length - 1] = UInt8(truncatingIfNeeded: crc >> 8)
        return length
    }
}
