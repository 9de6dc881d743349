import Foundation
import GRDB

/// The session as canonical JSON (`stipple-session-export-v1`): every row of the session and
/// every row it refers to, with its stored values and its ledger entry, plus the seal and the
/// machine's public key, so `stipple journal verify --file` can check it with no journal at hand
/// (`SessionExportVerifier` says what that proves).
///
/// ```
/// {
///   "format": "stipple-session-export-v1",
///   "session_id": 1,
///   "machine_public_key": "<64 hex>" | null,
///   "redacted": false,
///   "seal": { "session_id", "status", "ended_utc", "passes", "head_seq", "head_hash",
///             "public_key", "signature" } | null,
///   "records": [
///     { "seq": 12, "table": "zone_passes", "row_id": 3, "prev_hash": "...", "hash": "...",
///       "values": { "<column>": <value>, ... },        // absent: another session's row
///       "redacted_columns": ["name"] }                  // only with --redact
///   ],
///   "scope": "<what offline verification of this file can and cannot prove>"
/// }
/// ```
///
/// Values keep SQLite's storage class, which the ledger hashes: NULL is `null`, INTEGER a JSON
/// integer, REAL a JSON number with a `.` or an exponent (`{"real_bits": "<16 hex>"}` for an
/// infinity), TEXT a string, BLOB `{"blob_base64": "..."}`. `id` is not repeated in `values`:
/// it is `row_id`.
public enum SessionExportJSON {
    public static let format = "stipple-session-export-v1"

    public static let scope = """
        Each record's hash is recomputed from its values with the journal's canonical encoding \
        (stipple-ledger-v1). The records from the session's first row to its closure form an \
        unbroken stretch of the chain whose head the seal signs with the machine's Ed25519 key: \
        those are proven to be what the machine sealed. Rows of other sessions inside that \
        stretch are carried as hashes only. Rows the session refers to that were journaled \
        before it (client, consents, operator, machine, calibration, plan, pigments, cartridges) \
        are proven self-consistent only: check their hashes against the journal with \
        `stipple journal verify`. Redacted columns cannot be recomputed, so redacted records are \
        not checked. Offline verification cannot prove that the journal holds nothing more about \
        the session than this file, nor that the signing key was not copied.
        """

    /// The export of session `id`.
    public static func render(sessionID id: Int64, from journal: Journal, redaction: ExportRedaction = .off) throws(JournalError) -> String {
        let detail = try journal.session(id: id)
        let records = try journal.sessionRecords(id: id)
        var key = detail.seal?.publicKey
        if key == nil { key = try MachineSigningKey.load(at: journal.signingKeyPath)?.publicKeyHex }
        return document(sessionID: id, seal: detail.seal, publicKey: key, records: records, redaction: redaction).rendered()
    }

    static func document(sessionID: Int64, seal: SessionSeal?, publicKey: String?, records: [ExportedRecord],
                         redaction: ExportRedaction) -> CanonicalJSON {
        .object([
            "format": .string(format),
            "session_id": .integer(sessionID),
            "machine_public_key": publicKey.map(CanonicalJSON.string) ?? .null,
            "redacted": .bool(redaction.isOn),
            "seal": seal.map(sealJSON) ?? .null,
            "records": .array(records.map { record($0, redaction: redaction) }),
            "scope": .string(scope),
        ])
    }

    static func sealJSON(_ s: SessionSeal) -> CanonicalJSON {
        .object([
            "session_id": .integer(s.sessionID), "status": .string(s.status.rawValue), "ended_utc": .string(s.endedAt.iso8601),
            "passes": .integer(Int64(s.passes)), "head_seq": .integer(s.headSeq), "head_hash": .string(s.headHash),
            "public_key": .string(s.publicKey), "signature": .string(s.signature),
        ])
    }

    static func record(_ r: ExportedRecord, redaction: ExportRedaction) -> CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "seq": .integer(r.entry.seq), "table": .string(r.entry.table), "row_id": .integer(r.entry.rowID),
            "prev_hash": .string(r.entry.previousHash), "hash": .string(r.entry.hash),
        ]
        guard let values = r.values, let table = JournalTable(rawValue: r.entry.table) else { return .object(members) }
        var byColumn: [String: DatabaseValue] = [:]
        for (column, value) in zip(table.columns, values) where column != "id" { byColumn[column] = value }
        var redacted: [String] = []
        if redaction.isOn, let replaced = ExportRedaction.replacedColumns[table] {
            for (column, source) in replaced where !(byColumn[column]?.isNull ?? true) {
                byColumn[column] = byColumn[source]
                redacted.append(column)
            }
        }
        members["values"] = .object(byColumn.mapValues(json))
        if !redacted.isEmpty { members["redacted_columns"] = .array(redacted.sorted().map(CanonicalJSON.string)) }
        return .object(members)
    }

    static func json(_ v: DatabaseValue) -> CanonicalJSON {
        switch v.storage {
        case .null: .null
        case .int64(let i): .integer(i)
        case .double(let d) where d.isFinite: .real(d)
        case .double(let d): .object(["real_bits": .string(String(d.bitPattern, radix: 16))])
        case .string(let s): .string(s)
        case .blob(let data): .object(["blob_base64": .string(data.base64EncodedString())])
        }
    }

    /// The stored value a JSON value stands for, or nil if it stands for none.
    static func databaseValue(_ j: CanonicalJSON) -> DatabaseValue? {
        switch j {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .string(let s): return s.databaseValue
        case .object(let o) where o.count == 1:
            if let b = o["blob_base64"]?.stringValue, let data = Data(base64Encoded: b) { return data.databaseValue }
            if let bits = o["real_bits"]?.stringValue, let raw = UInt64(bits, radix: 16) { return Double(bitPattern: raw).databaseValue }
            return nil
        default: return nil
        }
    }
}
