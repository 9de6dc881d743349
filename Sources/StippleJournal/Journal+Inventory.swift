import GRDB
import StippleModel

/// Reading back what a clinic registered before treating: ink passports and operators, so the
/// CLI can list them and a session can name them by id or lot instead of retyping them.
extension Journal {
    /// Every registered ink passport, oldest first.
    public func pigments() throws(JournalError) -> [PigmentRecord] {
        try read("list pigments") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pigments ORDER BY id").map(Journal.pigment)
        }
    }

    /// One operator by id, or nil.
    public func operatorRecord(ref: String) throws(JournalError) -> OperatorRecord? {
        try read("read operator") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM operators WHERE operator_ref = ?", arguments: [ref]).map(Journal.operatorRecord)
        }
    }

    /// Adds a client together with their signed consent in one transaction: a clinic registers
    /// the two at the same desk, and a refusal of either leaves neither behind.
    public func addClient(ref: String, name: String?, dateOfBirth: String?, consentDocument: String,
                          consentSignedAt: UTCTimestamp) throws(JournalError) -> ClientRecord {
        guard IdentifierRule.isValid(ref) else {
            throw .invalidField(field: "client id", value: ref, reason: "it must be 1-64 letters, digits, '-', '_' or '.'")
        }
        if let dateOfBirth, CalendarDate(dateOfBirth) == nil {
            throw .invalidField(field: "date of birth", value: dateOfBirth, reason: "it is not a YYYY-MM-DD date")
        }
        guard !consentDocument.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidField(field: "consent document id", value: "\"\"", reason: "it is empty")
        }
        let at = now()
        return try write("add client") { db in
            if try Journal.clientRowID(db, ref: ref, orThrow: false) != nil { throw JournalError.duplicateClient(ref) }
            let id = try Ledger.insert(db, .clients, ["client_ref": ref, "name": name, "date_of_birth": dateOfBirth,
                                                      "created_utc": at.iso8601])
            let consent = try Ledger.insert(db, .consents, ["client_id": id, "document_ref": consentDocument,
                                                            "signed_utc": consentSignedAt.iso8601, "recorded_utc": at.iso8601])
            return ClientRecord(rowID: id, ref: ref, name: name, dateOfBirth: dateOfBirth, createdAt: at,
                                consents: [ConsentRecord(rowID: consent, clientRef: ref, documentRef: consentDocument, signedAt: consentSignedAt)])
        }
    }
}
