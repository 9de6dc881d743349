import StippleHardware

/// Runs a session's cycles in virtual time: deterministic and as fast as the CPU allows. Tests and
/// `stipple run --fast` use it; the real-time driver runs the very same `cycle(now:)`.
///
/// Timed edges are fired as `RealTimeLoop` fires them, after each cycle and before the next
/// deadline, with virtual time moved to each edge's planned instant first: so in virtual time
/// every edge fires exactly on its plan (`actual == planned`), which is what the real loop
/// approaches and what a test of a pulse train can assert to the nanosecond.
public enum VirtualTimeDriver {
    /// Cycles every `period` nanoseconds from `start` up to (not including) `end`, calling
    /// `beforeCycle` first each time (to move the simulator and apply a script). Returns the time
    /// after the last cycle. `stop` ends the run early when it returns true after a cycle.
    /// With `edges`, each cycle is followed by its edges (see `fireEdges`), `setTime` moving the
    /// virtual clock to each.
    @discardableResult
    public static func run(_ session: ControlSession, from start: UInt64, until end: UInt64,
                           period: UInt64 = 1_000_000,
                           edges: (any TimedEdgeSource)? = nil,
                           setTime: (UInt64) -> Void = { _ in },
                           beforeCycle: (UInt64) -> Void = { _ in },
                           stop: (UInt64) -> Bool = { _ in false }) -> UInt64 {
        run(from: start, until: end, period: period, edges: edges, setTime: setTime,
            cycle: { now in
                beforeCycle(now)
                session.cycle(now: now)
            },
            stop: stop)
    }

    /// The same schedule around any cycle: `cycle(now)` at `start`, `start + period`, ... before
    /// `end`, each followed by the edges `edges` plans before the next cycle's time.
    @discardableResult
    public static func run(from start: UInt64, until end: UInt64,
                           period: UInt64 = 1_000_000,
                           edges: (any TimedEdgeSource)? = nil,
                           setTime: (UInt64) -> Void = { _ in },
                           cycle: (UInt64) -> Void,
                           stop: (UInt64) -> Bool = { _ in false }) -> UInt64 {
        var now = start
        while now < end {
            cycle(now)
            if let edges { fireEdges(of: edges, before: now + period, setTime: setTime) }
            now += period
            if stop(now) { break }
        }
        return now
    }

    /// Fires, in order, every edge `source` plans before `limit`: for each, `setTime(planned)`
    /// (the test's `VirtualClock.advance(toNanoseconds:)`), then `fireEdge(planned: p, actual: p)`.
    /// Returns how many fired. `fireEdge` must consume its edge, as for `RealTimeLoop`.
    @discardableResult
    public static func fireEdges(of source: any TimedEdgeSource, before limit: UInt64,
                                 setTime: (UInt64) -> Void) -> Int {
        var fired = 0
        while let planned = source.nextEdge(before: limit) {
            setTime(planned)
            source.fireEdge(planned: planned, actual: planned)
            fired += 1
        }
        return fired
    }
}
