import StippleModel

/// Everything a session begins with. `JournalWriter.beginSession` checks it all in one
/// transaction: unknown client, missing consent, expired pigment lot, reused single-use
/// cartridge, stale calibration or a foreign plan refuse the session and write nothing.
public struct SessionStart: Sendable {
    public var clientRef: String
    /// Registered on first use if unknown.
    public var operatorRef: String
    /// Registered on first use if unknown.
    public var machine: MachineIdentity
    /// Registered (deduplicated by passport) if unknown; each must be unexpired on the session's UTC day.
    public var pigments: [Pigment]
    /// Registered if unknown; each is recorded as used on the client in this session.
    public var cartridges: [CartridgeIdentity]
    public var planRowID: Int64?
    /// When given, must exist and not have expired.
    public var calibrationRef: String?
    /// The session's clock anchor; its UTC time is the session's start.
    public var anchor: TimeAnchor

    public init(clientRef: String, operatorRef: String, machine: MachineIdentity, pigments: [Pigment],
                cartridges: [CartridgeIdentity], planRowID: Int64? = nil, calibrationRef: String? = nil, anchor: TimeAnchor) {
        self.clientRef = clientRef
        self.operatorRef = operatorRef
        self.machine = machine
        self.pigments = pigments
        self.cartridges = cartridges
        self.planRowID = planRowID
        self.calibrationRef = calibrationRef
        self.anchor = anchor
    }
}
