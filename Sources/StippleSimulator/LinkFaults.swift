/// Faults of the simulated byte stream between host and machine, applied by
/// `SimulatedDeviceLink` per chunk (the host writes one frame per `send`; the machine transmits
/// one frame per call), from a seeded generator so a run repeats.
public struct LinkFaults: Sendable, Hashable {
    /// Probability that a chunk vanishes, in either direction.
    public var dropRate: Double
    /// Probability that one byte of a chunk is flipped, in either direction.
    public var corruptRate: Double
    /// Until this time (pipe clock, ns) nothing moves either way: bytes wait in the pipe, as in a
    /// stalled USB stack, and arrive late (and all at once) when it ends.
    public var stalledUntil: UInt64?
    /// The cable is out: `send` and `receive` throw `LinkError.disconnected` and the machine's
    /// transmissions are lost.
    public var unplugged: Bool

    public init(dropRate: Double = 0, corruptRate: Double = 0, stalledUntil: UInt64? = nil, unplugged: Bool = false) {
        self.dropRate = dropRate
        self.corruptRate = corruptRate
        self.stalledUntil = stalledUntil
        self.unplugged = unplugged
    }
}
