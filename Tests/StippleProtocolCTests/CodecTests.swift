// Behaviour the vectors do not pin down: sp_frame_encode's argument checks, framing in place,
// and that the decoder gives the same events for any read size on long streams.
import Foundation
import StippleProtocolC
import Testing

/// Deterministic generator for read sizes (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func encode(seq: UInt8, ack: UInt8, nak: Bool, payload: [UInt8], cap: Int = Int(SP_MAX_FRAME)) -> [UInt8]? {
    var frame = [UInt8](repeating: 0, count: max(cap, 1))
    let length = payload.withUnsafeBufferPointer { p in
        sp_frame_encode(&frame, cap, seq, ack, nak, p.baseAddress, p.count)
    }
    return length == 0 ? nil : Array(frame.prefix(length))
}

@Suite struct CodecTests {
    let heartbeat: [UInt8] = [UInt8(SP_ID_HEARTBEAT), 1, 2, 3, 4]

    @Test func encodeRefusesInvalidArguments() {
        #expect(encode(seq: 0, ack: 0, nak: false, payload: heartbeat) != nil)
        #expect(encode(seq: 128, ack: 0, nak: false, payload: heartbeat) == nil, "seq > 127")
        #expect(encode(seq: 0, ack: 128, nak: false, payload: []) == nil, "ack > 127")
        #expect(encode(seq: 0, ack: 0, nak: true, payload: heartbeat) == nil, "nak with payload")
        #expect(encode(seq: 0, ack: 0, nak: false, payload: [0xEE, 0]) == nil, "unknown message id")
        #expect(encode(seq: 0, ack: 0, nak: false, payload: [0]) == nil, "id 0 is not a message")
        let tooLong = [UInt8(SP_ID_LOG_MESSAGE)] + [UInt8](repeating: 0, count: Int(SP_MAX_PAYLOAD))
        #expect(encode(seq: 0, ack: 0, nak: false, payload: tooLong) == nil, "payload over 58 bytes")
        #expect(encode(seq: 0, ack: 0, nak: false, payload: heartbeat, cap: 10) == nil, "cap too small")
        #expect(encode(seq: 0, ack: 0, nak: false, payload: heartbeat, cap: 11)?.count == 11, "cap exact")
        #expect(encode(seq: 0, ack: 0, nak: false, payload: [], cap: 5) == nil)
        #expect(encode(seq: 127, ack: 127, nak: true, payload: [])?.count == 6)
        var frame = [UInt8](repeating: 0, count: 64)
        #expect(sp_frame_encode(&frame, 64, 0, 0, false, nil, 3) == 0, "NULL payload with a length")
        #expect(sp_frame_encode(nil, 64, 0, 0, false, nil, 0) == 0, "NULL out")
    }

    @Test func encodesAPayloadAlreadyInTheFrameBuffer() {
        let expected = encode(seq: 9, ack: 4, nak: false, payload: heartbeat)!
        var frame = [UInt8](repeating: 0, count: 64)
        frame.replaceSubrange(4..<9, with: heartbeat)
        let length = frame.withUnsafeMutableBufferPointer { f in
            sp_frame_encode(f.baseAddress, f.count, 9, 4, false, f.baseAddress! + 4, heartbeat.count)
        }
        #expect(Array(frame.prefix(length)) == expected)
    }

    @Test func maximumLengthFrameRoundTrips() throws {
        let text = [UInt8](repeating: UInt8(ascii: "z"), count: 48)
        let payload = [UInt8(SP_ID_LOG_MESSAGE), 1, 48] + text
        #expect(payload.count + 6 < Int(SP_MAX_FRAME))
        let frame = try #require(encode(seq: 1, ack: 2, nak: false, payload: payload))
        let decoder = RecordingDecoder()
        decoder.feed(frame)
        #expect(decoder.events.map(\.message) == ["ok"])
    }

    /// Every vector frame with garbage, corruption and a lone SYNC between them: a few
    /// thousand bytes, decoded in one read, one byte at a time and with random read sizes.
    @Test func anyReadSizeGivesTheSameEvents() {
        var stream: [UInt8] = []
        for (index, vector) in messageVectors.cases.enumerated() {
            let frame = [UInt8](hex: vector.frame)
            stream += frame
            switch index % 4 {
            case 0: stream += [0x00, 0x7E]                                  // garbage, lone SYNC
            case 1: stream += frame.dropLast() + [frame.last! ^ 0xFF]       // bad CRC
            case 2: stream += [0x7E, 0x02, 0x55]                            // bad length
            default: break
            }
        }
        #expect(stream.count > 1000)

        let whole = RecordingDecoder()
        whole.feed(stream)
        let frames = whole.events.filter { $0.kind == "frame" }
        #expect(frames.count >= messageVectors.cases.count)
        #expect(Array(frames.prefix(2).map(\.payload)) == messageVectors.cases.prefix(2).map(\.payload))

        let single = decode(stream, chunks: Array(repeating: 1, count: stream.count))
        #expect(single.events == whole.events)
        #expect(single.pending == whole.pending)

        var rng = SplitMix(state: 0x5717_9913)
        for _ in 0..<20 {
            var chunks: [Int] = []
            var total = 0
            while total < stream.count {
                let size = Int.random(in: 0...200, using: &rng)
                chunks.append(size)
                total += size
            }
            let split = decode(stream, chunks: chunks)
            #expect(split.events == whole.events)
            #expect(split.pending == whole.pending)
        }
    }

    @Test func pendingNeverExceedsOneFrame() {
        let decoder = RecordingDecoder()
        // A 64-byte LEN with nothing valid after it: the decoder holds 63 bytes, then resyncs.
        let partial = [0x7E, 64] + [UInt8](repeating: 0xEE, count: 61)   // 0xEE: no such message
        decoder.feed(partial)
        #expect(decoder.pending == 63)
        #expect(decoder.events.isEmpty)
        decoder.feed([0xEE])
        #expect(decoder.events.map(\.kind) == ["unknown_message", "garbage"])
        #expect(decoder.pending == 0)
    }
}
