/// Runs a session's cycles in virtual time: deterministic and as fast as the CPU allows. Tests and
/// `stipple run --fast` use it; the real-time driver runs the very same `cycle(now:)`.
public enum VirtualTimeDriver {
    /// Cycles every `period` nanoseconds from `start` up to (not including) `end`, calling
    /// `beforeCycle` first each time (to move the simulator and apply a script). Returns the time
    /// after the last cycle. `stop` ends the run early when it returns true after a cycle.
    @discardableResult
    public static func run(_ session: ControlSession, from start: UInt64, until end: UInt64,
                           period: UInt64 = 1_000_000,
                           beforeCycle: (UInt64) -> Void = { _ in },
                           stop: (UInt64) -> Bool = { _ in false }) -> UInt64 {
        var now = start
        while now < end {
            beforeCycle(now)
            session.cycle(now: now)
            now += period
            if stop(now) { break }
        }
        return now
    }
}
