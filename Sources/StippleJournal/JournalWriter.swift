import Foundation
import GRDB
import StippleControl
import StippleModel

/// The live side of the journal: one session at a time, fed the control loop's records.
///
/// Typical use, on the journal thread (never the control loop's):
/// ```swift
/// let writer = try JournalWriter.open(at: path)          // lock, recover crashed sessions
/// let id = try writer.beginSession(start)                 // validated, one transaction
/// writer.register(passSettings, generation: 1)            // per settings generation
/// while running { ring.drain(into: &buf); try writer.ingest(buf); try writer.noteDrops(...) }
/// let seal = try writer.endSession(at: clock.now)         // signed
/// try writer.close()
/// ```
///
/// Durability: a pass end, a fault, an e-stop, a reset and lost critical records are committed
/// at once (`synchronous=FULL`, WAL), together with anything batched before them. Telemetry is
/// kept in memory per pass and written with the pass (statistics, and the compressed samples
/// with `keepTelemetry`); minor events (refusals, telemetry drops, link restored) are batched
/// and committed with the next durable commit, after `Options.batchInterval` of record time or
/// `batchLimit` rows, or on `flush()`. A process killed at any point leaves every committed pass
/// and fault in the file; the next `open` closes its session as `interrupted`.
///
/// Not thread-safe: drive one writer from one thread. It is a class without shared global state,
/// so a small separate process can drive one (the crash test does).
public final class JournalWriter: @unchecked Sendable {
    public struct Options: Sendable {
        /// Keep every pass's raw telemetry, compressed (`--keep-telemetry`).
        public var keepTelemetry: Bool
        /// How long `open` waits for another writer's lock before failing.
        public var lockWaitSeconds: Double
        /// Minor events wait at most this long (record time) before a commit.
        public var batchInterval: UInt64
        /// ...or until this many are waiting.
        public var batchLimit: Int

        public init(keepTelemetry: Bool = false, lockWaitSeconds: Double = 1, batchInterval: UInt64 = 1_000_000_000, batchLimit: Int = 256) {
            self.keepTelemetry = keepTelemetry
            self.lockWaitSeconds = lockWaitSeconds
            self.batchInterval = batchInterval
            self.batchLimit = batchLimit
        }
    }

    public let journal: Journal
    public let options: Options
    /// The key that seals sessions (created on first open).
    public let signingKey: MachineSigningKey
    /// Sessions found open with no live writer and closed as `interrupted` by `open`.
    public let recoveredSessions: [RecoveredSession]
    /// The lockout seam for the control side, backed by this journal and kept on the open session.
    public let cartridgeRegistry: JournalCartridgeRegistry

    private let lock: WriterLock
    private var session: OpenSession?
    private var settings: [UInt16: PassSettings] = [:]
    private var latestSettings: PassSettings?
    private var pass: PassAggregate?
    private var pending: [PendingEvent] = []
    private var lastCommitAt: UInt64 = 0
    private var toldTelemetryDrops: UInt64 = 0
    private var toldCriticalDrops: UInt64 = 0
    private var closed = false

    private struct OpenSession {
        let id: Int64
        let clientRowID: Int64
        let clientRef: String
        let operatorRowID: Int64
        let machineRowID: Int64
        let anchor: TimeAnchor
        var passes: Int
        var cartridges: [UInt64: Int64]
        var pigmentsByLot: [String: Int64]
    }

    private struct PendingEvent {
        let kind: JournalEventKind
        let code: Int64?
        let message: String
        let at: UInt64
    }

    /// Opens the journal at `path` for writing: takes the writer lock (failing with
    /// `writerActive` if another writer holds it), loads or creates the signing key, and closes
    /// every session left open by a writer that died as `interrupted` (sealed, with an event).
    public static func open(at path: String, options: Options = Options(),
                            now: @escaping @Sendable () -> UTCTimestamp = { .now() }) throws(JournalError) -> JournalWriter {
        try PrivateFiles.ensureFolder(PrivateFiles.folder(of: path))
        let lock = try WriterLock(path: path + ".lock", wait: options.lockWaitSeconds)
        let journal = try Journal.open(at: path, now: now)
        let key = try MachineSigningKey.loadOrCreate(at: journal.signingKeyPath)
        let recovered = try JournalWriter.recover(journal, key: key)
        return JournalWriter(journal: journal, options: options, key: key, lock: lock, recovered: recovered)
    }

