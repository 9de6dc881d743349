/// The first thing found wrong in a journal: which record, and what.
public struct VerificationProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The row's content no longer hashes to its ledger entry (a column was edited).
        case altered
        /// A ledger entry names a row that is gone.
        case deleted
        /// A row has no ledger entry (inserted behind the journal's back).
        case unchained
        /// Ledger entries are missing, out of order or their links do not match.
        case chainBroken = "chain-broken"
        /// A seal's signature, head hash or facts do not match.
        case badSeal = "bad-seal"
        /// A seal made with a key that is not among the trusted ones.
        case untrustedKey = "untrusted-key"
    }

    public var kind: Kind
    public var table: String
    public var rowID: Int64
    /// The ledger entry concerned, when there is one.
    public var seq: Int64?
    public var detail: String

    public init(kind: Kind, table: String, rowID: Int64, seq: Int64?, detail: String) {
        self.kind = kind
        self.table = table
        self.rowID = rowID
        self.seq = seq
        self.detail = detail
    }

    public var description: String {
        "\(table) row \(rowID)" + (seq.map { " (ledger seq \($0))" } ?? "") + ": \(kind.rawValue): \(detail)"
    }
}
