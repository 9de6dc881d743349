import Foundation
import Testing
import TOMLKit
import StippleWire

@Suite("Swift message table matches messages.toml")
struct MessageTableConformanceTests {
    struct TableEntry: Equatable, CustomStringConvertible {
        var id: UInt8, name: String, dir: String, fields: [String]
        var description: String { "\(id) \(name) \(dir) \(fields)" }
    }

    static func fromTOML() throws -> (version: Int, entries: [TableEntry]) {
        let url = VectorFiles.protocolDirectory.appendingPathComponent("messages.toml")
        let table = try TOMLTable(string: String(contentsOf: url, encoding: .utf8))
        let version = try #require(table["protocol_version"]?.int)
        let messages = try #require(table["message"]?.array)
        var out: [TableEntry] = []
        for m in messages {
            let t = try #require(m.table)
            var fields: [String] = []
            for f in try #require(t["fields"]?.array) {
                let parts = try #require(f.array).map { $0.string ?? String($0.int ?? -1) }
                fields.append(parts.joined(separator: " "))
            }
            out.append(TableEntry(id: UInt8(try #require(t["id"]?.int)), name: try #require(t["name"]?.string),
                                  dir: try #require(t["dir"]?.string), fields: fields))
        }
        return (version, out)
    }

    @Test func everyMessageHasTheSameIdNameDirectionAndFields() throws {
        let toml = try Self.fromTOML()
        #expect(toml.version == Int(MessageTable.protocolVersion))
        let swift = MessageTable.messages.map { m in
            TableEntry(id: m.id, name: m.name, dir: m.direction.rawValue,
                       fields: m.fields.map { f in
                           [f.type.rawValue, f.name].joined(separator: " ") + (f.type == .str ? " \(f.maxLength)" : "")
                       })
        }
        #expect(swift == toml.entries)
    }

    @Test func idsAreUniqueAndEveryTypedCaseIsInTheTable() throws {
        let ids = MessageTable.messages.map(\.id)
        #expect(Set(ids).count == ids.count)
        // Every payload the typed codec writes has the length the table implies.
        var buffer = [UInt8](repeating: 0, count: 64)
        for m in SampleMessages.all {
            let n = try buffer.withUnsafeMutableBytes { try m.encode(into: $0) }
            let d = try #require(MessageTable.descriptor(id: m.id))
            if case .logMessage(_, let text) = m {
                #expect(n == 1 + d.fixedSize + text.utf8.count)
            } else {
                #expect(n == 1 + d.fixedSize, "\(d.name)")
            }
        }
        #expect(Set(SampleMessages.all.map(\.id)) == Set(ids))
    }
}
