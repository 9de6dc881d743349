/// A session a writer found open with no live writer (its process died) and closed as
/// `interrupted` when it opened.
public struct RecoveredSession: Sendable, Hashable {
    public var sessionID: Int64
    /// The last zone pass committed before the crash (nil if none was).
    public var lastPassOrdinal: Int?
    /// The time of the last committed record of the session, now its end.
    public var endedAt: UTCTimestamp

    public init(sessionID: Int64, lastPassOrdinal: Int?, endedAt: UTCTimestamp) {
        self.sessionID = sessionID
        self.lastPassOrdinal = lastPassOrdinal
        self.endedAt = endedAt
    }
}
