import GRDB

/// The raw rows a verifiable session export carries.
extension Journal {
    /// The session's rows, the rows they refer to, and every ledger entry between the
    /// session's first and last entry, in chain order.
    ///
    /// - The session's own rows (as `session(id:)` lists them) and every ledger entry from the
    ///   first to the closure: a verifier can then recompute the chain from the session's first
    ///   row up to the sealed head. Entries of other rows in that stretch (a client registered
    ///   while the session ran, say) are carried as hashes only, never with their values:
    ///   another client's data must not leave in this client's file.
    /// - The rows the session refers to (client and consents, operators, machines, calibration,
    ///   plan, pigments, cartridges), with their ledger entries. They were mostly journaled
    ///   before the session; the stretch is extended back over them when they sit just before it
    ///   (a session's machine, pigments and cartridges are registered as it begins).
    func sessionRecords(id: Int64) throws(JournalError) -> [ExportedRecord] {
        try read("read session records") { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM sessions WHERE id = ?", arguments: [id]) != nil else {
                throw JournalError.unknownSession(id)
            }
            let own = try Row.fetchAll(db, sql: Journal.sessionLedgerSQL, arguments: ["s": id]).map(Journal.ledgerEntry)
            var wanted = Set(own.map { Key(table: $0.table, rowID: $0.rowID) })
            func add(_ table: JournalTable, _ sql: String) throws {
                for rowID in try Int64.fetchAll(db, sql: sql, arguments: ["s": id]) { wanted.insert(Key(table: table.rawValue, rowID: rowID)) }
            }
            try add(.clients, "SELECT client_id FROM sessions WHERE id = :s")
            try add(.consents, "SELECT id FROM consents WHERE client_id = (SELECT client_id FROM sessions WHERE id = :s)")
            try add(.operators, """
                SELECT operator_id FROM sessions WHERE id = :s
                UNION SELECT operator_id FROM events WHERE session_id = :s AND operator_id IS NOT NULL
                UNION SELECT c.operator_id FROM calibrations c JOIN sessions s ON s.calibration_id = c.id WHERE s.id = :s
                """)
            try add(.machines, """
                SELECT machine_id FROM sessions WHERE id = :s
                UNION SELECT machine_id FROM zone_passes WHERE session_id = :s
                UNION SELECT c.machine_id FROM calibrations c JOIN sessions s ON s.calibration_id = c.id WHERE s.id = :s
                """)
            try add(.calibrations, "SELECT calibration_id FROM sessions WHERE id = :s AND calibration_id IS NOT NULL")
            try add(.treatmentPlans, "SELECT plan_id FROM sessions WHERE id = :s AND plan_id IS NOT NULL")
            try add(.pigments, """
                SELECT pigment_id FROM session_pigments WHERE session_id = :s
                UNION SELECT pigment_id FROM zone_passes WHERE session_id = :s AND pigment_id IS NOT NULL
                """)
            try add(.cartridges, """
                SELECT cartridge_id FROM cartridge_uses WHERE session_id = :s
                UNION SELECT cartridge_id FROM zone_passes WHERE session_id = :s
                """)
            var entries: [Int64: LedgerEntry] = [:]
            for key in wanted {
                if let e = try Row.fetchOne(db, sql: "SELECT * FROM ledger WHERE table_name = ? AND row_id = ?",
                                            arguments: [key.table, key.rowID]).map(Journal.ledgerEntry) {
                    entries[e.seq] = e
                }
            }
            if var first = own.first?.seq, let last = own.last?.seq {
                while let before = entries[first - 1] { first = before.seq }
                for e in try Row.fetchAll(db, sql: "SELECT * FROM ledger WHERE seq BETWEEN ? AND ? ORDER BY seq",
                                          arguments: [first, last]).map(Journal.ledgerEntry) {
                    entries[e.seq] = e
                }
            }
            return try entries.keys.sorted().compactMap { seq -> ExportedRecord? in
                guard let e = entries[seq] else { return nil }
                guard wanted.contains(Key(table: e.table, rowID: e.rowID)) else { return ExportedRecord(entry: e, values: nil) }
                guard let table = JournalTable(rawValue: e.table), let values = try Ledger.values(db, table, rowID: e.rowID) else {
                    throw JournalError.database(path: db.description, operation: "export session \(id)",
                                                message: "ledger entry \(e.seq) names \(e.table) row \(e.rowID), which is missing (run `stipple journal verify`)")
                }
                return ExportedRecord(entry: e, values: values)
            }
        }
    }

    private struct Key: Hashable {
        var table: String
        var rowID: Int64
    }
}
