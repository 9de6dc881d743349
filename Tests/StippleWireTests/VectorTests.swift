import Foundation
import Testing
import StippleWire

@Suite("Golden vectors: Swift codec")
struct VectorTests {
    @Test func crcCheckValuesAndTableHashMatchTheIndependentGenerator() throws {
        let crc = try VectorFiles.load("crc.json", as: VectorFiles.CRCFile.self)
        #expect(CRC16.checksum(Array("123456789".utf8)) == crc.crc16_check)
        #expect(CRC16.checksum(Array("123456789".utf8)) == 0x6F91)
        #expect(CRC32.checksum(Array("123456789".utf8)) == crc.crc32_check)
        #expect(MessageTable.canonicalText == crc.table_text)
        #expect(MessageTable.tableHash == crc.table_hash)
        #expect(crc.crc_extra.count == MessageTable.messages.count)
        for m in MessageTable.messages {
            #expect(crc.crc_extra[m.name] == m.crcExtra, "CRC_EXTRA of \(m.name)")
        }
    }

    @Test(arguments: VectorFiles.messageCases())
    func encodesAndDecodesEveryMessageAsTheVectorSays(_ v: VectorFiles.MessageCase) throws {
        let frame = [UInt8](hex: v.frame)
        // Decode the vector's bytes.
        let (events, pending) = decodeEvents(frame, chunks: nil)
        #expect(pending == 0)
        try #require(events.count == 1, "\(events)")
        #expect(events[0].kind == "frame" && events[0].seq == v.seq && events[0].ack == v.ack)
        #expect(events[0].payload == v.payload)
        var out = [UInt8](repeating: 0, count: 64)
        if v.message == nil {
            #expect(events[0].nak == (v.nak ?? false))
            let n = try out.withUnsafeMutableBytes { try FrameEncoder.control(seq: v.seq, ack: v.ack, nak: v.nak ?? false, into: $0) }
            #expect(Array(out[0..<n]).hex == v.frame)
            return
        }
        let decoded = try [UInt8](hex: v.payload).withUnsafeBytes { try Message.decode($0).get() }
        #expect(MessageTable.descriptor(id: decoded.id)?.name == v.message)
        #expect(decoded.namedFields == v.fields.mapValues(\.asWire), "fields of \(v.name)")
        // Encode the typed message and compare byte for byte.
        let n = try out.withUnsafeMutableBytes { try FrameEncoder.message(decoded, seq: v.seq, ack: v.ack, into: $0) }
        #expect(Array(out[0..<n]).hex == v.frame)
    }

    @Test(arguments: VectorFiles.badCases())
    func decoderReportsExactlyWhatTheVectorExpects(_ v: VectorFiles.BadCase) {
        let input = [UInt8](hex: v.input)
        let given = decodeEvents(input, chunks: v.chunks)
        #expect(given.events == v.events, "\(v.description)")
        #expect(given.pending == v.pending)
        // The same result whatever the read sizes.
        let byteByByte = decodeEvents(input, chunks: Array(repeating: 1, count: input.count))
        #expect(byteByByte.events == v.events, "byte by byte")
        #expect(byteByByte.pending == v.pending)
    }

    @Test func vectorsAreThere() {
        #expect(VectorFiles.messageCases().count >= MessageTable.messages.count)
        #expect(VectorFiles.badCases().count >= 20)
    }
}
