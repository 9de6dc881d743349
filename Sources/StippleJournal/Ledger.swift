import Crypto
import Foundation
import GRDB

/// The hash chain over every journaled row: one global sequence, one entry per row.
///
/// ## Canonical encoding (`stipple-ledger-v1`)
/// The hash of entry `seq` is the lower-case hex SHA-256 of these bytes (`\n` is 0x0A):
///
/// ```
/// stipple-ledger-v1\n
/// seq=<seq, decimal>\n
/// prev=<hash of entry seq-1, or 64 zeros for seq 1>\n
/// table=<table name>\n
/// row=<row id, decimal>\n
/// <column>=<value>\n        one line per column of `JournalTable.columns`, in that order
/// ```
///
/// where a value is `null`, `i<decimal Int64>`, `r<16 lower-hex digits of the IEEE-754 double's
/// bits>`, `t<UTF-8 byte count>:<the bytes>` or `b<byte count>:<the bytes>`. Numbers have one
/// spelling each (no locale, no float formatting), text and blobs are length-prefixed so no
/// content can forge a field boundary, and the values hashed are the ones read back from SQLite
/// in the inserting transaction, so a verifier reading the file sees exactly what was hashed.
///
/// Because seq, table and row id are inside the hash and each entry names its predecessor's
/// hash, editing a value, deleting or inserting a row, or reordering entries breaks the chain at
/// the first affected entry. The chain holds no secret: someone who rewrites the file and
/// recomputes every hash after an edit is caught by the Ed25519 seals (`SessionSeal`), which
/// sign the chain head at each session's end.
enum Ledger {
    static let format = "stipple-ledger-v1"
    static let genesis = String(repeating: "0", count: 64)

    /// The last entry's seq and hash (0 and `genesis` when the ledger is empty).
    static func head(_ db: Database) throws -> (seq: Int64, hash: String) {
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")) {
            return (try row.field("seq", of: "ledger"), try row.field("hash", of: "ledger"))
        }
        return (0, genesis)
    }

    /// The row's values in canonical column order, or nil if the row is gone.
    static func values(_ db: Database, _ table: JournalTable, rowID: Int64) throws -> [DatabaseValue]? {
        let cols = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(cols) FROM \(table.rawValue) WHERE id = ?"), arguments: [rowID])
        else { return nil }
        return (0..<row.count).map { row[$0] as DatabaseValue }
    }

    static func hash(seq: Int64, prev: String, table: JournalTable, rowID: Int64, values: [DatabaseValue]) -> String {
        var h = SHA256()
        func put(_ s: String) { h.update(data: Array(s.utf8)) }
        put("\(format)\nseq=\(seq)\nprev=\(prev)\ntable=\(table.rawValue)\nrow=\(rowID)\n")
        for (name, value) in zip(table.columns, values) {
            put(name + "=")
            switch value.storage {
            case .null: put("null")
            case .int64(let i): put("i\(i)")
            case .double(let d): put("r" + hex64(d.bitPattern))
            case .string(let s):
                let bytes = Array(s.utf8)
                put("t\(bytes.count):")
                h.update(data: bytes)
            case .blob(let data):
                put("b\(data.count):")
                h.update(data: data)
            }
            put("\n")
        }
        return Hex.encode(Array(h.finalize()))
    }

    /// Appends the entry for a row just inserted in this transaction.
    @discardableResult
    static func append(_ db: Database, _ table: JournalTable, rowID: Int64) throws -> LedgerEntry {
        let (last, prev) = try head(db)
        guard let values = try values(db, table, rowID: rowID) else {
            throw JournalError.database(path: db.description, operation: "chain a row", message: "\(table.rawValue) row \(rowID) vanished in its own transaction")
        }
        let seq = last + 1
        let h = hash(seq: seq, prev: prev, table: table, rowID: rowID, values: values)
        // Cached statements: a pass end chains several rows, and compiling each statement anew
        // cost more than the rows themselves (the journal benchmark's ratio to raw SQLite).
        try db.cachedStatement(sql: "INSERT INTO ledger(seq, table_name, row_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [seq, table.rawValue, rowID, prev, h])
        return LedgerEntry(seq: seq, table: table.rawValue, rowID: rowID, previousHash: prev, hash: h)
    }

    /// Inserts a row into a journaled table and chains it. `values` names every column but `id`.
    @discardableResult
    static func insert(_ db: Database, _ table: JournalTable, _ values: [String: (any DatabaseValueConvertible)?]) throws -> Int64 {
        let names = table.columns.filter { $0 != "id" }
        precondition(Set(values.keys) == Set(names), "insert into \(table.rawValue) must name exactly its columns")
        let sql = "INSERT INTO \(table.rawValue)(\(names.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
        let arguments: [(any DatabaseValueConvertible)?] = names.map { values[$0] ?? nil }
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
        let id = db.lastInsertedRowID
        try append(db, table, rowID: id)
        return id
    }

    private static func hex64(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
