/// A client as the journal keeps them: by pseudonymous id, name and date of birth optional
/// (a clinic may keep those only in its own file).
public struct ClientRecord: Sendable, Hashable {
    public var rowID: Int64
    /// The pseudonymous id (`IdentifierRule`), what every other record and the CLI use.
    public var ref: String
    public var name: String?
    /// `YYYY-MM-DD`.
    public var dateOfBirth: String?
    public var createdAt: UTCTimestamp
    public var consents: [ConsentRecord]

    public init(rowID: Int64, ref: String, name: String?, dateOfBirth: String?, createdAt: UTCTimestamp, consents: [ConsentRecord]) {
        self.rowID = rowID
        self.ref = ref
        self.name = name
        self.dateOfBirth = dateOfBirth
        self.createdAt = createdAt
        self.consents = consents
    }
}