    private init(journal: Journal, options: Options, key: MachineSigningKey, lock: WriterLock, recovered: [RecoveredSession]) {
        self.journal = journal
        self.options = options
        signingKey = key
        self.lock = lock
        recoveredSessions = recovered
        cartridgeRegistry = JournalCartridgeRegistry(journal: journal)
    }

    deinit { lock.release() }

    /// The open session's id, if any.
    public var currentSessionID: Int64? { session?.id }

    // MARK: - Session start

    /// Begins a session after checking, in one transaction: the client exists and has a consent
    /// on file, every pigment is unexpired on the session's UTC day, no single-use cartridge was
    /// used on another client or in another session, the plan is the client's, the calibration
    /// (if named) exists and has not expired. Any refusal writes nothing.
    @discardableResult
    public func beginSession(_ start: SessionStart) throws(JournalError) -> Int64 {
        try begin(start, commit: true)
    }

    /// Runs every check `beginSession` runs, in the same transaction it would, and rolls it back:
    /// a caller can refuse bad input before it touches a machine, then begin the session once it
    /// knows the machine's identity. Throws what `beginSession` would throw; writes nothing.
    public func checkSession(_ start: SessionStart) throws(JournalError) {
        try begin(start, commit: false)
    }

    /// Zone passes committed in the open session so far (0 without one): each is durable.
    public var committedPasses: Int { session?.passes ?? 0 }

