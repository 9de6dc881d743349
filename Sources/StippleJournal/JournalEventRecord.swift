/// A journaled event: faults, e-stops, resets, overrides, refusals, telemetry drops.
public struct JournalEventRecord: Sendable, Hashable {
    public var rowID: Int64
    public var sessionID: Int64?
    public var kind: JournalEventKind
    /// Fault code, refusal reason or drop count, by kind.
    public var code: Int64?
    public var message: String
    public var operatorRef: String?
    public var at: UTCTimestamp
    public var atMonotonicNanoseconds: UInt64?

    public init(rowID: Int64, sessionID: Int64?, kind: JournalEventKind, code: Int64?, message: String,
                operatorRef: String?, at: UTCTimestamp, atMonotonicNanoseconds: UInt64?) {
        self.rowID = rowID
        self.sessionID = sessionID
        self.kind = kind
        self.code = code
        self.message = message
        self.operatorRef = operatorRef
        self.at = at
        self.atMonotonicNanoseconds = atMonotonicNanoseconds
    }
}
