// bad-inputs.json: every case through the C stream decoder with the vector's chunking, in one
// read and one byte at a time; the event list and the pending count must match exactly.
import Foundation
import StippleProtocolC
import Testing

struct BadInputCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let description: String
    let input: String
    let chunks: [Int]?
    let events: [DecoderEvent]
    let pending: Int

    var testDescription: String { name }
}

struct BadInputVectors: Decodable {
    let cases: [BadInputCase]
}

let badInputVectors = loadVectors("bad-inputs.json", as: BadInputVectors.self)

/// Feeds `input` in reads of the given sizes (the rest, if any, as one last read).
func decode(_ input: [UInt8], chunks: [Int]) -> RecordingDecoder {
    let decoder = RecordingDecoder()
    var offset = 0
    for size in chunks {
        let end = min(offset + size, input.count)
        decoder.feed(input[offset..<end])
        offset = end
    }
    if offset < input.count { decoder.feed(input[offset...]) }
    return decoder
}

@Suite struct BadInputTests {
    @Test func vectorsArePresent() {
        #expect(badInputVectors.cases.count > 0)
    }

    @Test(arguments: badInputVectors.cases)
    func withItsChunking(_ vector: BadInputCase) {
        let input = [UInt8](hex: vector.input)
        if let chunks = vector.chunks {
            #expect(chunks.reduce(0, +) == input.count, "chunks cover the input")
        }
        let decoder = decode(input, chunks: vector.chunks ?? [input.count])
        #expect(decoder.events == vector.events, "\(vector.description)")
        #expect(decoder.pending == vector.pending)
        #expect(decoder.reported == decoder.events.count, "sp_decoder_feed's return value")
    }

    @Test(arguments: badInputVectors.cases)
    func oneByteAtATime(_ vector: BadInputCase) {
        let input = [UInt8](hex: vector.input)
        let decoder = decode(input, chunks: Array(repeating: 1, count: input.count))
        #expect(decoder.events == vector.events, "\(vector.description)")
        #expect(decoder.pending == vector.pending)
    }

    @Test(arguments: badInputVectors.cases.filter { $0.chunks != nil })
    func inOneRead(_ vector: BadInputCase) {
        let input = [UInt8](hex: vector.input)
        let decoder = decode(input, chunks: [input.count])
        #expect(decoder.events == vector.events, "\(vector.description)")
        #expect(decoder.pending == vector.pending)
    }
}
