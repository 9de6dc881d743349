import GRDB
import StippleModel

/// Registering the people, things and documents sessions refer to. Each call is one chained
/// transaction; a refused call writes nothing.
extension Journal {
    /// Adds a client by pseudonymous id (`IdentifierRule`), name and date of birth optional.
    public func addClient(ref: String, name: String? = nil, dateOfBirth: String? = nil) throws(JournalError) -> ClientRecord {
        guard IdentifierRule.isValid(ref) else {
            throw .invalidField(field: "client id", value: ref, reason: "it must be 1-64 letters, digits, '-', '_' or '.'")
        }
        if let dateOfBirth, CalendarDate(dateOfBirth) == nil {
            throw .invalidField(field: "date of birth", value: dateOfBirth, reason: "it is not a YYYY-MM-DD date")
        }
        let at = now()
        return try write("add client") { db in
            if try Journal.clientRowID(db, ref: ref, orThrow: false) != nil { throw JournalError.duplicateClient(ref) }
            let id = try Ledger.insert(db, .clients, ["client_ref": ref, "name": name, "date_of_birth": dateOfBirth,
                                                      "created_utc": at.iso8601])
            return ClientRecord(rowID: id, ref: ref, name: name, dateOfBirth: dateOfBirth, createdAt: at, consents: [])
        }
    }

