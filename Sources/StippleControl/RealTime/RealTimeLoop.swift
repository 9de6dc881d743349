#if canImport(Glibc)
import Glibc
#endif
import StippleHardware
import Synchronization

/// Runs a body on one dedicated real-time thread at a fixed period, on absolute deadlines.
///
/// Deadlines are absolute on CLOCK_MONOTONIC (`clock_nanosleep(TIMER_ABSTIME)`), so lateness
/// in one cycle never shifts the next: the loop keeps the period on average, and a wall-clock
/// step cannot move it. When the body overruns (the next deadline has already passed when it
/// returns) the loop counts it and skips to the first deadline still ahead instead of running
/// the missed cycles back to back, because a burst of stale control steps helps nobody.
///
/// A cycle does only this: sleep, read the clock, store the lateness into a preallocated slot
/// (a relaxed atomic store), call the body, read the clock again. No allocation, lock or I/O of
/// its own, so the body's cost is the only variable. `Task.sleep` is no substitute: it showed
/// ~1 ms p99 lateness here.
///
/// Timed edges (direct drive): given a `TimedEdgeSource`, each cycle continues after its body by
/// asking the source for every edge planned before the next cycle's deadline, sleeping to each on
/// the same absolute clock and firing it, so a stroke pulse rises and falls on its own instants
/// rather than on the 1 ms grid. The edges are asked for only after the body, because the body may
/// change the plan; an edge planned between a deadline and the moment that cycle's body returns
/// is therefore fired late by the rest of the body's time (the cost of the body bounds it).
///
/// What an overrun means then: the body itself returned after the next deadline. Time spent
/// sleeping to edges is waiting, not work, and is not counted. The deadlines an overrun skips are
/// skipped before the edges are asked for, so the edges up to the first deadline still ahead are
/// all fired, overdue ones at once and in order: a rising edge is never left without its falling
/// edge because a cycle ran long. When firing the edges (their wake-up lateness plus the line
/// writes) runs past the next deadline, that is counted in `cyclesDelayedByEdges`, not as an
/// overrun: the next cycle runs at once, late, and its lateness sample shows by how much; no
/// deadline is skipped for it, because a late edge a few microseconds before a deadline would
/// otherwise cost a whole control cycle.
public final class RealTimeLoop: @unchecked Sendable {
    public let configuration: RealTimeConfiguration

    /// Lateness of cycle `c` lives in `samples[c % latenessWindow]`. Atomics (relaxed) only so
    /// `statistics` may read while the loop writes without a data race.
    private let samples: UnsafeMutablePointer<Atomic<UInt64>>
    private let completedCycles = Atomic<UInt64>(0)
    private let overrunCount = Atomic<UInt64>(0)
    private let skippedCount = Atomic<UInt64>(0)
    private let worstLateness = Atomic<UInt64>(0)
    private let firedEdgeCount = Atomic<UInt64>(0)
    private let worstEdgeLateness = Atomic<UInt64>(0)
    private let edgeDelayedCount = Atomic<UInt64>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let thread = Mutex<RealTimeThread?>(nil)

