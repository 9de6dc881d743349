/// Ties the control loop's monotonic clock to UTC for one session: records carry monotonic
/// nanoseconds, the journal stores UTC. Taken once at session start (both clocks read back to
/// back), so a wall-clock step during a session (NTP) does not reorder its records.
public struct TimeAnchor: Sendable, Hashable {
    public var monotonicNanoseconds: UInt64
    public var utc: UTCTimestamp

    public init(monotonicNanoseconds: UInt64, utc: UTCTimestamp) {
        self.monotonicNanoseconds = monotonicNanoseconds
        self.utc = utc
    }

    /// The UTC instant of a monotonic reading of the same clock.
    public func utc(atMonotonic t: UInt64) -> UTCTimestamp {
        let delta = t >= monotonicNanoseconds
            ? Int64(clamping: t - monotonicNanoseconds) : -Int64(clamping: monotonicNanoseconds - t)
        return UTCTimestamp(nanosecondsSinceEpoch: utc.nanosecondsSinceEpoch &+ delta)
    }
}
