/// A field type in the message table.
public enum WireFieldType: String, Sendable, Hashable, CaseIterable {
    case u8, u16, u32, u64, i16, i32, i64
    /// UTF-8 text: a count byte then the bytes; only as the last field.
    case str

    /// Encoded size; for `str` the fixed part (its count byte).
    public var size: Int {
        switch self {
        case .u8, .str: 1
        case .u16, .i16: 2
        case .u32, .i32: 4
        case .u64, .i64: 8
        }
    }
}

/// One field of a message as the table declares it.
public struct WireField: Sendable, Hashable {
    public var type: WireFieldType
    public var name: String
    /// Longest text for `str`; 0 otherwise.
    public var maxLength: Int

    public init(_ type: WireFieldType, _ name: String, maxLength: Int = 0) {
        self.type = type
        self.name = name
        self.maxLength = maxLength
    }
}

/// A field's value, for table-driven tests and diagnostics (the codec itself is typed).
public enum WireValue: Sendable, Hashable, CustomStringConvertible {
    case unsigned(UInt64)
    case signed(Int64)
    case text(String)

    public var description: String {
        switch self {
        case .unsigned(let v): String(v)
        case .signed(let v): String(v)
        case .text(let s): "\"\(s)\""
        }
    }
}
