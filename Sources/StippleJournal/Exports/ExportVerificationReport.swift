/// What offline verification of a session export found.
public struct ExportVerificationReport: Sendable, Hashable {
    public var sessionID: Int64
    /// Records in the file (with values or as hashes only).
    public var records: Int
    /// Records whose values were recomputed to their hash.
    public var recomputed: Int
    /// Records linked by recomputed hashes to the head the seal signs.
    public var sealed: Int
    /// Records carried as hashes only (other sessions' rows inside the session's stretch).
    public var hashOnly: Int
    /// Records with redacted columns (not recomputable).
    public var redacted: Int
    public var headSeq: Int64
    public var headHash: String
    public var publicKey: String?
    /// nil when the export verified.
    public var firstProblem: VerificationProblem?

    public var isValid: Bool { firstProblem == nil }

    public init(sessionID: Int64, records: Int, recomputed: Int, sealed: Int, hashOnly: Int, redacted: Int, headSeq: Int64,
                headHash: String, publicKey: String?, firstProblem: VerificationProblem?) {
        self.sessionID = sessionID
        self.records = records
        self.recomputed = recomputed
        self.sealed = sealed
        self.hashOnly = hashOnly
        self.redacted = redacted
        self.headSeq = headSeq
        self.headHash = headHash
        self.publicKey = publicKey
        self.firstProblem = firstProblem
    }
}
