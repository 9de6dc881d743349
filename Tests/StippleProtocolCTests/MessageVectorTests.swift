// messages.json: every case through sp_pack_<name> + sp_frame_encode (bytes must match the
// vector's payload and frame) and back through the stream decoder + sp_unpack_<name> (fields
// must match).
import Foundation
import StippleProtocolC
import Testing

struct MessageCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let message: String?
    let id: Int?
    let seq: Int
    let ack: Int
    let nak: Bool?
    let fields: [String: FieldValue]
    let payload: String
    let frame: String

    var testDescription: String { name }
}

struct MessageVectors: Decodable {
    let protocol_version: Int
    let table_hash: UInt32
    let cases: [MessageCase]
}

let messageVectors = loadVectors("messages.json", as: MessageVectors.self)

@Suite struct MessageVectorTests {
    @Test func fileHeaderMatchesTheCodec() {
        #expect(messageVectors.protocol_version == Int(SP_PROTOCOL_VERSION))
        #expect(messageVectors.table_hash == SP_TABLE_HASH)
        #expect(messageVectors.cases.count > 0)
    }

    @Test func everyMessageAndBothControlFramesAreCovered() {
        let covered = Set(messageVectors.cases.compactMap(\.message))
        let table = Set((0..<sp_message_count).map { String(cString: sp_message_at($0)!.pointee.name) })
        #expect(covered == table)
        #expect(messageVectors.cases.contains { $0.message == nil && $0.nak == true })
        #expect(messageVectors.cases.contains { $0.message == nil && $0.nak != true })
    }

    @Test(arguments: messageVectors.cases)
    func encodes(_ vector: MessageCase) throws {
        let payload: [UInt8]
        if let message = vector.message {
            let binding = try #require(messageBindings[message], "no binding for \(message)")
            let id = try #require(vector.id)
            let descriptor = try #require(sp_message_find(UInt8(id)))
            #expect(String(cString: descriptor.pointee.name) == message)
            payload = try binding.pack(Fields(values: vector.fields))
            #expect(payload.hex == vector.payload, "sp_pack_\(message)")
            #expect(sp_payload_check(payload, payload.count) == SP_MSG_OK)
        } else {
            payload = []
            #expect(vector.payload.isEmpty && vector.fields.isEmpty)
        }
        var frame = [UInt8](repeating: 0, count: Int(SP_MAX_FRAME))
        let length = payload.withUnsafeBufferPointer { p in
            sp_frame_encode(&frame, frame.count, UInt8(vector.seq), UInt8(vector.ack), vector.nak ?? false,
                            p.baseAddress, p.count)
        }
        #expect(length == payload.count + Int(SP_MIN_FRAME))
        #expect(Array(frame.prefix(length)).hex == vector.frame, "sp_frame_encode")
    }

    @Test(arguments: messageVectors.cases)
    func decodes(_ vector: MessageCase) throws {
        let frame = [UInt8](hex: vector.frame)
        for oneAtATime in [false, true] {
            let decoder = RecordingDecoder()
            if oneAtATime {
                for index in frame.indices { decoder.feed(frame[index...index]) }
            } else {
                decoder.feed(frame)
            }
            #expect(decoder.pending == 0)
            let expected = DecoderEvent(
                kind: "frame", seq: vector.seq, ack: vector.ack, nak: vector.nak ?? false,
                payload: vector.payload, message: vector.message == nil ? nil : "ok")
            #expect(decoder.events == [expected], "one byte at a time: \(oneAtATime)")
        }
        guard let message = vector.message else { return }
        let binding = try #require(messageBindings[message])
        let fields = try #require(binding.unpack([UInt8](hex: vector.payload)), "sp_unpack_\(message) refused")
        #expect(fields == vector.fields)
    }

    @Test(arguments: messageVectors.cases.filter { $0.message != nil })
    func unpackRefusesWrongLengthsAndIds(_ vector: MessageCase) throws {
        let binding = try #require(messageBindings[vector.message!])
        let payload = [UInt8](hex: vector.payload)
        #expect(binding.unpack(Array(payload.dropLast())) == nil)
        #expect(binding.unpack(payload + [0]) == nil)
        var otherId = payload
        otherId[0] ^= 0x40
        #expect(binding.unpack(otherId) == nil)
        #expect(sp_payload_check(payload + [0], payload.count + 1) == SP_MSG_WRONG_LENGTH)
    }
}
