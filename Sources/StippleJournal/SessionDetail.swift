/// One session with everything the exports need: the client, the ink passports, the cartridges,
/// every zone pass and event, the seal, and the ledger entries of all its rows (in chain order)
/// so an export can carry the hashes it is verified by.
public struct SessionDetail: Sendable, Hashable {
    public var summary: SessionSummary
    public var client: ClientRecord
    public var operatorRecord: OperatorRecord
    public var plan: TreatmentPlanRecord?
    public var calibrationRef: String?
    public var pigments: [PigmentRecord]
    public var cartridges: [CartridgeUseRecord]
    public var passes: [ZonePassRecord]
    public var events: [JournalEventRecord]
    public var seal: SessionSeal?
    public var ledger: [LedgerEntry]

    public init(summary: SessionSummary, client: ClientRecord, operatorRecord: OperatorRecord, plan: TreatmentPlanRecord?,
                calibrationRef: String?, pigments: [PigmentRecord], cartridges: [CartridgeUseRecord],
                passes: [ZonePassRecord], events: [JournalEventRecord], seal: SessionSeal?, ledger: [LedgerEntry]) {
        self.summary = summary
        self.client = client
        self.operatorRecord = operatorRecord
        self.plan = plan
        self.calibrationRef = calibrationRef
        self.pigments = pigments
        self.cartridges = cartridges
        self.passes = passes
        self.events = events
        self.seal = seal
        self.ledger = ledger
    }
}
