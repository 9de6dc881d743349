// The C descriptor table (sp_messages) must match messages.toml exactly: order, ids, names,
// directions, field types, names and max_len. messages.toml is read with a small parser for
// its simple format (top-level `key = value`, `[[message]]` blocks, `fields` arrays of
// `["type", "name"]` / `["str", "name", max_len]`), so the tests need no TOML package.
import Foundation
import StippleProtocolC
import Testing

struct TableField: Equatable, CustomStringConvertible {
    var type: String
    var name: String
    var maxLen: Int

    var description: String { maxLen > 0 ? "\(type) \(name) \(maxLen)" : "\(type) \(name)" }
}

struct TableMessage: Equatable {
    var id: Int
    var name: String
    var dir: String
    var fields: [TableField]
}

struct MessageTableFile {
    var protocolVersion: Int?
    var messages: [TableMessage] = []

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ text: String) throws {
        // Strip comments (no '#' occurs inside this file's strings), then join continued
        // lines of a multi-line array so each `key = value` is one logical line.
        var logical: [String] = []
        var pending = ""
        var depth = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                .first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty && depth == 0 { continue }
            pending += pending.isEmpty ? line : " " + line
            if line != "[[message]]" {
                depth += line.filter { $0 == "[" }.count - line.filter { $0 == "]" }.count
            }
            if depth == 0 {
                logical.append(pending)
                pending = ""
            }
        }
        guard depth == 0 else { throw ParseError(description: "unbalanced brackets at end of file") }

        var current: TableMessage?
        for line in logical {
            if line == "[[message]]" {
                if let message = current { messages.append(message) }
                current = TableMessage(id: -1, name: "", dir: "", fields: [])
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(description: "not `key = value`: \(line)")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard var message = current else {
                if key == "protocol_version" { protocolVersion = try Self.integer(value) }
                continue
            }
            switch key {
            case "id": message.id = try Self.integer(value)
            case "name": message.name = try Self.string(value)
            case "dir": message.dir = try Self.string(value)
            case "fields": message.fields = try Self.fields(value)
            default: throw ParseError(description: "unknown key \(key) in message \(message.name)")
            }
            current = message
        }
        if let message = current { messages.append(message) }
    }

    static func integer(_ text: String) throws -> Int {
        let value = text.hasPrefix("0x") || text.hasPrefix("0X")
            ? Int(text.dropFirst(2), radix: 16) : Int(text)
        guard let value else { throw ParseError(description: "not an integer: \(text)") }
        return value
    }

    static func string(_ text: String) throws -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else {
            throw ParseError(description: "not a string: \(text)")
        }
        return String(text.dropFirst().dropLast())
    }

    /// `[["u32", "depth_um"], ["str", "text", 48]]`
    static func fields(_ text: String) throws -> [TableField] {
        guard text.hasPrefix("["), text.hasSuffix("]") else {
            throw ParseError(description: "fields is not an array: \(text)")
        }
        let inner = text.dropFirst().dropLast()
        var fields: [TableField] = []
        var rest = Substring(inner)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]") else {
                throw ParseError(description: "unterminated field in \(text)")
            }
            let parts = rest[rest.index(after: open)..<close]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts.count {
            case 2:
                fields.append(TableField(type: try string(parts[0]), name: try string(parts[1]), maxLen: 0))
            case 3:
                fields.append(TableField(type: try string(parts[0]), name: try string(parts[1]),
                                         maxLen: try integer(parts[2])))
            default:
                throw ParseError(description: "field must have 2 or 3 elements: \(rest[open...close])")
            }
            rest = rest[rest.index(after: close)...]
        }
        return fields
    }
}

func cTable() -> [TableMessage] {
    (0..<sp_message_count).map { index in
        let message = sp_message_at(index)!.pointee
        let fields = (0..<Int(message.field_count)).map { i in
            TableField(type: String(cString: message.fields[i].type),
                       name: String(cString: message.fields[i].name),
                       maxLen: Int(message.fields[i].max_len))
        }
        return TableMessage(id: Int(message.id), name: String(cString: message.name),
                            dir: String(cString: message.dir), fields: fields)
    }
}

@Suite struct TableTests {
    let file: MessageTableFile

    init() throws {
        let url = protocolDirectory.appendingPathComponent("messages.toml")
        file = try MessageTableFile(String(contentsOf: url, encoding: .utf8))
    }

    @Test func parserReadsTheWholeFile() {
        #expect(file.protocolVersion == 1)
        #expect(file.messages.count == 26)
        #expect(file.messages.first?.name == "identify")
        #expect(file.messages.first { $0.name == "log_message" }?.fields.last
            == TableField(type: "str", name: "text", maxLen: 48))
    }

    @Test func protocolVersionMatches() {
        #expect(file.protocolVersion == Int(SP_PROTOCOL_VERSION))
    }

    @Test func descriptorTableMatchesMessagesToml() {
        let expected = file.messages.sorted { $0.id < $1.id }
        let actual = cTable()
        #expect(actual.count == expected.count)
        #expect(Int(SP_MESSAGE_COUNT) == expected.count)
        for (c, toml) in zip(actual, expected) {
            #expect(c.id == toml.id, "\(toml.name)")
            #expect(c.name == toml.name)
            #expect(c.dir == toml.dir, "\(toml.name)")
            #expect(c.fields == toml.fields, "\(toml.name)")
        }
        #expect(actual == expected)
    }

    @Test func lookupsAgreeWithTheTable() throws {
        for message in file.messages {
            let found = try #require(sp_message_find(UInt8(message.id)), "\(message.name)")
            #expect(String(cString: found.pointee.name) == message.name)
        }
        let ids = Set(file.messages.map(\.id))
        for id in 0...255 where !ids.contains(id) {
            #expect(sp_message_find(UInt8(id)) == nil, "id \(id)")
        }
        #expect(sp_message_at(sp_message_count) == nil)
    }

    @Test func everyMessageHasABinding() {
        #expect(Set(messageBindings.keys) == Set(file.messages.map(\.name)))
    }

    /// Each message's longest payload fits one frame.
    @Test func everyMessageFitsAFrame() {
        let sizes = ["u8": 1, "u16": 2, "u32": 4, "u64": 8, "i16": 2, "i32": 4, "i64": 8]
        for message in file.messages {
            let longest = 1 + message.fields.reduce(0) { $0 + (sizes[$1.type] ?? 1 + $1.maxLen) }
            #expect(longest <= Int(SP_MAX_PAYLOAD), "\(message.name): \(longest) bytes")
        }
    }
}
