/// Line edges planned at absolute instants between control cycles: a direct-drive machine's
/// stroke pulses must rise and fall on their own deadlines, not on the 1 ms cycle boundaries.
///
/// The real-time loop asks after each cycle's body for the edges due before its next deadline,
/// sleeps to each on CLOCK_MONOTONIC and fires it; a virtual-time driver moves its clock to each
/// planned instant instead. Both call from the loop's one thread; an implementation must not
/// allocate, lock or block.
public protocol TimedEdgeSource: AnyObject {
    /// The instant (CLOCK_MONOTONIC nanoseconds) of the next planned edge if it is before `limit`.
    func nextEdge(before limit: UInt64) -> UInt64?
    /// Makes the edge planned at `planned`, now that the clock reads `actual` (at or after it).
    func fireEdge(planned: UInt64, actual: UInt64)
}
