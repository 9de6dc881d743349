/// A machine calibration as journaled: who did it, when, until when it holds, and its points
/// and fit as text (JSON from the calibration procedure; the journal stores it as given).
public struct CalibrationRecord: Sendable, Hashable {
    public var rowID: Int64
    public var ref: String
    public var machine: MachineIdentity
    public var performedAt: UTCTimestamp
    public var operatorRef: String
    public var expiresAt: UTCTimestamp
    public var payload: String

    public init(rowID: Int64, ref: String, machine: MachineIdentity, performedAt: UTCTimestamp, operatorRef: String,
                expiresAt: UTCTimestamp, payload: String) {
        self.rowID = rowID
        self.ref = ref
        self.machine = machine
        self.performedAt = performedAt
        self.operatorRef = operatorRef
        self.expiresAt = expiresAt
        self.payload = payload
    }
}
