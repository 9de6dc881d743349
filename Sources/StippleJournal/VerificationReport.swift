/// What `Journal.verify` found: how much it checked, the chain head, and the first problem.
public struct VerificationReport: Sendable, Hashable {
    public var entriesChecked: Int
    public var sealsChecked: Int
    public var headSeq: Int64
    public var headHash: String
    /// nil when the journal verified.
    public var firstProblem: VerificationProblem?

    public var isValid: Bool { firstProblem == nil }

    public init(entriesChecked: Int, sealsChecked: Int, headSeq: Int64, headHash: String, firstProblem: VerificationProblem?) {
        self.entriesChecked = entriesChecked
        self.sealsChecked = sealsChecked
        self.headSeq = headSeq
        self.headHash = headHash
        self.firstProblem = firstProblem
    }
}
