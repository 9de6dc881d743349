/// One link of the hash chain: which row it covers and the hashes (see `Ledger` for the
/// canonical encoding).
public struct LedgerEntry: Sendable, Hashable {
    public var seq: Int64
    public var table: String
    public var rowID: Int64
    public var previousHash: String
    public var hash: String

    public init(seq: Int64, table: String, rowID: Int64, previousHash: String, hash: String) {
        self.seq = seq
        self.table = table
        self.rowID = rowID
        self.previousHash = previousHash
        self.hash = hash
    }
}
