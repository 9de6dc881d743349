/// A record that knows whether it may be dropped when a `RecordRing` is short of room.
///
/// The control core's record type conforms by saying which of its kinds are telemetry, so the
/// loop can push every record through one call and the ring applies the reserve policy.
public protocol DroppableRecord {
    /// True for telemetry (a sample more or less changes no record); false for pass boundaries,
    /// faults and e-stops, which the journal must never miss.
    var isDroppable: Bool { get }
}
