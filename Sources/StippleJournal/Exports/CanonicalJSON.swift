/// A JSON value that keeps what the exports need and Foundation's JSON types lose: integers and
/// reals stay apart (SQLite stores `1` and `1.0` differently, and the ledger hashes the storage
/// class), object members keep a defined order, and rendering is byte-for-byte stable.
///
/// Rendering rules (the exports' "canonical" form): object keys sorted by their UTF-8 bytes,
/// two-space indentation, integers in decimal, reals as Swift's shortest round-trip spelling
/// (always with a `.` or an exponent, so a reader can tell them from integers), strings with
/// only `"`, `\` and control characters escaped. Reals that JSON cannot hold (infinities) are
/// never produced: callers encode them another way.
public enum CanonicalJSON: Sendable, Hashable, ExpressibleByStringLiteral {
    case null
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    public init(stringLiteral value: String) { self = .string(value) }

    /// The text, ending with a newline.
    public func rendered() -> String {
        var out = ""
        render(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private func render(into out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .real(let d): out += CanonicalJSON.spell(d)
        case .string(let s): CanonicalJSON.quote(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (n, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.render(into: &out, indent: indent + 2)
                out += n == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (n, key) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                CanonicalJSON.quote(key, into: &out)
                out += ": "
                members[key]?.render(into: &out, indent: indent + 2)
                out += n == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Shortest round-trip spelling with a `.` or an exponent; `-0.0` stays `-0.0`.
    static func spell(_ d: Double) -> String {
        let s = d.description
        return s.contains(".") || s.contains("e") ? s : s + ".0"
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    // MARK: - Reading

    public subscript(key: String) -> CanonicalJSON? {
        if case .object(let m) = self { return m[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var integerValue: Int64? { if case .integer(let i) = self { i } else { nil } }
    public var arrayValue: [CanonicalJSON]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [String: CanonicalJSON]? { if case .object(let o) = self { o } else { nil } }
}
