// crc.json: the CRC-16 check value, every message's CRC_EXTRA and the table hash.
import Foundation
import StippleProtocolC
import Testing

struct CRCVectors: Decodable {
    let crc16_check: UInt16
    let crc32_check: UInt32
    let crc_extra: [String: Int]
    let table_text: String
    let table_hash: UInt32
}

let crcVectors = loadVectors("crc.json", as: CRCVectors.self)

/// "<name> <type> <field>[ <max_len>]..." built from the C descriptor (README section 4).
func descriptorLine(_ message: sp_message_desc) -> String {
    var line = String(cString: message.name)
    for index in 0..<Int(message.field_count) {
        let field = message.fields[index]
        let type = String(cString: field.type)
        line += " \(type) \(String(cString: field.name))"
        if type == "str" { line += " \(field.max_len)" }
    }
    return line
}

@Suite struct CRCTests {
    @Test func checkValue() {
        let check = Array("123456789".utf8)
        #expect(sp_crc16(check, check.count) == crcVectors.crc16_check)
        #expect(sp_crc16(check, check.count) == UInt16(SP_CRC16_CHECK))
        var crc = UInt16(SP_CRC16_INIT)
        for byte in check { crc = sp_crc16_update(crc, byte) }
        #expect(crc == crcVectors.crc16_check)
        #expect(crc32(check) == crcVectors.crc32_check)
    }

    @Test func everyCRCExtra() throws {
        #expect(crcVectors.crc_extra.count == sp_message_count)
        for index in 0..<sp_message_count {
            let message = try #require(sp_message_at(index)).pointee
            let name = String(cString: message.name)
            let expected = try #require(crcVectors.crc_extra[name], "crc.json has no \(name)")
            #expect(Int(sp_crc_extra(message.id)) == expected, "CRC_EXTRA of \(name)")
            let line = Array(descriptorLine(message).utf8)
            let c = sp_crc16(line, line.count)
            #expect(Int((c & 0xFF) ^ (c >> 8)) == expected, "CRC_EXTRA of \(name) from its descriptor")
        }
        let known = Set((0..<sp_message_count).map { sp_message_at($0)!.pointee.id })
        for id in 0...255 where !known.contains(UInt8(id)) {
            #expect(sp_crc_extra(UInt8(id)) == -1, "id \(id)")
        }
    }

    @Test func tableHash() {
        #expect(SP_TABLE_HASH == crcVectors.table_hash)
        #expect(crc32(Array(crcVectors.table_text.utf8)) == crcVectors.table_hash)
        let text = (0..<sp_message_count).map { index -> String in
            let message = sp_message_at(index)!.pointee
            return "\(message.id) \(String(cString: message.dir)) \(descriptorLine(message))\n"
        }.joined()
        #expect(text == crcVectors.table_text, "table text from the C descriptors")
        #expect(crc32(Array(text.utf8)) == SP_TABLE_HASH)
    }
}
