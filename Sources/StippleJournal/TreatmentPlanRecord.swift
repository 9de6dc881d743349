/// A client's treatment plan: how many sessions and how many days apart.
public struct TreatmentPlanRecord: Sendable, Hashable {
    public var rowID: Int64
    public var clientRef: String
    public var plannedSessions: Int
    public var spacingDays: Int
    public var createdAt: UTCTimestamp

    /// The sessions a plan may have (the 2-4).
    public static let sessionRange = 2...4
    /// Days between sessions a plan may ask (usual practice is 7-30; this only refuses nonsense).
    public static let spacingRange = 1...365

    public init(rowID: Int64, clientRef: String, plannedSessions: Int, spacingDays: Int, createdAt: UTCTimestamp) {
        self.rowID = rowID
        self.clientRef = clientRef
        self.plannedSessions = plannedSessions
        self.spacingDays = spacingDays
        self.createdAt = createdAt
    }
}
