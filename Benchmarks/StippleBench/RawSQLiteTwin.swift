import GRDBSQLite

/// The journal benchmark's baseline: a copy of a journal (`VACUUM INTO`, so schema, indexes,
/// triggers and the rows that passes reference are all there) written through the SQLite C API
/// with the journal's settings (WAL, synchronous=FULL, foreign keys on), inserting the rows a
/// pass end adds (the zone pass and its ledger entry) in one transaction, with statements
/// prepared once — the least any SQLite code could do for the same durable record.
final class RawSQLiteTwin {
    enum Value {
        case integer(Int64), real(Double), text(String), blob([UInt8]), null
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var db: OpaquePointer?
    private var insertPass: OpaquePointer?
    private var insertLedger: OpaquePointer?
    private var columns: [String] = []
    private var ordinal: Int64 = 1_000_000

    init(copyingSchemaFrom journal: String, to path: String) throws {
        var source: OpaquePointer?
        try Self.check(sqlite3_open_v2(journal, &source, SQLITE_OPEN_READONLY, nil), source, "open \(journal)")
        defer { sqlite3_close_v2(source) }
        try Self.exec(source, "VACUUM INTO '\(path.replacingOccurrences(of: "'", with: "''"))'")
        try Self.check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil), db, "open \(path)")
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"] {
            try Self.exec(db, pragma)
        }
    }

    deinit {
        sqlite3_finalize(insertPass)
        sqlite3_finalize(insertLedger)
        sqlite3_close_v2(db)
    }

    /// The journal's last zone pass row and its ledger entry's hashes, read with the C API.
    func lastPassRows(from journal: String) throws -> (pass: [Value], prevHash: String, hash: String) {
        var j: OpaquePointer?
        try Self.check(sqlite3_open_v2(journal, &j, SQLITE_OPEN_READONLY, nil), j, "open \(journal)")
        defer { sqlite3_close_v2(j) }
        let pass = try Self.rows(j, "SELECT * FROM zone_passes ORDER BY id DESC LIMIT 1")
        guard let row = pass.values.first else { throw Failure(description: "no zone pass in \(journal)") }
        let ledger = try Self.rows(j, "SELECT prev_hash, hash FROM ledger WHERE table_name = 'zone_passes' ORDER BY seq DESC LIMIT 1")
        guard let l = ledger.values.first, case .text(let prev) = l[0], case .text(let hash) = l[1] else {
            throw Failure(description: "no ledger entry for a zone pass in \(journal)")
        }
        if columns.isEmpty {
            columns = pass.columns
            let names = columns.joined(separator: ", ")
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            try Self.check(sqlite3_prepare_v2(db, "INSERT INTO zone_passes(\(names)) VALUES(\(marks))", -1, &insertPass, nil), db, "prepare")
            try Self.check(sqlite3_prepare_v2(db, "INSERT INTO ledger(table_name, row_id, prev_hash, hash) VALUES('zone_passes', ?, ?, ?)",
                                              -1, &insertLedger, nil), db, "prepare")
        }
        return (row, prev, hash)
    }

    /// One durable transaction: the pass row (a new id and ordinal) and its ledger entry.
    func insert(_ rows: (pass: [Value], prevHash: String, hash: String)) throws {
        try Self.exec(db, "BEGIN IMMEDIATE")
        ordinal += 1
        for (i, name) in columns.enumerated() {
            let value: Value = name == "id" ? .null : name == "ordinal" ? .integer(ordinal) : rows.pass[i]
            Self.bind(insertPass, Int32(i + 1), value)
        }
        try Self.step(insertPass, db)
        sqlite3_bind_int64(insertLedger, 1, sqlite3_last_insert_rowid(db))
        Self.bind(insertLedger, 2, .text(rows.prevHash))
        Self.bind(insertLedger, 3, .text(rows.hash))
        try Self.step(insertLedger, db)
        try Self.exec(db, "COMMIT")
    }

    // MARK: - C API helpers

    /// SQLite copies bound text and blobs (SQLITE_TRANSIENT, a macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ s: OpaquePointer?, _ i: Int32, _ v: Value) {
        switch v {
        case .integer(let n): sqlite3_bind_int64(s, i, n)
        case .real(let d): sqlite3_bind_double(s, i, d)
        case .text(let t): sqlite3_bind_text(s, i, t, -1, transient)
        case .blob(let b): b.withUnsafeBytes { _ = sqlite3_bind_blob(s, i, $0.baseAddress, Int32($0.count), transient) }
        case .null: sqlite3_bind_null(s, i)
        }
    }

    private static func step(_ s: OpaquePointer?, _ db: OpaquePointer?) throws {
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard rc == SQLITE_DONE else { throw Failure(description: "insert: \(String(cString: sqlite3_errmsg(db)))") }
    }

    private static func rows(_ db: OpaquePointer?, _ sql: String) throws -> (columns: [String], values: [[Value]]) {
        var s: OpaquePointer?
        try check(sqlite3_prepare_v2(db, sql, -1, &s, nil), db, sql)
        defer { sqlite3_finalize(s) }
        let n = sqlite3_column_count(s)
        let names = (0..<n).map { String(cString: sqlite3_column_name(s, $0)) }
        var out: [[Value]] = []
        while sqlite3_step(s) == SQLITE_ROW {
            out.append((0..<n).map { i in
                switch sqlite3_column_type(s, i) {
                case SQLITE_INTEGER: .integer(sqlite3_column_int64(s, i))
                case SQLITE_FLOAT: .real(sqlite3_column_double(s, i))
                case SQLITE_TEXT: .text(String(cString: sqlite3_column_text(s, i)))
                case SQLITE_BLOB:
                    .blob(Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(s, i), count: Int(sqlite3_column_bytes(s, i)))))
                default: .null
                }
            })
        }
        return (names, out)
    }

    private static func exec(_ db: OpaquePointer?, _ sql: String) throws {
        try check(sqlite3_exec(db, sql, nil, nil, nil), db, sql)
    }

    private static func check(_ rc: Int32, _ db: OpaquePointer?, _ what: String) throws {
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            throw Failure(description: "SQLite \(what): \(message)")
        }
    }
}
