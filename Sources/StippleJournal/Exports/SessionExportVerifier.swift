import GRDB

/// Verifies a `SessionExportJSON` file with no journal: see `SessionExportJSON.scope` for what
/// that proves. The checks, in order, each naming the record it fails on:
/// 1. every record with values has exactly its table's columns and recomputes to its hash
///    (`altered`); redacted records are skipped and counted;
/// 2. records are in seq order and each record that follows another directly names that
///    record's hash as its previous hash (`chain-broken`);
/// 3. the seal object is the closure record's values (`altered`), the closure is for this
///    session, its signed head is in the file with that hash, its Ed25519 signature verifies,
///    its key is the file's machine key (and a trusted one when given), its pass count is the
///    number of pass records, and the chain from the session's first row to the closure has no
///    gap (`bad-seal`, `untrusted-key`, `chain-broken`); no record of the session's own tables
///    lies outside that stretch (`altered`). An unsealed export fails: nothing in it
///    is signed, and stripping a seal must not pass as an open session.
public enum SessionExportVerifier {
    public static func verify(_ text: String, source: String, trustedKeys: Set<String>? = nil) throws(JournalError) -> ExportVerificationReport {
        let doc: CanonicalJSON
        do { doc = try CanonicalJSONParser.parse(text) } catch { throw .invalidExport(source: source, reason: "it is not JSON (\(error))") }
        guard doc["format"]?.stringValue == SessionExportJSON.format else {
            throw .invalidExport(source: source, reason: "its format is not \(SessionExportJSON.format)")
        }
        guard let sessionID = doc["session_id"]?.integerValue, let items = doc["records"]?.arrayValue else {
            throw .invalidExport(source: source, reason: "it has no session_id or no records")
        }
        let publicKey = doc["machine_public_key"]?.stringValue
        var parsed: [Parsed] = []
        for (n, item) in items.enumerated() {
            guard let seq = item["seq"]?.integerValue, let table = item["table"]?.stringValue, let rowID = item["row_id"]?.integerValue,
                  let prev = item["prev_hash"]?.stringValue, let hash = item["hash"]?.stringValue else {
                throw .invalidExport(source: source, reason: "records[\(n)] lacks seq, table, row_id, prev_hash or hash")
            }
            parsed.append(Parsed(entry: LedgerEntry(seq: seq, table: table, rowID: rowID, previousHash: prev, hash: hash),
                                 values: item["values"]?.objectValue, redacted: item["redacted_columns"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                 hasRedactedMember: item["redacted_columns"] != nil))
        }
        var report = ExportVerificationReport(sessionID: sessionID, records: parsed.count, recomputed: 0, sealed: 0,
                                              hashOnly: parsed.filter { $0.values == nil }.count, redacted: 0,
                                              headSeq: parsed.last?.entry.seq ?? 0, headHash: parsed.last?.entry.hash ?? Ledger.genesis,
                                              publicKey: publicKey, firstProblem: nil)
        func fail(_ kind: VerificationProblem.Kind, _ e: LedgerEntry, _ detail: String) -> ExportVerificationReport {
            var r = report
            r.firstProblem = VerificationProblem(kind: kind, table: e.table, rowID: e.rowID, seq: e.seq, detail: detail)
            return r
        }

        // 1 and 2: each record's content, and the links between neighbours.
        var rows: [Int64: [DatabaseValue]] = [:]
        var bySeq: [Int64: Parsed] = [:]
        var previous: Parsed?
        for p in parsed {
            let e = p.entry
            if let previous, e.seq <= previous.entry.seq {
                return fail(.chainBroken, e, "it is not after ledger entry \(previous.entry.seq) (records removed, inserted or reordered)")
            }
            if let previous, previous.entry.seq == e.seq - 1, e.previousHash != previous.entry.hash {
                return fail(.chainBroken, e, "its previous hash is not the hash of entry \(previous.entry.seq) (records removed, inserted or reordered)")
            }
            if e.seq == 1, e.previousHash != Ledger.genesis { return fail(.chainBroken, e, "the first entry does not start the chain") }
            bySeq[e.seq] = p
            previous = p
            guard let values = p.values else {
                if p.hasRedactedMember { return fail(.altered, e, "a record without values cannot have redacted columns") }
                continue
            }
            guard let table = JournalTable(rawValue: e.table) else { return fail(.altered, e, "the journal has no table \(e.table)") }
            let expected = table.columns.filter { $0 != "id" }
            guard Set(values.keys) == Set(expected) else {
                return fail(.altered, e, "its columns are not the \(e.table) table's (\(expected.joined(separator: ", ")))")
            }
            var stored: [DatabaseValue] = [e.rowID.databaseValue]
            for column in expected {
                guard let v = values[column].flatMap(SessionExportJSON.databaseValue) else {
                    return fail(.altered, e, "its \(column) is not a value the journal stores")
                }
                stored.append(v)
            }
            if p.hasRedactedMember {
                let allowed = Set(ExportRedaction.replacedColumns[table]?.keys.map { $0 } ?? [])
                guard !p.redacted.isEmpty, Set(p.redacted).isSubset(of: allowed) else {
                    return fail(.altered, e, "its redacted columns are not ones redaction replaces")
                }
                report.redacted += 1
                continue
            }
            guard Ledger.hash(seq: e.seq, prev: e.previousHash, table: table, rowID: e.rowID, values: stored) == e.hash else {
                return fail(.altered, e, "its values do not match its hash (a value was changed)")
            }
            rows[e.seq] = stored
            report.recomputed += 1
        }

        // 3: the seal.
        let closures = parsed.filter { $0.entry.table == JournalTable.sessionClosures.rawValue && $0.values != nil }
        guard let closure = closures.first, let closureValues = rows[closure.entry.seq] else {
            let anchor = parsed.last?.entry ?? LedgerEntry(seq: 0, table: "session_closures", rowID: 0, previousHash: "", hash: "")
            return fail(.badSeal, anchor, "the export has no sealed closure for session \(sessionID): nothing in it is signed (export the session after it ends)")
        }
        let ce = closure.entry
        guard closures.count == 1 else { return fail(.altered, closures[1].entry, "a second closure record") }
        let seal = sealFrom(closureValues)
        guard let seal else { return fail(.altered, ce, "its values are not a seal's") }
        guard seal.sessionID == sessionID else {
            return fail(.altered, ce, "it closes session \(seal.sessionID), the export says session \(sessionID)")
        }
        guard let sealJSON = doc["seal"], sealJSON == SessionExportJSON.sealJSON(seal) else {
            return fail(.altered, ce, "the export's seal object is not this closure record's values")
        }
        report.headSeq = seal.headSeq
        report.headHash = seal.headHash
        guard seal.headSeq < ce.seq, let head = bySeq[seal.headSeq], head.entry.hash == seal.headHash else {
            return fail(.badSeal, ce, "the sealed chain head (seq \(seal.headSeq)) is not in the export with the sealed hash")
        }
        guard seal.isSignatureValid else { return fail(.badSeal, ce, "the Ed25519 signature does not verify") }
        guard publicKey == seal.publicKey else {
            return fail(.badSeal, ce, "sealed with key \(seal.publicKey), not the export's machine key \(publicKey ?? "(none)")")
        }
        if let trustedKeys, !trustedKeys.contains(seal.publicKey) {
            return fail(.untrustedKey, ce, "sealed with key \(seal.publicKey), which is not a trusted machine key")
        }
        guard let sessionRecord = parsed.first(where: { $0.entry.table == JournalTable.sessions.rawValue && $0.entry.rowID == sessionID && $0.values != nil }) else {
            return fail(.badSeal, ce, "the session's own record (sessions row \(sessionID)) is not in the export")
        }
        for seq in sessionRecord.entry.seq...ce.seq where bySeq[seq] == nil {
            return fail(.chainBroken, ce, "ledger entry \(seq), inside the session's stretch of the chain, is missing from the export")
        }
        // The session's own rows are journaled between its first row and its closure; one
        // outside that stretch (appended after the seal, or slipped in before the session) was
        // not written by the session, however consistent its hash.
        for p in parsed where p.values != nil && sessionTables.contains(p.entry.table)
            && !(sessionRecord.entry.seq...ce.seq).contains(p.entry.seq) {
            return fail(.altered, p.entry, "a session record outside the session's stretch of the chain (seq \(sessionRecord.entry.seq)-\(ce.seq))")
        }
        let passes = parsed.filter { p in
            guard p.entry.table == JournalTable.zonePasses.rawValue, let v = p.values?["session_id"] else { return false }
            return v.integerValue == sessionID
        }.count
        guard passes == seal.passes else { return fail(.badSeal, ce, "the seal counts \(seal.passes) passes, the export has \(passes)") }

        // Which records the signature reaches: walk back from the head while each record's
        // hash was recomputed from its values (so its previous hash is bound too).
        var sealed = 1 // the closure: its fields are what the signature covers.
        var seq = seal.headSeq
        while rows[seq] != nil {
            sealed += 1
            seq -= 1
        }
        report.sealed = sealed
        return report
    }

    /// Tables whose exported rows belong to the session itself (the others are rows it refers to).
    private static let sessionTables: Set<String> = Set([
        JournalTable.sessions, .sessionPigments, .cartridgeUses, .zonePasses, .passInterruptions, .passTelemetry, .events, .sessionClosures,
    ].map(\.rawValue))

    private struct Parsed {
        var entry: LedgerEntry
        var values: [String: CanonicalJSON]?
        var redacted: [String]
        var hasRedactedMember: Bool
    }

    /// The seal a closure row's stored values (in `JournalTable.sessionClosures.columns` order) describe.
    private static func sealFrom(_ v: [DatabaseValue]) -> SessionSeal? {
        guard v.count == 9, let session = Int64.fromDatabaseValue(v[1]), let statusText = String.fromDatabaseValue(v[2]),
              let status = SessionStatus(rawValue: statusText), let endedText = String.fromDatabaseValue(v[3]),
              let ended = UTCTimestamp(iso8601: endedText), ended.iso8601 == endedText, let passes = Int.fromDatabaseValue(v[4]),
              let headSeq = Int64.fromDatabaseValue(v[5]), let headHash = String.fromDatabaseValue(v[6]),
              let key = String.fromDatabaseValue(v[7]), let signature = String.fromDatabaseValue(v[8]) else { return nil }
        return SessionSeal(sessionID: session, status: status, endedAt: ended, passes: passes, headSeq: headSeq, headHash: headHash,
                           publicKey: key, signature: signature)
    }
}
