import Testing
import PropertyBased
import StippleWire

@Suite("Codec properties")
struct CodecPropertyTests {
    @Test func everyMessageRoundTripsThroughAFrame() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...(SampleMessages.kinds - 1)),
                            Gen.uint64().array(of: 7), Gen<Character>.letterOrNumber.string(of: 0...48),
                            Gen.uint8(in: 0...127), Gen.uint8(in: 0...127)) { kind, values, text, seq, ack in
            let message = SampleMessages.make(kind, values, text: text)
            var out = [UInt8](repeating: 0, count: 64)
            guard let n = try? out.withUnsafeMutableBytes({ try FrameEncoder.message(message, seq: seq, ack: ack, into: $0) }) else {
                Issue.record("cannot encode \(message)")
                return
            }
            var got: [Message] = []
            FrameDecoder().feed(Array(out[0..<n])) { event in
                guard case .frame(let f) = event else { Issue.record("unexpected \(event)"); return }
                #expect(f.seq == seq && f.ack == ack && !f.nak)
                if case .success(let m) = Message.decode(f.payload) { got.append(m) }
            }
            #expect(got == [message])
        }
    }

    @Test func anyByteStringNeverCrashesAndDecodesTheSameInAnySplit() async {
        await propertyCheck(count: 3000, input: Gen.uint8().array(of: 0...300), Gen.int(in: 1...70)) { bytes, chunk in
            let whole = decodeEvents(bytes, chunks: nil)
            let split = decodeEvents(bytes, chunks: Array(repeating: chunk, count: bytes.count / chunk + 1))
            #expect(whole.events == split.events)
            #expect(whole.pending == split.pending)
            #expect(whole.pending <= 2 * FrameFormat.maximumLength)
        }
    }

    @Test func framesSurviveGarbageBetweenThem() async {
        // Garbage without a SYNC byte cannot fake a frame: every frame must come out, in order.
        await propertyCheck(count: 1000, input: Gen.int(in: 0...(SampleMessages.kinds - 1)).array(of: 1...10),
                            Gen.uint8(in: 0...0x7D).array(of: 0...20)) { kinds, garbage in
            var stream: [UInt8] = []
            var expected: [Message] = []
            for (i, kind) in kinds.enumerated() {
                stream += garbage.shuffled()
                let m = SampleMessages.make(kind, [UInt64(i) &* 0x9E37_79B9_7F4A_7C15, 3, 0x7E7E], text: "dot \(i)")
                var out = [UInt8](repeating: 0, count: 64)
                let n = (try? out.withUnsafeMutableBytes { try FrameEncoder.message(m, seq: UInt8(i), ack: 0, into: $0) }) ?? 0
                stream += out[0..<n]
                expected.append(m)
            }
            var got: [Message] = []
            FrameDecoder().feed(stream) { event in
                if case .frame(let f) = event, case .success(let m) = Message.decode(f.payload) { got.append(m) }
            }
            #expect(got == expected)
        }
    }
}
