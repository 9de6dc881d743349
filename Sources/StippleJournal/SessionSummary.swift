/// A session in a list.
public struct SessionSummary: Sendable, Hashable {
    public var id: Int64
    public var clientRef: String
    public var operatorRef: String
    public var machine: MachineIdentity
    public var startedAt: UTCTimestamp
    public var endedAt: UTCTimestamp?
    public var status: SessionStatus
    public var passes: Int

    public init(id: Int64, clientRef: String, operatorRef: String, machine: MachineIdentity, startedAt: UTCTimestamp,
                endedAt: UTCTimestamp?, status: SessionStatus, passes: Int) {
        self.id = id
        self.clientRef = clientRef
        self.operatorRef = operatorRef
        self.machine = machine
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.passes = passes
    }
}
