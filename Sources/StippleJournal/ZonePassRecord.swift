/// One zone pass as journaled: one pedal-down stretch in one zone.
public struct ZonePassRecord: Sendable, Hashable {
    public var rowID: Int64
    public var sessionID: Int64
    /// 1, 2, ... within the session, in the order passes ended.
    public var ordinal: Int
    public var zone: String
    public var profileName: String
    /// SHA-256 (hex) of the profile file's content, so the exact settings can be found again.
    public var profileHash: String
    public var machine: MachineIdentity
    public var cartridge: CartridgeIdentity
    public var pigmentRowID: Int64?
    public var startedAt: UTCTimestamp
    public var endedAt: UTCTimestamp
    public var startedMonotonicNanoseconds: UInt64
    /// From the monotonic clock, not the difference of the UTC times.
    public var durationNanoseconds: UInt64
    public var strokes: UInt32
    public var rateSetHertz: Double
    /// Set depth sent to the machine (wanted depth plus the cartridge's membrane offset).
    public var depthSetMillimetres: Double
    public var rate: AchievedStatistics?
    public var depth: AchievedStatistics?
    /// Samples the loop's statistics cover, and samples the journal received for the percentiles.
    public var samplesLoop: Int
    public var samplesJournal: Int
    /// `StopReason.description` (`pedal-released`, `e-stop`, `fault`, ...).
    public var stopReason: String
    public var faultCode: Int?
    public var interruptions: [PassInterruption]
    /// Whether raw telemetry was kept for this pass (`Journal.telemetry(passRowID:)`).
    public var hasTelemetry: Bool

    public init(rowID: Int64, sessionID: Int64, ordinal: Int, zone: String, profileName: String, profileHash: String,
                machine: MachineIdentity, cartridge: CartridgeIdentity, pigmentRowID: Int64?, startedAt: UTCTimestamp,
                endedAt: UTCTimestamp, startedMonotonicNanoseconds: UInt64, durationNanoseconds: UInt64, strokes: UInt32,
                rateSetHertz: Double, depthSetMillimetres: Double, rate: AchievedStatistics?, depth: AchievedStatistics?,
                samplesLoop: Int, samplesJournal: Int, stopReason: String, faultCode: Int?,
                interruptions: [PassInterruption], hasTelemetry: Bool) {
        self.rowID = rowID
        self.sessionID = sessionID
        self.ordinal = ordinal
        self.zone = zone
        self.profileName = profileName
        self.profileHash = profileHash
        self.machine = machine
        self.cartridge = cartridge
        self.pigmentRowID = pigmentRowID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.startedMonotonicNanoseconds = startedMonotonicNanoseconds
        self.durationNanoseconds = durationNanoseconds
        self.strokes = strokes
        self.rateSetHertz = rateSetHertz
        self.depthSetMillimetres = depthSetMillimetres
        self.rate = rate
        self.depth = depth
        self.samplesLoop = samplesLoop
        self.samplesJournal = samplesJournal
        self.stopReason = stopReason
        self.faultCode = faultCode
        self.interruptions = interruptions
        self.hasTelemetry = hasTelemetry
    }
}
