import GRDB

/// Checking the chain and the seals.
extension Journal {
    /// Walks the ledger in seq order and reports the first bad record:
    /// - each entry's seq follows the previous one and its `prev_hash` is the previous hash
    ///   (a deleted, inserted or reordered ledger entry breaks this),
    /// - the row it names still exists (`deleted`) and hashes to it (`altered`),
    /// - a `session_closures` row's seal: its head hash is the ledger's at its head seq, its
    ///   facts match the session, its Ed25519 signature is valid, and its key is one of
    ///   `trustedKeys` when given (`untrusted-key`),
    /// then that every row of every journaled table has an entry (`unchained`).
    ///
    /// - Parameter trustedKeys: public keys (64 hex) allowed to seal; nil accepts any key whose
    ///   signature is valid. Pass the machine's exported key to catch a journal re-sealed with
    ///   another key after an edit.
    public func verify(trustedKeys: Set<String>? = nil) throws(JournalError) -> VerificationReport {
        try read("verify") { db in try Journal.verify(db, trustedKeys: trustedKeys) }
    }

    static func verify(_ db: Database, trustedKeys: Set<String>?) throws -> VerificationReport {
        var previousSeq: Int64 = 0
        var previousHash = Ledger.genesis
        var checked = 0
        var seals = 0
        var hashes: [Int64: String] = [:]
        func report(_ p: VerificationProblem?) -> VerificationReport {
            VerificationReport(entriesChecked: checked, sealsChecked: seals, headSeq: previousSeq, headHash: previousHash, firstProblem: p)
        }
        let cursor = try Row.fetchCursor(db, sql: "SELECT seq, table_name, row_id, prev_hash, hash FROM ledger ORDER BY seq")
        while let entry = try cursor.next() {
            let seq: Int64 = entry["seq"]
            let tableName = (entry["table_name"] as DatabaseValue).storage.value.map { "\($0)" } ?? "?"
            let rowID = (entry["row_id"] as DatabaseValue).storage.value as? Int64 ?? -1
            let prev = (entry["prev_hash"] as DatabaseValue).storage.value as? String ?? ""
            let hash = (entry["hash"] as DatabaseValue).storage.value as? String ?? ""
            guard let table = JournalTable(rawValue: tableName) else {
                return report(VerificationProblem(kind: .chainBroken, table: tableName, rowID: rowID, seq: seq,
                                                  detail: "the ledger names a table the journal does not have"))
            }
            guard seq == previousSeq + 1 else {
                return report(VerificationProblem(kind: .chainBroken, table: tableName, rowID: rowID, seq: seq,
                                                  detail: "ledger entries \(previousSeq + 1)-\(seq - 1) are missing"))
            }
            guard prev == previousHash else {
                return report(VerificationProblem(kind: .chainBroken, table: tableName, rowID: rowID, seq: seq,
                                                  detail: "its previous hash is not the hash of entry \(previousSeq) (entries removed, inserted or reordered)"))
            }
            guard let values = try Ledger.values(db, table, rowID: rowID) else {
                return report(VerificationProblem(kind: .deleted, table: tableName, rowID: rowID, seq: seq,
                                                  detail: "the row was deleted"))
            }
            let recomputed = Ledger.hash(seq: seq, prev: prev, table: table, rowID: rowID, values: values)
            guard recomputed == hash else {
                return report(VerificationProblem(kind: .altered, table: tableName, rowID: rowID, seq: seq,
                                                  detail: "its content does not match its hash (a value was changed)"))
            }
            if table == .sessionClosures {
                if let problem = try checkSeal(db, rowID: rowID, seq: seq, hashes: hashes, trustedKeys: trustedKeys) {
                    return report(problem)
                }
                seals += 1
            }
            hashes[seq] = hash
            previousSeq = seq
            previousHash = hash
            checked += 1
        }
        for table in JournalTable.allCases {
            if let orphan = try Int64.fetchOne(db, sql: """
                SELECT id FROM \(table.rawValue) WHERE id NOT IN (SELECT row_id FROM ledger WHERE table_name = ?) ORDER BY id LIMIT 1
                """, arguments: [table.rawValue]) {
                return report(VerificationProblem(kind: .unchained, table: table.rawValue, rowID: orphan, seq: nil,
                                                  detail: "the row has no ledger entry (inserted outside the journal)"))
            }
        }
        return report(nil)
    }

    private static func checkSeal(_ db: Database, rowID: Int64, seq: Int64, hashes: [Int64: String],
                                  trustedKeys: Set<String>?) throws -> VerificationProblem? {
        func bad(_ why: String, kind: VerificationProblem.Kind = .badSeal) -> VerificationProblem {
            VerificationProblem(kind: kind, table: JournalTable.sessionClosures.rawValue, rowID: rowID, seq: seq, detail: why)
        }
        // The row hashed correctly, so its columns have the types the writer gave them.
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM session_closures WHERE id = ?", arguments: [rowID]) else {
            return bad("the closure row is unreadable")
        }
        let seal = try seal(r)
        guard seal.headSeq < seq, hashes[seal.headSeq] == seal.headHash else {
            return bad("the sealed chain head (seq \(seal.headSeq)) is not the ledger's")
        }
        let passes = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM zone_passes WHERE session_id = ?", arguments: [seal.sessionID]) ?? -1
        guard passes == seal.passes else {
            return bad("the seal counts \(seal.passes) passes for session \(seal.sessionID), the journal has \(passes)")
        }
        guard seal.isSignatureValid else { return bad("the Ed25519 signature does not verify") }
        if let trustedKeys, !trustedKeys.contains(seal.publicKey) {
            return bad("sealed with key \(seal.publicKey), which is not a trusted machine key", kind: .untrustedKey)
        }
        return nil
    }
}
