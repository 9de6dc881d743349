import GRDB

extension Row {
    /// The value of `column` as `T`, or `JournalError.unreadableRecord` when the stored value
    /// cannot be one.
    ///
    /// GRDB's non-optional subscripts stop the process on a value of the wrong type. The
    /// journal's own writes always store the declared types, but the file is evidence that
    /// people can edit with any SQLite tool: reading an edited file must end in an error that
    /// points at `stipple journal verify`, never in a crash.
    func field<T: DatabaseValueConvertible>(_ column: String, of table: String, as type: T.Type = T.self) throws(JournalError) -> T {
        guard hasColumn(column) else {
            throw .unreadableRecord(table: table, rowID: journalRowID, column: column, found: "no such column")
        }
        do {
            return try decode(T.self, forColumn: column)
        } catch {
            let found: String = switch (self[column] as DatabaseValue).storage {
            case .null: "NULL"
            case .int64(let i): "the integer \(i)"
            case .double(let d): "the real \(d)"
            case .string(let s): "the text \"\(s.prefix(40))\""
            case .blob(let b): "a blob of \(b.count) bytes"
            }
            throw .unreadableRecord(table: table, rowID: journalRowID, column: column, found: found)
        }
    }

    /// The row's `id` if it has a readable one, for error messages.
    private var journalRowID: Int64? {
        guard hasColumn("id") else { return nil }
        return (self["id"] as DatabaseValue).storage.value as? Int64
    }
}
