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
            try Row.fetchAll(db, sql: "SELECT * FROM operators ORDER BY operator_ref").map(Journal.operatorRecord)
        }
    }

    /// A calibration by id, or nil.
    public func calibration(ref: String) throws(JournalError) -> CalibrationRecord? {
        try read("read calibration") { db in
            guard let r = try Row.fetchOne(db, sql: """
                SELECT c.*, o.operator_ref FROM calibrations c JOIN operators o ON o.id = c.operator_id WHERE c.calibration_ref = ?
                """, arguments: [ref]) else { return nil }
            let t = "calibrations"
            return CalibrationRecord(rowID: try r.field("id", of: t), ref: try r.field("calibration_ref", of: t),
                                     machine: try Journal.machine(db, id: try r.field("machine_id", of: t)),
                                     performedAt: Journal.time(try r.field("performed_utc", of: t)),
                                     operatorRef: try r.field("operator_ref", of: "operators"),
                                     expiresAt: Journal.time(try r.field("expires_utc", of: t)), payload: try r.field("payload", of: t))
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
            let clientID: Int64 = try row.field("client_id", of: "sessions")
            let operatorID: Int64 = try row.field("operator_id", of: "sessions")
            guard let clientRow = try Row.fetchOne(db, sql: "SELECT * FROM clients WHERE id = ?", arguments: [clientID]),
                  let opRow = try Row.fetchOne(db, sql: "SELECT * FROM operators WHERE id = ?", arguments: [operatorID])
            else {
                throw JournalError.database(path: db.description, operation: "read session \(id)",
                                            message: "its client or operator row is missing (run `stipple journal verify`)")
            }
            var plan: TreatmentPlanRecord?
            if let planID: Int64 = try row.field("plan_id", of: "sessions"),
               let p = try Row.fetchOne(db, sql: "SELECT * FROM treatment_plans WHERE id = ?", arguments: [planID]) {
                let t = "treatment_plans"
                plan = TreatmentPlanRecord(rowID: try p.field("id", of: t), clientRef: summary.clientRef,
                                           plannedSessions: try p.field("planned_sessions", of: t),
                                           spacingDays: try p.field("spacing_days", of: t), createdAt: Journal.time(try p.field("created_utc", of: t)))
            }
            let calibration: String? = if let cid: Int64 = try row.field("calibration_id", of: "sessions") {
                try String.fetchOne(db, sql: "SELECT calibration_ref FROM calibrations WHERE id = ?", arguments: [cid])
            } else { nil }
            let pigments = try Row.fetchAll(db, sql: """
                SELECT p.* FROM session_pigments sp JOIN pigments p ON p.id = sp.pigment_id WHERE sp.session_id = ? ORDER BY sp.id
                """, arguments: [id]).map(Journal.pigment)
            let cartridges = try Row.fetchAll(db, sql: """
                SELECT k.*, u.used_utc, u.session_id FROM cartridge_uses u JOIN cartridges k ON k.id = u.cartridge_id
                WHERE u.session_id = ? ORDER BY u.id
                """, arguments: [id]).map { r in
                CartridgeUseRecord(cartridge: try Journal.cartridge(r), clientRef: summary.clientRef,
                                   sessionID: try r.field("session_id", of: "cartridge_uses"),
                                   usedAt: Journal.time(try r.field("used_utc", of: "cartridge_uses")))
            }
            let passes = try Row.fetchAll(db, sql: "SELECT * FROM zone_passes WHERE session_id = ? ORDER BY ordinal", arguments: [id])
                .map { try Journal.pass(db, row: $0) }
            let events = try Row.fetchAll(db, sql: """
                SELECT e.*, o.operator_ref FROM events e LEFT JOIN operators o ON o.id = e.operator_id
                WHERE e.session_id = ? ORDER BY e.id
                """, arguments: [id]).map(Journal.event)
            let seal = try Row.fetchOne(db, sql: "SELECT * FROM session_closures WHERE session_id = ?", arguments: [id]).map(Journal.seal)
            let ledger = try Row.fetchAll(db, sql: Journal.sessionLedgerSQL, arguments: ["s": id]).map(Journal.ledgerEntry)
            return SessionDetail(summary: summary, client: try Journal.client(db, row: clientRow),
                                 operatorRecord: try Journal.operatorRecord(opRow),
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
                CartridgeUseRecord(cartridge: try Journal.cartridge(r), clientRef: try r.field("client_ref", of: "clients"),
                                   sessionID: try r.field("session_id", of: "cartridge_uses"),
                                   usedAt: Journal.time(try r.field("used_utc", of: "cartridge_uses")))
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

    /// The ledger entries of every row that belongs to session `:s`, in chain order.
    static let sessionLedgerSQL = """
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
        """

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
        let t = "sessions"
        let status: String? = try row.field("status", of: "session_closures")
        let ended: String? = try row.field("ended_utc", of: "session_closures")
        return SessionSummary(id: try row.field("id", of: t), clientRef: try row.field("client_ref", of: "clients"),
                              operatorRef: try row.field("operator_ref", of: "operators"),
                              machine: try machine(db, id: try row.field("machine_id", of: t)),
                              startedAt: time(try row.field("started_utc", of: t)),
                              endedAt: ended.map { time($0) }, status: status.flatMap(SessionStatus.init(rawValue:)) ?? .open,
                              passes: try row.field("pass_count", of: t))
    }

    static func client(_ db: Database, row: Row) throws -> ClientRecord {
        let t = "clients"
        let ref: String = try row.field("client_ref", of: t)
        let id: Int64 = try row.field("id", of: t)
        let consents = try Row.fetchAll(db, sql: "SELECT * FROM consents WHERE client_id = ? ORDER BY id", arguments: [id]).map {
            ConsentRecord(rowID: try $0.field("id", of: "consents"), clientRef: ref, documentRef: try $0.field("document_ref", of: "consents"),
                          signedAt: time(try $0.field("signed_utc", of: "consents")))
        }
        return ClientRecord(rowID: id, ref: ref, name: try row.field("name", of: t), dateOfBirth: try row.field("date_of_birth", of: t),
                            createdAt: time(try row.field("created_utc", of: t)), consents: consents)
    }

    static func operatorRecord(_ r: Row) throws -> OperatorRecord {
        OperatorRecord(rowID: try r.field("id", of: "operators"), ref: try r.field("operator_ref", of: "operators"),
                       name: try r.field("name", of: "operators"))
    }

    static func machine(_ db: Database, id: Int64) throws -> MachineIdentity {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM machines WHERE id = ?", arguments: [id]) else {
            return MachineIdentity(model: "?", serial: "?", firmwareVersion: "?")
        }
        return MachineIdentity(model: try r.field("model", of: "machines"), serial: try r.field("serial", of: "machines"),
                               firmwareVersion: try r.field("firmware_version", of: "machines"))
    }

    static func cartridge(_ r: Row) throws -> CartridgeIdentity {
        let t = "cartridges"
        let uid: String = try r.field("uid", of: t)
        return CartridgeIdentity(uid: UInt64(uid) ?? 0, typeName: try r.field("type_name", of: t), lot: try r.field("lot", of: t),
                                 singleUse: try r.field("single_use", of: t))
    }

    static func pigment(_ r: Row) throws -> PigmentRecord {
        let t = "pigments"
        return PigmentRecord(rowID: try r.field("id", of: t), brand: try r.field("brand", of: t), name: try r.field("name", of: t),
                             batch: try r.field("batch", of: t), lot: try r.field("lot", of: t), expiry: try r.field("expiry", of: t),
                             dilution: try r.field("dilution", of: t))
    }

    static func stats(_ r: Row, _ prefix: String, _ unit: String) throws -> AchievedStatistics? {
        let t = "zone_passes"
        guard let mean: Double = try r.field("\(prefix)_mean_\(unit)", of: t), let mn: Double = try r.field("\(prefix)_min_\(unit)", of: t),
              let mx: Double = try r.field("\(prefix)_max_\(unit)", of: t) else { return nil }
        return AchievedStatistics(mean: mean, min: mn, max: mx, p5: try r.field("\(prefix)_p5_\(unit)", of: t),
                                  p95: try r.field("\(prefix)_p95_\(unit)", of: t))
    }

    static func pass(_ db: Database, row r: Row) throws -> ZonePassRecord {
        let t = "zone_passes"
        let id: Int64 = try r.field("id", of: t)
        let cartridgeID: Int64 = try r.field("cartridge_id", of: t)
        let cartridgeRow = try Row.fetchOne(db, sql: "SELECT * FROM cartridges WHERE id = ?", arguments: [cartridgeID])
        let interruptions = try Row.fetchAll(db, sql: "SELECT * FROM pass_interruptions WHERE pass_id = ? ORDER BY ordinal", arguments: [id]).map {
            let i = "pass_interruptions"
            let at: Int64 = try $0.field("at_offset_ns", of: i)
            let resumed: Int64? = try $0.field("resumed_offset_ns", of: i)
            return PassInterruption(ordinal: try $0.field("ordinal", of: i), atOffsetNanoseconds: UInt64(max(0, at)),
                                    resumedOffsetNanoseconds: resumed.map { UInt64(max(0, $0)) }, reason: try $0.field("reason", of: i))
        }
        let hasTelemetry = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM pass_telemetry WHERE pass_id = ?)", arguments: [id]) ?? false
        let startedMono: Int64 = try r.field("started_monotonic_ns", of: t)
        let duration: Int64 = try r.field("duration_ns", of: t)
        let strokes: Int64 = try r.field("strokes", of: t)
        return ZonePassRecord(
            rowID: id, sessionID: try r.field("session_id", of: t), ordinal: try r.field("ordinal", of: t), zone: try r.field("zone", of: t),
            profileName: try r.field("profile_name", of: t), profileHash: try r.field("profile_hash", of: t),
            machine: try machine(db, id: try r.field("machine_id", of: t)),
            cartridge: try cartridgeRow.map(cartridge) ?? CartridgeIdentity(uid: 0, typeName: "?", lot: "?", singleUse: true),
            pigmentRowID: try r.field("pigment_id", of: t), startedAt: time(try r.field("started_utc", of: t)),
            endedAt: time(try r.field("ended_utc", of: t)),
            startedMonotonicNanoseconds: UInt64(max(0, startedMono)),
            durationNanoseconds: UInt64(max(0, duration)), strokes: UInt32(clamping: strokes),
            rateSetHertz: try r.field("rate_set_hz", of: t), depthSetMillimetres: try r.field("depth_set_mm", of: t),
            rate: try stats(r, "rate", "hz"), depth: try stats(r, "depth", "mm"),
            samplesLoop: try r.field("samples_loop", of: t), samplesJournal: try r.field("samples_journal", of: t),
            stopReason: try r.field("stop_reason", of: t), faultCode: try r.field("fault_code", of: t),
            interruptions: interruptions, hasTelemetry: hasTelemetry)
    }

    static func event(_ r: Row) throws -> JournalEventRecord {
        let t = "events"
        let kind: String = try r.field("kind", of: t)
        let mono: Int64? = try r.field("at_monotonic_ns", of: t)
        return JournalEventRecord(rowID: try r.field("id", of: t), sessionID: try r.field("session_id", of: t),
                                  kind: JournalEventKind(rawValue: kind) ?? .note, code: try r.field("code", of: t),
                                  message: try r.field("message", of: t), operatorRef: try r.field("operator_ref", of: "operators"),
                                  at: time(try r.field("at_utc", of: t)), atMonotonicNanoseconds: mono.map { UInt64(bitPattern: $0) })
    }

    static func seal(_ r: Row) throws -> SessionSeal {
        let t = "session_closures"
        let status: String = try r.field("status", of: t)
        return SessionSeal(sessionID: try r.field("session_id", of: t), status: SessionStatus(rawValue: status) ?? .interrupted,
                           endedAt: time(try r.field("ended_utc", of: t)), passes: try r.field("passes", of: t),
                           headSeq: try r.field("head_seq", of: t), headHash: try r.field("head_hash", of: t),
                           publicKey: try r.field("public_key", of: t), signature: try r.field("signature", of: t))
    }

    static func ledgerEntry(_ r: Row) throws -> LedgerEntry {
        let t = "ledger"
        return LedgerEntry(seq: try r.field("seq", of: t), table: try r.field("table_name", of: t), rowID: try r.field("row_id", of: t),
                           previousHash: try r.field("prev_hash", of: t), hash: try r.field("hash", of: t))
    }
}