    /// - Throws: `RealTimeError.invalidConfiguration` naming the field out of range.
    public init(configuration: RealTimeConfiguration = RealTimeConfiguration()) throws(RealTimeError) {
        let c = configuration
        guard (10_000...1_000_000_000).contains(c.periodNanoseconds) else {
            throw .invalidConfiguration(
                field: "periodNanoseconds", value: "\(c.periodNanoseconds)",
                reason: "the period must be 10 µs to 1 s (10000...1000000000)")
        }
        try ThreadSettingsCheck.validate(priority: c.priority, cpu: c.cpu,
                                         cpuLatencyLimitMicroseconds: c.cpuLatencyLimitMicroseconds)
        guard (1...(1 << 24)).contains(c.latenessWindow) else {
            throw .invalidConfiguration(
                field: "latenessWindow", value: "\(c.latenessWindow)",
                reason: "the lateness window must hold 1 to 16777216 samples")
        }
        if let limit = c.cycleLimit, limit == 0 {
            throw .invalidConfiguration(
                field: "cycleLimit", value: "0", reason: "a loop limited to 0 cycles would never run; use nil for no limit")
        }
        self.configuration = c
        samples = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: c.latenessWindow)
        for i in 0..<c.latenessWindow { (samples + i).initialize(to: Atomic(0)) }
    }

    deinit {
        samples.deinitialize(count: configuration.latenessWindow)
        samples.deallocate()
    }

    /// Starts the thread, applies the real-time setup on it, and returns once that setup is done
    /// (so `warnings` is complete); the first deadline is one period after that.
    ///
    /// - Parameters:
    ///   - edges: edges to fire between cycles (see the type's comment), or nil for none; without a
    ///     source the loop runs exactly as it always has. Called only on the loop's thread, so it
    ///     moves there (`sending`); `fireEdge` must consume the edge it is given, or the cycle would
    ///     be asked for it again and again until its next deadline passes.
    ///   - body: called once per cycle with the cycle number (0, 1, 2, ... counting calls,
    ///     so skipped deadlines leave no gap) and that cycle's deadline in CLOCK_MONOTONIC
    ///     nanoseconds (skipped deadlines do show there). It runs on the loop's thread and must not
    ///     allocate, lock or block; `sending` because it moves there with what it captures.
    /// - Throws: `RealTimeError.alreadyStarted`, or `.threadCreationFailed`.
    public func start(edges: sending (any TimedEdgeSource)? = nil,
                      body: sending @escaping (_ cycle: UInt64, _ deadline: UInt64) -> Void) throws(RealTimeError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw .alreadyStarted(what: "real-time loop")
        }
        let settings = RealTimeThread.Settings(
            name: configuration.threadName, priority: configuration.priority,
            lockMemory: configuration.lockMemory, timerSlackNanoseconds: configuration.timerSlackNanoseconds,
            cpu: configuration.cpu, cpuLatencyLimitMicroseconds: configuration.cpuLatencyLimitMicroseconds, systemCalls: configuration.systemCalls)
        do {
            let t = try RealTimeThread.start(settings, what: "real-time loop") { [self] in run(body, edges) }
            thread.withLock { $0 = t }
        } catch {
            started.store(false, ordering: .releasing)
            throw error
        }
    }

    /// Asks the loop to end after the current cycle and joins its thread (within one period plus
    /// the body's time). Safe to call more than once, and before `start`.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        thread.withLock { $0 }?.join()
    }

    /// Waits until the loop ended by itself (`cycleLimit`) or was stopped, or the timeout passed;
    /// returns whether it ended. For tests and benchmarks, which must not sleep and hope.
    public func waitUntilFinished(timeoutNanoseconds: UInt64) -> Bool {
        guard let t = thread.withLock({ $0 }) else { return false }
        return t.waitUntilFinished(timeoutNanoseconds: timeoutNanoseconds)
    }

    /// What the setup could not do, one sentence each with its consequence and remedy. Empty
    /// before `start` and when everything was granted.
    public var warnings: [String] { thread.withLock { $0 }?.warnings ?? [] }

    /// Cycles whose body has returned.
    public var cycles: UInt64 { completedCycles.load(ordering: .acquiring) }

    /// Cycles whose body returned after the next deadline had passed.
    public var overruns: UInt64 { overrunCount.load(ordering: .relaxed) }

    /// Deadlines skipped after overruns (at least one per overrun).
    public var skippedDeadlines: UInt64 { skippedCount.load(ordering: .relaxed) }

    /// Timed edges fired since start (0 without an edge source).
    public var edgesFired: UInt64 { firedEdgeCount.load(ordering: .relaxed) }

    /// The worst `actual - planned` of a fired edge since start: how late the loop woke for it.
    /// (What the line write then costs is the source's to measure.)
    public var worstEdgeLatenessNanoseconds: UInt64 { worstEdgeLateness.load(ordering: .relaxed) }

    /// Cycles whose edges were still being fired when the next deadline passed (see the type's
    /// comment on overruns): the next cycle ran late by that much, but no deadline was skipped.
    public var cyclesDelayedByEdges: UInt64 { edgeDelayedCount.load(ordering: .relaxed) }

    /// The worst lateness since start, even when it has left the statistics window.
    public var worstLatenessNanoseconds: UInt64 { worstLateness.load(ordering: .relaxed) }

    /// Lateness over the last `latenessWindow` cycles. Copies and sorts (allocates): call it from
    /// any thread but the loop's. While the loop runs, a sample or two may be a cycle newer.
    public var statistics: LatenessStatistics {
        let n = Int(min(cycles, UInt64(configuration.latenessWindow)))
        var copy = [UInt64]()
        copy.reserveCapacity(n)
        for i in 0..<n { copy.append(samples[i].load(ordering: .relaxed)) }
        return LatenessStatistics(samples: copy)
    }

    @inline(__always)
    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The cycle. Everything it touches was allocated before it began.
    private func run(_ body: (UInt64, UInt64) -> Void, _ edges: (any TimedEdgeSource)?) {
        let period = configuration.periodNanoseconds
        let window = UInt64(configuration.latenessWindow)
        let limit = configuration.cycleLimit ?? .max
        var deadline = Self.now() &+ period
        var cycle: UInt64 = 0
        var worst: UInt64 = 0
        var wake = timespec()
        var worstEdge: UInt64 = 0
        while cycle < limit, !stopRequested.load(ordering: .acquiring) {
            wake.tv_sec = Int(deadline / 1_000_000_000)
            wake.tv_nsec = Int(deadline % 1_000_000_000)
            // Absolute: a signal (EINTR) just means sleeping again to the same deadline.
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nil) == EINTR {}
            let woke = Self.now()
            let lateness = woke > deadline ? woke - deadline : 0
            samples[Int(cycle % window)].store(lateness, ordering: .relaxed)
            if lateness > worst {
                worst = lateness
                worstLateness.store(lateness, ordering: .relaxed)
            }
            if stopRequested.load(ordering: .acquiring) { break }

            body(cycle, deadline)
            cycle &+= 1
            completedCycles.store(cycle, ordering: .releasing)

            let end = Self.now()
            deadline &+= period
            if end > deadline {
                let missed = (end - deadline) / period + 1
                overrunCount.wrappingAdd(1, ordering: .relaxed)
                skippedCount.wrappingAdd(missed, ordering: .relaxed)
                deadline &+= missed &* period
            }
            if let edges {
                fireEdges(edges, before: deadline, worst: &worstEdge)
            }
        }
    }

    /// Sleeps to and fires, in order, every edge the source plans before `limit` (the next
    /// cycle's deadline); overdue ones fire at once. Nothing here allocates or locks.
    @inline(__always)
    private func fireEdges(_ edges: any TimedEdgeSource, before limit: UInt64, worst: inout UInt64) {
        var wake = timespec()
        var fired: UInt64 = 0
        while let planned = edges.nextEdge(before: limit) {
            wake.tv_sec = Int(planned / 1_000_000_000)
            wake.tv_nsec = Int(planned % 1_000_000_000)
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nil) == EINTR {}
            let actual = Self.now()
            edges.fireEdge(planned: planned, actual: actual)
            fired &+= 1
            let late = actual > planned ? actual - planned : 0
            if late > worst {
                worst = late
                worstEdgeLateness.store(late, ordering: .relaxed)
            }
        }
        guard fired > 0 else { return }
        firedEdgeCount.wrappingAdd(fired, ordering: .relaxed)
        if Self.now() > limit { edgeDelayedCount.wrappingAdd(1, ordering: .relaxed) }
    }
}