    @discardableResult
    private func begin(_ start: SessionStart, commit: Bool) throws(JournalError) -> Int64 {
        guard !closed else { throw .writerClosed(path: journal.path) }
        if let s = session { throw .sessionAlreadyOpen(s.id) }
        let startedAt = start.anchor.utc
        let day = startedAt.day
        for p in start.pigments {
            if p.expiry.description < day {
                throw .pigmentExpired(lot: p.lot, expiry: p.expiry.description, sessionDay: day)
            }
        }
        let opened: OpenSession = try journal.write(commit ? "begin session" : "check session", commit: commit) { db in
            guard let client = try Journal.clientRowID(db, ref: start.clientRef) else { throw JournalError.unknownClient(start.clientRef) }
            let consented = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM consents WHERE client_id = ? AND signed_utc <= ?)",
                                              arguments: [client, startedAt.iso8601]) ?? false
            guard consented else { throw JournalError.missingConsent(client: start.clientRef) }
            if let plan = start.planRowID {
                let owner = try Int64.fetchOne(db, sql: "SELECT client_id FROM treatment_plans WHERE id = ?", arguments: [plan])
                guard owner == client else { throw JournalError.unknownPlan(plan, client: start.clientRef) }
            }
            var calibrationID: Int64?
            if let ref = start.calibrationRef {
                guard let row = try Row.fetchOne(db, sql: "SELECT id, expires_utc FROM calibrations WHERE calibration_ref = ?", arguments: [ref]) else {
                    throw JournalError.unknownCalibration(ref)
                }
                let expires: String = try row.field("expires_utc", of: "calibrations")
                guard expires > startedAt.iso8601 else { throw JournalError.calibrationExpired(id: ref, expired: expires) }
                calibrationID = try row.field("id", of: "calibrations")
            }
            let op = try Journal.ensureOperator(db, ref: start.operatorRef, name: nil, at: startedAt)
            let machine = try Journal.ensureMachine(db, start.machine, at: startedAt)
            let id = try Ledger.insert(db, .sessions, [
                "client_id": client, "operator_id": op, "machine_id": machine, "plan_id": start.planRowID,
                "calibration_id": calibrationID, "started_utc": startedAt.iso8601,
                "started_monotonic_ns": Int64(bitPattern: start.anchor.monotonicNanoseconds),
            ])
            var pigments: [String: Int64] = [:]
            for p in start.pigments {
                let pid = try Journal.ensurePigment(db, p, at: startedAt)
                if pigments[p.lot] == nil {
                    try Ledger.insert(db, .sessionPigments, ["session_id": id, "pigment_id": pid])
                }
                pigments[p.lot] = pid
            }
            var cartridges: [UInt64: Int64] = [:]
            for c in start.cartridges where cartridges[c.uid] == nil {
                let cid = try Journal.ensureCartridge(db, c, at: startedAt)
                if let other = try Journal.conflictingUse(db, cartridgeRowID: cid, singleUse: c.singleUse, clientRowID: client, sessionID: id) {
                    throw JournalError.cartridgeReused(uid: String(c.uid), previousClient: other.client, previousSession: other.session)
                }
                try Ledger.insert(db, .cartridgeUses, ["cartridge_id": cid, "client_id": client, "session_id": id,
                                                       "used_utc": startedAt.iso8601])
                cartridges[c.uid] = cid
            }
            return OpenSession(id: id, clientRowID: client, clientRef: start.clientRef, operatorRowID: op, machineRowID: machine,
                               anchor: start.anchor, passes: 0, cartridges: cartridges, pigmentsByLot: pigments)
        }
        guard commit else { return opened.id }
        session = opened
        settings = [:]
        latestSettings = nil
        pass = nil
        pending = []
        lastCommitAt = start.anchor.monotonicNanoseconds
        cartridgeRegistry.session = opened.id
        return opened.id
    }

    /// What passes of settings generation `generation` run with (`ControlRecord.code` of their
    /// `passStarted`). Register before the pass starts; a pass of an unregistered generation is
    /// journaled with the latest registered settings and a note saying so.
    public func register(_ passSettings: PassSettings, generation: UInt16) {
        settings[generation] = passSettings
        latestSettings = passSettings
    }

    // MARK: - Records

    /// Journals a batch of records in order.
    public func ingest(_ records: some Sequence<ControlRecord>) throws(JournalError) {
        for r in records { try ingest(r) }
    }

    /// Journals one record from the control loop.
    public func ingest(_ r: ControlRecord) throws(JournalError) {
        guard !closed else { throw .writerClosed(path: journal.path) }
        guard session != nil else { throw .noOpenSession }
        switch r.kind {
        case .telemetry:
            pass?.add(r)
        case .passStarted:
            try startPass(r)
        case .passEnded:
            try endPass(r.summary, at: r.at)
        case .fault:
            let f = FaultCode(wire: r.code)
            try commit(durable: PendingEvent(kind: .fault, code: Int64(r.code), message: "\(f): \(f.advice)", at: r.at))
        case .estop:
            try commit(durable: PendingEvent(kind: .estop, code: Int64(r.code), message: "e-stop: enable line dropped, machine latched", at: r.at))
        case .reset:
            let f = FaultCode(wire: r.code)
            try commit(durable: PendingEvent(kind: .reset, code: Int64(r.code), message: "reset after \(f)", at: r.at))
        case .requestRefused:
            let reason = RefusalReason(rawValue: r.code).map(\.description) ?? "code \(r.code)"
            try batch(PendingEvent(kind: .refused, code: Int64(r.code), message: "request refused: \(reason)", at: r.at))
        case .commandRefused:
            try batch(PendingEvent(kind: .commandRefused, code: Int64(r.code),
                                   message: "machine refused command 0x\(String(r.code, radix: 16))", at: r.at))
        case .stateChanged:
            if r.to == .paused { pass?.paused(at: r.at, reason: "paused") }
            if r.from == .paused, r.to == .running { pass?.resumed(at: r.at) }
        case .linkRestored:
            try batch(PendingEvent(kind: .linkRestored, code: Int64(r.code),
                                   message: "link restored: machine identified again (the fault stays latched until reset)", at: r.at))
        }
    }

    /// Tells the writer the ring's drop counters (totals since the ring was made); increases are
    /// journaled: telemetry drops batched, critical drops at once.
    public func noteDrops(telemetry: UInt64, critical: UInt64, at: UInt64) throws(JournalError) {
        guard session != nil else { throw .noOpenSession }
        if critical > toldCriticalDrops {
            let n = critical - toldCriticalDrops
            toldCriticalDrops = critical
            try commit(durable: PendingEvent(kind: .recordsLost, code: Int64(clamping: n),
                                             message: "\(n) critical records lost: the ring was full (total \(critical))", at: at))
        }
        if telemetry > toldTelemetryDrops {
            let n = telemetry - toldTelemetryDrops
            toldTelemetryDrops = telemetry
            try batch(PendingEvent(kind: .telemetryDropped, code: Int64(clamping: n),
                                   message: "\(n) telemetry samples dropped by the ring (total \(telemetry))", at: at))
        }
    }

    /// Journals an operator's event (an override, a note) durably, with the session's operator.
    public func recordEvent(_ kind: JournalEventKind, code: Int64? = nil, message: String, at: UInt64) throws(JournalError) {
        guard session != nil else { throw .noOpenSession }
        try commit(durable: PendingEvent(kind: kind, code: code, message: message, at: at))
    }

    /// Commits whatever is batched.
    public func flush() throws(JournalError) {
        guard session != nil, !pending.isEmpty else { return }
        try commit(durable: nil)
    }

    /// Ends the session: a pass still open is journaled as ended now (with a `pass-unended`
    /// event), batched events are committed, and the session is closed `completed` and sealed.
    @discardableResult
    public func endSession(at: UInt64) throws(JournalError) -> SessionSeal {
        guard !closed else { throw .writerClosed(path: journal.path) }
        guard let s = session else { throw .noOpenSession }
        if let open = pass {
            var summary = PassSummary()
            summary.startedAt = open.startedAt
            summary.endedAt = max(at, open.startedAt)
            summary.stopReason = .disarmed
            pending.append(PendingEvent(kind: .passUnended, code: nil, message: "pass \(s.passes + 1) had no end record; ended with the session", at: at))
            try endPass(summary, at: at)
        }
        let events = pending
        let key = signingKey
        let seal: SessionSeal = try journal.write("end session") { db in
            try insert(events, db, s)
            return try JournalWriter.seal(db, sessionID: s.id, status: .completed, endedAt: s.anchor.utc(atMonotonic: at), key: key)
        }
        pending = []
        session = nil
        pass = nil
        cartridgeRegistry.session = nil
        return seal
    }

    /// Commits batched events and releases the lock. A session not ended stays open and is
    /// closed as `interrupted` by the next writer.
    public func close() throws(JournalError) {
        guard !closed else { return }
        defer {
            closed = true
            lock.release()
        }
        try flush()
        try journal.close()
    }

    // MARK: - Passes

    private func startPass(_ r: ControlRecord) throws(JournalError) {
        guard var s = session else { throw .noOpenSession }
        if let open = pass {
            var summary = PassSummary()
            summary.startedAt = open.startedAt
            summary.endedAt = r.at
            summary.stopReason = .disarmed
            pending.append(PendingEvent(kind: .passUnended, code: nil, message: "pass \(s.passes + 1) had no end record before the next began", at: r.at))
            try endPass(summary, at: r.at)
            s = session ?? s
        }
        var chosen = settings[r.code]
        if chosen == nil, let latest = latestSettings {
            chosen = latest
            pending.append(PendingEvent(kind: .note, code: Int64(r.code), message: "settings generation \(r.code) was not registered; the pass is journaled with the latest registered settings", at: r.at))
        }
        guard let passSettings = chosen else { throw .noPassSettings(generation: r.code) }
        pass = PassAggregate(settings: passSettings, startedAt: r.at)
        // A cartridge the session did not start with: its use is committed before any more
        // needling is journaled, so the lockout holds even if this process dies mid-pass.
        let c = passSettings.cartridge
        if s.cartridges[c.uid] == nil {
            let at = s.anchor.utc(atMonotonic: r.at)
            let current = s
            let events = pending
            let cid: Int64 = try journal.write("record cartridge use") { db in
                try insert(events, db, current)
                let cid = try Journal.ensureCartridge(db, c, at: at)
                let conflict = try Journal.conflictingUse(db, cartridgeRowID: cid, singleUse: c.singleUse, clientRowID: current.clientRowID, sessionID: current.id)
                if let conflict {
                    // The pass happened: record the fact and the reuse rather than lose either.
                    try insert([PendingEvent(kind: .note, code: nil, message: "cartridge \(c.uid) was already used on client \(conflict.client)", at: r.at)], db, current)
                }
                try Ledger.insert(db, .cartridgeUses, ["cartridge_id": cid, "client_id": current.clientRowID, "session_id": current.id,
                                                       "used_utc": at.iso8601])
                return cid
            }
            pending = []
            lastCommitAt = r.at
            s.cartridges[c.uid] = cid
            session = s
        }
    }

    private func endPass(_ summary: PassSummary, at: UInt64) throws(JournalError) {
        guard var s = session else { throw .noOpenSession }
        guard let open = pass else {
            // An end with no start (the writer began mid-pass): nothing to aggregate, keep a note.
            try batch(PendingEvent(kind: .note, code: Int64(summary.pass), message: "a pass ended that began before the session was journaled", at: at))
            return
        }
        pass = nil
        let steady = open.steadyIndices
        let rate = PassAggregate.statistics(journal: steady.map { open.rates[$0] }, loopCount: summary.samples,
                                            loopMean: summary.rateMeanHertz, loopMin: summary.rateMinHertz, loopMax: summary.rateMaxHertz)
        let depth = PassAggregate.statistics(journal: steady.map { open.depths[$0] }, loopCount: summary.samples,
                                             loopMean: summary.depthMeanMillimetres, loopMin: summary.depthMinMillimetres,
                                             loopMax: summary.depthMaxMillimetres)
        let startMono = summary.startedAt != 0 || open.startedAt == 0 ? summary.startedAt : open.startedAt
        let endMono = max(summary.endedAt, startMono)
        let ordinal = s.passes + 1
        let settings = open.settings
        let telemetry = options.keepTelemetry && !open.offsets.isEmpty ? TelemetryCodec.encode(open.samples) : nil
        let events = pending
        let current = s
        let cartridgeRowID = s.cartridges[settings.cartridge.uid]
        let pigmentRowID = settings.pigmentLot.flatMap { s.pigmentsByLot[$0] }
        try journal.write("commit zone pass") { db in
            try insert(events, db, current)
            let cid = try cartridgeRowID ?? Journal.ensureCartridge(db, settings.cartridge, at: current.anchor.utc(atMonotonic: startMono))
            var row: [String: (any DatabaseValueConvertible)?] = [
                "session_id": current.id, "ordinal": ordinal, "zone": settings.zone, "profile_name": settings.profileName,
                "profile_hash": settings.profileHash, "machine_id": current.machineRowID, "cartridge_id": cid,
                "pigment_id": pigmentRowID,
                "started_utc": current.anchor.utc(atMonotonic: startMono).iso8601,
                "ended_utc": current.anchor.utc(atMonotonic: endMono).iso8601,
                "started_monotonic_ns": Int64(bitPattern: startMono), "duration_ns": Int64(clamping: endMono - startMono),
                "strokes": Int64(summary.strokes), "rate_set_hz": settings.rateSetHertz, "depth_set_mm": settings.depthSetMillimetres,
                "samples_loop": Int64(summary.samples), "samples_journal": steady.count,
                "stop_reason": summary.stopReason.description,
                "fault_code": summary.faultCode == 0 ? nil : Int64(summary.faultCode),
            ]
            for (prefix, unit, stats) in [("rate", "hz", rate), ("depth", "mm", depth)] {
                row["\(prefix)_mean_\(unit)"] = stats?.mean
                row["\(prefix)_min_\(unit)"] = stats?.min
                row["\(prefix)_max_\(unit)"] = stats?.max
                row["\(prefix)_p5_\(unit)"] = stats?.p5
                row["\(prefix)_p95_\(unit)"] = stats?.p95
            }
            let passID = try Ledger.insert(db, .zonePasses, row)
            for i in open.interruptions {
                try Ledger.insert(db, .passInterruptions, [
                    "pass_id": passID, "ordinal": i.ordinal, "at_offset_ns": Int64(clamping: i.atOffsetNanoseconds),
                    "resumed_offset_ns": i.resumedOffsetNanoseconds.map { Int64(clamping: $0) }, "reason": i.reason,
                ])
            }
            if let telemetry {
                try Ledger.insert(db, .passTelemetry, ["pass_id": passID, "codec": TelemetryCodec.name,
                                                       "sample_count": open.offsets.count, "data": Data(telemetry)])
            }
        }
        pending = []
        lastCommitAt = at
        s.passes = ordinal
        session = s
    }

    // MARK: - Commits

    private func batch(_ e: PendingEvent) throws(JournalError) {
        pending.append(e)
        if pending.count >= options.batchLimit || e.at &- lastCommitAt >= options.batchInterval {
            try commit(durable: nil)
        }
    }

    /// One transaction: everything batched, then `event`.
    private func commit(durable event: PendingEvent?) throws(JournalError) {
        guard let s = session else { throw .noOpenSession }
        let events = pending + (event.map { [$0] } ?? [])
        guard !events.isEmpty else { return }
        try journal.write("commit events") { db in try insert(events, db, s) }
        pending = []
        lastCommitAt = events.last?.at ?? lastCommitAt
    }

    private func insert(_ events: [PendingEvent], _ db: Database, _ s: OpenSession) throws {
        for e in events {
            try Ledger.insert(db, .events, [
                "session_id": s.id, "kind": e.kind.rawValue, "code": e.code, "message": e.message,
                "operator_id": s.operatorRowID, "at_utc": s.anchor.utc(atMonotonic: e.at).iso8601,
                "at_monotonic_ns": Int64(bitPattern: e.at),
            ])
        }
    }

    // MARK: - Sealing and recovery

    static func seal(_ db: Database, sessionID: Int64, status: SessionStatus, endedAt: UTCTimestamp,
                     key: MachineSigningKey) throws -> SessionSeal {
        let head = try Ledger.head(db)
        let passes = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM zone_passes WHERE session_id = ?", arguments: [sessionID]) ?? 0
        var seal = SessionSeal(sessionID: sessionID, status: status, endedAt: endedAt, passes: passes, headSeq: head.seq,
                               headHash: head.hash, publicKey: key.publicKeyHex, signature: "")
        seal.signature = try key.sign(seal.signedMessage)
        try Ledger.insert(db, .sessionClosures, [
            "session_id": sessionID, "status": status.rawValue, "ended_utc": endedAt.iso8601, "passes": passes,
            "head_seq": head.seq, "head_hash": head.hash, "public_key": seal.publicKey, "signature": seal.signature,
        ])
        return seal
    }

    /// Closes sessions with no closure row (their writer died: we hold the lock, so none is
    /// live) as `interrupted`: an `interrupted` event, then a seal; committed passes stay as they are.
    static func recover(_ journal: Journal, key: MachineSigningKey) throws(JournalError) -> [RecoveredSession] {
        let found = journal.now()
        return try journal.write("recover interrupted sessions") { db in
            var recovered: [RecoveredSession] = []
            let open = try Row.fetchAll(db, sql: """
                SELECT s.id, s.operator_id, s.started_utc FROM sessions s
                WHERE NOT EXISTS (SELECT 1 FROM session_closures c WHERE c.session_id = s.id) ORDER BY s.id
                """)
            for row in open {
                let id: Int64 = try row.field("id", of: "sessions")
                let started: String = try row.field("started_utc", of: "sessions")
                let operatorID: Int64 = try row.field("operator_id", of: "sessions")
                let lastPass = try Int.fetchOne(db, sql: "SELECT MAX(ordinal) FROM zone_passes WHERE session_id = ?", arguments: [id])
                let last = try String.fetchOne(db, sql: """
                    SELECT MAX(t) FROM (SELECT started_utc AS t FROM sessions WHERE id = :s
                      UNION ALL SELECT ended_utc FROM zone_passes WHERE session_id = :s
                      UNION ALL SELECT at_utc FROM events WHERE session_id = :s)
                    """, arguments: ["s": id])
                let endedAt = Journal.time(last ?? started)
                try Ledger.insert(db, .events, [
                    "session_id": id, "kind": JournalEventKind.interrupted.rawValue, "code": lastPass.map { Int64($0) },
                    "message": "session interrupted: its writer stopped without ending it (crash or power loss); found at \(found.iso8601); "
                        + (lastPass.map { "last committed pass \($0)" } ?? "no pass was committed"),
                    "operator_id": operatorID, "at_utc": endedAt.iso8601, "at_monotonic_ns": nil,
                ])
                _ = try seal(db, sessionID: id, status: .interrupted, endedAt: endedAt, key: key)
                recovered.append(RecoveredSession(sessionID: id, lastPassOrdinal: lastPass, endedAt: endedAt))
            }
            return recovered
        }
    }
}
