import Foundation
import GRDB

/// Reading the journal back as plain values, for the CLI, the exports and the console.
extension Journal {
    /// Every client, by id, with their consents.
    public func clients() throws(JournalError) -> [ClientRecord] {
        try read("list clients") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM clients ORDER BY client_ref").map { try Journal.client(db, row: $0) }
        }
    }

    /// One client by pseudonymous id, or nil.
    public func client(ref: String) throws(JournalError) -> ClientRecord? {
        try read("read client") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM clients WHERE client_ref = ?", arguments: [ref]).map { try Journal.client(db, row: $0) }
        }
    }

    /// Every operator, by id.
    public func operators() throws(JournalError) -> [OperatorRecord] {
        try read("list operators") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM operators ORDER BY operator_ref").map {
                OperatorRecord(rowID: $0["id"], ref: $0["operator_ref"], name: $0["name"])
            }
        }
    }

    /// A calibration by id, or nil.
    public func calibration(ref: String) throws(JournalError) -> CalibrationRecord? {
        try read("read calibration") { db in
            guard let r = try Row.fetchOne(db, sql: """
                SELECT c.*, o.operator_ref FROM calibrations c JOIN operators o ON o.id = c.operator_id WHERE c.calibration_ref = ?
                """, arguments: [ref]) else { return nil }
            return CalibrationRecord(rowID: r["id"], ref: r["calibration_ref"], machine: try Journal.machine(db, id: r["machine_id"]),
                                     performedAt: Journal.time(r["performed_utc"]), operatorRef: r["operator_ref"],
                                     expiresAt: Journal.time(r["expires_utc"]), payload: r["payload"])
        }
    }

    /// Sessions, newest first; only `clientRef`'s when given.
    public func sessions(clientRef: String? = nil) throws(JournalError) -> [SessionSummary] {
        try read("list sessions") { db in
            var sql = Journal.summarySQL
            var args: StatementArguments = []
            if let clientRef {
                sql += " WHERE c.client_ref = ?"
                args = [clientRef]
            }
            sql += " ORDER BY s.started_utc DESC, s.id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: args).map { try Journal.summary(db, row: $0) }
        }
    }

    /// One session with its passes, events, pigments, cartridges, seal and ledger entries.
    public func session(id: Int64) throws(JournalError) -> SessionDetail {
        try read("read session") { db in
            guard let row = try Row.fetchOne(db, sql: Journal.summarySQL + " WHERE s.id = ?", arguments: [id]) else {
                throw JournalError.unknownSession(id)
            }
            let summary = try Journal.summary(db, row: row)
            guard let clientRow = try Row.fetchOne(db, sql: "SELECT * FROM clients WHERE id = ?", arguments: [row["client_id"] as Int64]),
                  let opRow = try Row.fetchOne(db, sql: "SELECT * FROM operators WHERE id = ?", arguments: [row["operator_id"] as Int64])
            else {
                throw JournalError.database(path: db.description, operation: "read session \(id)",
                                            message: "its client or operator row is missing (run `stipple journal verify`)")
            }
            var plan: TreatmentPlanRecord?
            if let planID: Int64 = row["plan_id"], let p = try Row.fetchOne(db, sql: "SELECT * FROM treatment_plans WHERE id = ?", arguments: [planID]) {
                plan = TreatmentPlanRecord(rowID: p["id"], clientRef: summary.clientRef, plannedSessions: p["planned_sessions"],
                                           spacingDays: p["spacing_days"], createdAt: Journal.time(p["created_utc"]))
            }
            let calibration: String? = if let cid: Int64 = row["calibration_id"] {
                try String.fetchOne(db, sql: "SELECT calibration_ref FROM calibrations WHERE id = ?", arguments: [cid])
            } else { nil }
            let pigments = try Row.fetchAll(db, sql: """
                SELECT p.* FROM session_pigments sp JOIN pigments p ON p.id = sp.pigment_id WHERE sp.session_id = ? ORDER BY sp.id
                """, arguments: [id]).map(Journal.pigment)
            let cartridges = try Row.fetchAll(db, sql: """
                SELECT k.*, u.used_utc, u.session_id FROM cartridge_uses u JOIN cartridges k ON k.id = u.cartridge_id
                WHERE u.session_id = ? ORDER BY u.id
                """, arguments: [id]).map { r in
                CartridgeUseRecord(cartridge: Journal.cartridge(r), clientRef: summary.clientRef, sessionID: r["session_id"],
                                   usedAt: Journal.time(r["used_utc"]))
            }
            let passes = try Row.fetchAll(db, sql: "SELECT * FROM zone_passes WHERE session_id = ? ORDER BY ordinal", arguments: [id])
                .map { try Journal.pass(db, row: $0) }
            let events = try Row.fetchAll(db, sql: """
                SELECT e.*, o.operator_ref FROM events e LEFT JOIN operators o ON o.id = e.operator_id
                WHERE e.session_id = ? ORDER BY e.id
                """, arguments: [id]).map(Journal.event)
            let seal = try Row.fetchOne(db, sql: "SELECT * FROM session_closures WHERE session_id = ?", arguments: [id]).map(Journal.seal)
            let ledger = try Row.fetchAll(db, sql: """
                SELECT * FROM ledger WHERE
                  (table_name = 'sessions' AND row_id = :s)
                  OR (table_name = 'session_pigments' AND row_id IN (SELECT id FROM session_pigments WHERE session_id = :s))
                  OR (table_name = 'cartridge_uses' AND row_id IN (SELECT id FROM cartridge_uses WHERE session_id = :s))
                  OR (table_name = 'zone_passes' AND row_id IN (SELECT id FROM zone_passes WHERE session_id = :s))
                  OR (table_name = 'pass_interruptions' AND row_id IN
                      (SELECT i.id FROM pass_interruptions i JOIN zone_passes z ON z.id = i.pass_id WHERE z.session_id = :s))
                  OR (table_name = 'pass_telemetry' AND row_id IN
                      (SELECT t.id FROM pass_telemetry t JOIN zone_passes z ON z.id = t.pass_id WHERE z.session_id = :s))
                  OR (table_name = 'events' AND row_id IN (SELECT id FROM events WHERE session_id = :s))
                  OR (table_name = 'session_closures' AND row_id IN (SELECT id FROM session_closures WHERE session_id = :s))
                ORDER BY seq
                """, arguments: ["s": id]).map(Journal.ledgerEntry)
            return SessionDetail(summary: summary, client: try Journal.client(db, row: clientRow),
                                 operatorRecord: OperatorRecord(rowID: opRow["id"], ref: opRow["operator_ref"], name: opRow["name"]),
                                 plan: plan, calibrationRef: calibration, pigments: pigments, cartridges: cartridges,
                                 passes: passes, events: events, seal: seal, ledger: ledger)
        }
    }

    /// The raw telemetry kept for a pass (empty if none was kept).
    public func telemetry(passRowID: Int64) throws(JournalError) -> [TelemetrySample] {
        let blob: Data? = try read("read telemetry") { db in
            try Data.fetchOne(db, sql: "SELECT data FROM pass_telemetry WHERE pass_id = ?", arguments: [passRowID])
        }
        guard let blob else { return [] }
        return try TelemetryCodec.decode(Array(blob))
    }

    /// Every use of a cartridge, oldest first.
    public func cartridgeUses(uid: UInt64) throws(JournalError) -> [CartridgeUseRecord] {
        try read("read cartridge uses") { db in
            try Row.fetchAll(db, sql: """
                SELECT k.*, u.used_utc, u.session_id, c.client_ref FROM cartridge_uses u JOIN cartridges k ON k.id = u.cartridge_id
                JOIN clients c ON c.id = u.client_id WHERE k.uid = ? ORDER BY u.id
                """, arguments: [String(uid)]).map { r in
                CartridgeUseRecord(cartridge: Journal.cartridge(r), clientRef: r["client_ref"], sessionID: r["session_id"],
                                   usedAt: Journal.time(r["used_utc"]))
            }
        }
    }

    /// The last ledger entry (nil for an empty journal): what an export or a printed report
    /// quotes as the verification hash.
    public func ledgerHead() throws(JournalError) -> LedgerEntry? {
        try read("read ledger head") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM ledger ORDER BY seq DESC LIMIT 1").map(Journal.ledgerEntry)
        }
    }

    // MARK: - Row mapping

    static let summarySQL = """
        SELECT s.*, c.client_ref, o.operator_ref, k.status, k.ended_utc,
               (SELECT COUNT(*) FROM zone_passes z WHERE z.session_id = s.id) AS pass_count
        FROM sessions s JOIN clients c ON c.id = s.client_id JOIN operators o ON o.id = s.operator_id
        LEFT JOIN session_closures k ON k.session_id = s.id
        """

    /// Stored times are written by the journal; one it cannot parse (an edited file) reads as
    /// the epoch rather than failing the whole query, and `verify` names the row.
    static func time(_ text: String?) -> UTCTimestamp {
        text.flatMap { UTCTimestamp(iso8601: $0) } ?? UTCTimestamp(nanosecondsSinceEpoch: 0)
    }

    static func summary(_ db: Database, row: Row) throws -> SessionSummary {
        let status: String? = row["status"]
        let ended: String? = row["ended_utc"]
        return SessionSummary(id: row["id"], clientRef: row["client_ref"], operatorRef: row["operator_ref"],
                              machine: try machine(db, id: row["machine_id"]), startedAt: time(row["started_utc"]),
                              endedAt: ended.map { time($0) }, status: status.flatMap(SessionStatus.init(rawValue:)) ?? .open,
                              passes: row["pass_count"])
    }

    static func client(_ db: Database, row: Row) throws -> ClientRecord {
        let ref: String = row["client_ref"]
        let consents = try Row.fetchAll(db, sql: "SELECT * FROM consents WHERE client_id = ? ORDER BY id", arguments: [row["id"] as Int64]).map {
            ConsentRecord(rowID: $0["id"], clientRef: ref, documentRef: $0["document_ref"], signedAt: time($0["signed_utc"]))
        }
        return ClientRecord(rowID: row["id"], ref: ref, name: row["name"], dateOfBirth: row["date_of_birth"],
                            createdAt: time(row["created_utc"]), consents: consents)
    }

    static func machine(_ db: Database, id: Int64) throws -> MachineIdentity {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM machines WHERE id = ?", arguments: [id]) else {
            return MachineIdentity(model: "?", serial: "?", firmwareVersion: "?")
        }
        return MachineIdentity(model: r["model"], serial: r["serial"], firmwareVersion: r["firmware_version"])
    }

    static func cartridge(_ r: Row) -> CartridgeIdentity {
        let uid: String = r["uid"]
        return CartridgeIdentity(uid: UInt64(uid) ?? 0, typeName: r["type_name"], lot: r["lot"], singleUse: r["single_use"])
    }

    static func pigment(_ r: Row) -> PigmentRecord {
        PigmentRecord(rowID: r["id"], brand: r["brand"], name: r["name"], batch: r["batch"], lot: r["lot"],
                      expiry: r["expiry"], dilution: r["dilution"])
    }

    static func stats(_ r: Row, _ prefix: String, _ unit: String) -> AchievedStatistics? {
        guard let mean: Double = r["\(prefix)_mean_\(unit)"], let mn: Double = r["\(prefix)_min_\(unit)"],
              let mx: Double = r["\(prefix)_max_\(unit)"] else { return nil }
        return AchievedStatistics(mean: mean, min: mn, max: mx, p5: r["\(prefix)_p5_\(unit)"], p95: r["\(prefix)_p95_\(unit)"])
    }

    static func pass(_ db: Database, row r: Row) throws -> ZonePassRecord {
        let id: Int64 = r["id"]
        let cartridgeRow = try Row.fetchOne(db, sql: "SELECT * FROM cartridges WHERE id = ?", arguments: [r["cartridge_id"] as Int64])
        let interruptions = try Row.fetchAll(db, sql: "SELECT * FROM pass_interruptions WHERE pass_id = ? ORDER BY ordinal", arguments: [id]).map {
            PassInterruption(ordinal: $0["ordinal"], atOffsetNanoseconds: UInt64(max(0, $0["at_offset_ns"] as Int64)),
                             resumedOffsetNanoseconds: ($0["resumed_offset_ns"] as Int64?).map { UInt64(max(0, $0)) },
                             reason: $0["reason"])
        }
        let hasTelemetry = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM pass_telemetry WHERE pass_id = ?)", arguments: [id]) ?? false
        return ZonePassRecord(
            rowID: id, sessionID: r["session_id"], ordinal: r["ordinal"], zone: r["zone"], profileName: r["profile_name"],
            profileHash: r["profile_hash"], machine: try machine(db, id: r["machine_id"]),
            cartridge: cartridgeRow.map(cartridge) ?? CartridgeIdentity(uid: 0, typeName: "?", lot: "?", singleUse: true),
            pigmentRowID: r["pigment_id"], startedAt: time(r["started_utc"]), endedAt: time(r["ended_utc"]),
            startedMonotonicNanoseconds: UInt64(max(0, r["started_monotonic_ns"] as Int64)),
            durationNanoseconds: UInt64(max(0, r["duration_ns"] as Int64)), strokes: UInt32(clamping: r["strokes"] as Int64),
            rateSetHertz: r["rate_set_hz"], depthSetMillimetres: r["depth_set_mm"],
            rate: stats(r, "rate", "hz"), depth: stats(r, "depth", "mm"),
            samplesLoop: r["samples_loop"], samplesJournal: r["samples_journal"], stopReason: r["stop_reason"],
            faultCode: r["fault_code"], interruptions: interruptions, hasTelemetry: hasTelemetry)
    }

    static func event(_ r: Row) -> JournalEventRecord {
        let kind: String = r["kind"]
        let mono: Int64? = r["at_monotonic_ns"]
        return JournalEventRecord(rowID: r["id"], sessionID: r["session_id"], kind: JournalEventKind(rawValue: kind) ?? .note,
                                  code: r["code"], message: r["message"], operatorRef: r["operator_ref"],
                                  at: time(r["at_utc"]), atMonotonicNanoseconds: mono.map { UInt64(bitPattern: $0) })
    }

    static func seal(_ r: Row) -> SessionSeal {
        let status: String = r["status"]
        return SessionSeal(sessionID: r["session_id"], status: SessionStatus(rawValue: status) ?? .interrupted,
                           endedAt: time(r["ended_utc"]), passes: r["passes"], headSeq: r["head_seq"], headHash: r["head_hash"],
                           publicKey: r["public_key"], signature: r["signature"])
    }

    static func ledgerEntry(_ r: Row) -> LedgerEntry {
        LedgerEntry(seq: r["seq"], table: r["table_name"], rowID: r["row_id"], previousHash: r["prev_hash"], hash: r["hash"])
    }
}