    /// Records that `clientRef` signed the consent document `documentRef` at `signedAt`.
    public func addConsent(clientRef: String, documentRef: String, signedAt: UTCTimestamp) throws(JournalError) -> ConsentRecord {
        guard !documentRef.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidField(field: "consent document id", value: "\"\"", reason: "it is empty")
        }
        let at = now()
        return try write("add consent") { db in
            let client = try Journal.clientRowID(db, ref: clientRef)
            let id = try Ledger.insert(db, .consents, ["client_id": client, "document_ref": documentRef,
                                                       "signed_utc": signedAt.iso8601, "recorded_utc": at.iso8601])
            return ConsentRecord(rowID: id, clientRef: clientRef, documentRef: documentRef, signedAt: signedAt)
        }
    }

    /// Adds an operator (practitioner or technician); an existing one is returned as it is.
    public func addOperator(ref: String, name: String? = nil) throws(JournalError) -> OperatorRecord {
        let at = now()
        return try write("add operator") { db in
            let id = try Journal.ensureOperator(db, ref: ref, name: name, at: at)
            return OperatorRecord(rowID: id, ref: ref, name: try String.fetchOne(db, sql: "SELECT name FROM operators WHERE id = ?", arguments: [id]))
        }
    }

    /// Registers a machine identity (returns the existing row if known).
    public func addMachine(_ machine: MachineIdentity) throws(JournalError) -> Int64 {
        let at = now()
        return try write("add machine") { db in try Journal.ensureMachine(db, machine, at: at) }
    }

    /// Journals a calibration (its points and fit as text in `payload`).
    public func addCalibration(ref: String, machine: MachineIdentity, performedAt: UTCTimestamp, operatorRef: String,
                               expiresAt: UTCTimestamp, payload: String) throws(JournalError) -> CalibrationRecord {
        guard IdentifierRule.isValid(ref) else {
            throw .invalidField(field: "calibration id", value: ref, reason: "it must be 1-64 letters, digits, '-', '_' or '.'")
        }
        guard expiresAt > performedAt else {
            throw .invalidField(field: "calibration expiry", value: expiresAt.iso8601, reason: "it is not after the calibration (\(performedAt.iso8601))")
        }
        let at = now()
        return try write("add calibration") { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM calibrations WHERE calibration_ref = ?", arguments: [ref]) != nil {
                throw JournalError.invalidField(field: "calibration id", value: ref, reason: "a calibration with this id is already journaled")
            }
            let machineID = try Journal.ensureMachine(db, machine, at: at)
            let op = try Journal.ensureOperator(db, ref: operatorRef, name: nil, at: at)
            let id = try Ledger.insert(db, .calibrations, [
                "calibration_ref": ref, "machine_id": machineID, "performed_utc": performedAt.iso8601,
                "operator_id": op, "expires_utc": expiresAt.iso8601, "payload": payload,
            ])
            return CalibrationRecord(rowID: id, ref: ref, machine: machine, performedAt: performedAt, operatorRef: operatorRef,
                                     expiresAt: expiresAt, payload: payload)
        }
    }

    /// Registers a physical cartridge; the same uid with another type or lot is refused.
    public func addCartridge(_ cartridge: CartridgeIdentity) throws(JournalError) -> Int64 {
        let at = now()
        return try write("add cartridge") { db in try Journal.ensureCartridge(db, cartridge, at: at) }
    }

    /// Registers an ink passport (returns the existing row for an identical one).
    public func addPigment(_ pigment: Pigment) throws(JournalError) -> PigmentRecord {
        let at = now()
        return try write("add pigment") { db in
            let id = try Journal.ensurePigment(db, pigment, at: at)
            return PigmentRecord(rowID: id, brand: pigment.brand, name: pigment.name, batch: pigment.batch, lot: pigment.lot,
                                 expiry: pigment.expiry.description, dilution: pigment.dilution)
        }
    }

    /// Adds a treatment plan for a client: `TreatmentPlanRecord.sessionRange` sessions,
    /// `spacingRange` days apart.
    public func addPlan(clientRef: String, plannedSessions: Int, spacingDays: Int) throws(JournalError) -> TreatmentPlanRecord {
        guard TreatmentPlanRecord.sessionRange.contains(plannedSessions) else {
            throw .invalidField(field: "planned sessions", value: "\(plannedSessions)", reason: "a plan has 2-4 sessions")
        }
        guard TreatmentPlanRecord.spacingRange.contains(spacingDays) else {
            throw .invalidField(field: "session spacing", value: "\(spacingDays) days", reason: "it must be 1-365 days")
        }
        let at = now()
        return try write("add treatment plan") { db in
            let client = try Journal.clientRowID(db, ref: clientRef)
            let id = try Ledger.insert(db, .treatmentPlans, ["client_id": client, "planned_sessions": plannedSessions,
                                                             "spacing_days": spacingDays, "created_utc": at.iso8601])
            return TreatmentPlanRecord(rowID: id, clientRef: clientRef, plannedSessions: plannedSessions, spacingDays: spacingDays, createdAt: at)
        }
    }

    // MARK: - In-transaction helpers (shared with the writer)

    static func clientRowID(_ db: Database, ref: String, orThrow: Bool = true) throws -> Int64? {
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM clients WHERE client_ref = ?", arguments: [ref])
        if id == nil, orThrow { throw JournalError.unknownClient(ref) }
        return id
    }

    static func ensureOperator(_ db: Database, ref: String, name: String?, at: UTCTimestamp) throws -> Int64 {
        guard IdentifierRule.isValid(ref) else {
            throw JournalError.invalidField(field: "operator id", value: ref, reason: "it must be 1-64 letters, digits, '-', '_' or '.'")
        }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM operators WHERE operator_ref = ?", arguments: [ref]) { return id }
        return try Ledger.insert(db, .operators, ["operator_ref": ref, "name": name, "created_utc": at.iso8601])
    }

    static func ensureMachine(_ db: Database, _ m: MachineIdentity, at: UTCTimestamp) throws -> Int64 {
        for (field, value) in [("machine model", m.model), ("machine serial", m.serial), ("firmware version", m.firmwareVersion)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw JournalError.invalidField(field: field, value: "\"\"", reason: "it is empty")
        }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM machines WHERE model = ? AND serial = ? AND firmware_version = ?",
                                       arguments: [m.model, m.serial, m.firmwareVersion]) { return id }
        return try Ledger.insert(db, .machines, ["model": m.model, "serial": m.serial, "firmware_version": m.firmwareVersion,
                                                 "created_utc": at.iso8601])
    }

    static func ensureCartridge(_ db: Database, _ c: CartridgeIdentity, at: UTCTimestamp) throws -> Int64 {
        guard !c.typeName.isEmpty, !c.lot.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw JournalError.invalidField(field: "cartridge", value: "\(c.uid)", reason: "its type and lot must be given")
        }
        if let row = try Row.fetchOne(db, sql: "SELECT id, type_name, lot, single_use FROM cartridges WHERE uid = ?", arguments: [String(c.uid)]) {
            let type: String = try row.field("type_name", of: "cartridges"), lot: String = try row.field("lot", of: "cartridges")
            let single: Bool = try row.field("single_use", of: "cartridges")
            guard type == c.typeName, lot == c.lot, single == c.singleUse else {
                throw JournalError.cartridgeConflict(uid: String(c.uid), registered: "\(type) lot \(lot)", given: "\(c.typeName) lot \(c.lot)")
            }
            return try row.field("id", of: "cartridges")
        }
        return try Ledger.insert(db, .cartridges, ["uid": String(c.uid), "type_name": c.typeName, "lot": c.lot,
                                                   "single_use": c.singleUse, "created_utc": at.iso8601])
    }

    static func ensurePigment(_ db: Database, _ p: Pigment, at: UTCTimestamp) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: """
            SELECT id FROM pigments WHERE brand = ? AND name = ? AND batch = ? AND lot = ? AND expiry = ? AND dilution = ?
            """, arguments: [p.brand, p.name, p.batch, p.lot, p.expiry.description, p.dilution]) { return id }
        return try Ledger.insert(db, .pigments, ["brand": p.brand, "name": p.name, "batch": p.batch, "lot": p.lot,
                                                 "expiry": p.expiry.description, "dilution": p.dilution, "created_utc": at.iso8601])
    }

    /// The client and session a single-use cartridge was used in other than (`client`, `session`),
    /// if any; a reusable cartridge is refused only when used on another client.
    static func conflictingUse(_ db: Database, cartridgeRowID: Int64, singleUse: Bool, clientRowID: Int64,
                               sessionID: Int64?) throws -> (client: String, session: Int64?)? {
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.client_ref AS client_ref, u.client_id AS client_id, u.session_id AS session_id
            FROM cartridge_uses u JOIN clients c ON c.id = u.client_id WHERE u.cartridge_id = ? ORDER BY u.id
            """, arguments: [cartridgeRowID])
        for row in rows {
            let otherClient: Int64 = try row.field("client_id", of: "cartridge_uses")
            let otherSession: Int64? = try row.field("session_id", of: "cartridge_uses")
            let otherRef: String = try row.field("client_ref", of: "clients")
            if otherClient != clientRowID { return (otherRef, otherSession) }
            // Same client: a single-use cartridge still may not come back in a later session.
            if singleUse, let otherSession, let sessionID, otherSession != sessionID { return (otherRef, otherSession) }
        }
        return nil
    }
}
