import Testing
import PropertyBased
import StippleProtocolC
import StippleWire

/// The Swift decoder and the C reference decoder, fed the same bytes, must report the same
/// events: two independent implementations of one spec, checked against each other.
@Suite("Swift and C decoders agree")
struct CrossCodecTests {
    final class Collected {
        var events: [VectorFiles.Event] = []
    }

    static func cEvents(_ bytes: [UInt8]) -> (events: [VectorFiles.Event], pending: Int) {
        var decoder = sp_decoder()
        sp_decoder_init(&decoder)
        let box = Collected()
        let ctx = Unmanaged.passUnretained(box).toOpaque()
        bytes.withUnsafeBufferPointer { buf in
            _ = sp_decoder_feed(&decoder, buf.baseAddress, buf.count, { ev, ctx in
                let box = Unmanaged<Collected>.fromOpaque(ctx!).takeUnretainedValue()
                let e = ev!.pointee
                switch Int32(e.kind) {
                case SP_EV_FRAME:
                    let payload = Array(UnsafeBufferPointer(start: e.payload, count: Int(e.payload_len)))
                    let check: String? = e.message_check == SP_MSG_NONE ? nil : (e.message_check == SP_MSG_OK ? "ok" : "wrong_length")
                    box.events.append(.init(kind: "frame", seq: e.seq, ack: e.ack, nak: e.nak, payload: payload.hex, message: check))
                case SP_EV_GARBAGE: box.events.append(.init(kind: "garbage"))
                case SP_EV_BAD_LENGTH: box.events.append(.init(kind: "bad_length"))
                case SP_EV_UNKNOWN_MESSAGE: box.events.append(.init(kind: "unknown_message"))
                case SP_EV_BAD_CRC: box.events.append(.init(kind: "bad_crc"))
                default: box.events.append(.init(kind: "bad_sequence"))
                }
            }, ctx)
        }
        return (box.events, Int(sp_decoder_pending(&decoder)))
    }

    @Test func randomBytesGiveTheSameEvents() async {
        await propertyCheck(count: 2000, input: Gen.uint8().array(of: 0...400)) { bytes in
            let s = decodeEvents(bytes, chunks: nil), c = Self.cEvents(bytes)
            #expect(s.events == c.events)
            #expect(s.pending == c.pending)
        }
    }

    @Test func damagedStreamsOfRealFramesGiveTheSameEvents() async {
        // Valid frames with bytes flipped, dropped and inserted: the interesting inputs for resync.
        await propertyCheck(count: 2000, input: Gen.int(in: 0...(SampleMessages.kinds - 1)).array(of: 1...8),
                            Gen.int(in: 0...10_000).array(of: 0...6)) { kinds, damage in
            var stream: [UInt8] = []
            for (i, k) in kinds.enumerated() {
                var out = [UInt8](repeating: 0, count: 64)
                let m = SampleMessages.make(k, [UInt64(i) * 977, 0x7E, 31], text: "x\(i)")
                let n = (try? out.withUnsafeMutableBytes { try FrameEncoder.message(m, seq: UInt8(i), ack: 1, into: $0) }) ?? 0
                stream += out[0..<n]
            }
            for d in damage where !stream.isEmpty {
                let at = d % stream.count
                switch d % 3 {
                case 0: stream[at] ^= UInt8(truncatingIfNeeded: d | 1)
                case 1: stream.remove(at: at)
                default: stream.insert(UInt8(truncatingIfNeeded: d), at: at)
                }
            }
            let s = decodeEvents(stream, chunks: nil), c = Self.cEvents(stream)
            #expect(s.events == c.events)
            #expect(s.pending == c.pending)
        }
    }
}
