import Foundation
import TOMLKit

/// A parsed configuration value, detached from the TOML library so it is `Sendable` and the rest of
/// the model never touches TOMLKit's C++-backed handles.
public indirect enum ConfigValue: Sendable, Equatable {
    case table([String: ConfigValue])
    case array([ConfigValue])
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// Dates and times kept as their TOML text; the model converts the ones it expects.
    case dateTime(String)

    /// The TOML type name used in error messages ("a table", "an integer", ...).
    public var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .boolean: "a boolean"
        case .dateTime: "a date/time"
        }
    }

    /// The value as it would be written in a file, for error messages.
    public var rendered: String {
        switch self {
        case .table: "{...}"
        case .array(let items): "[" + items.map(\.rendered).joined(separator: ", ") + "]"
        case .string(let s): "\"" + s + "\""
        case .integer(let i): String(i)
        case .float(let d): ConfigValue.render(d)
        case .boolean(let b): b ? "true" : "false"
        case .dateTime(let s): s
        }
    }

    static func render(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = String(format: "%.6f", d)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.append("0") }
        return s
    }

    init(_ toml: TOMLValueConvertible) {
        switch toml.type {
        case .table:
            var out: [String: ConfigValue] = [:]
            if let table = toml.table {
                for key in table.keys {
                    if let v = table[key] { out[key] = ConfigValue(v) }
                }
            }
            self = .table(out)
        case .array:
            self = .array(toml.array.map { Array($0).map { ConfigValue($0) } } ?? [])
        case .string: self = .string(toml.string ?? "")
        case .int: self = .integer(toml.int ?? 0)
        case .double: self = .float(toml.double ?? .nan)
        case .bool: self = .boolean(toml.bool ?? false)
        case .date, .time, .dateTime: self = .dateTime(toml.debugDescription)
        }
    }
}
