import Foundation
import Testing
import StippleHardware
import StippleSimulator
@testable import StippleControl

/// Edges planned between control cycles (direct drive): the real-time loop sleeps to each after the
/// cycle's body and fires it once, in order, never early; the virtual-time driver fires each
/// exactly on its plan. Memory locking and SCHED_FIFO stay off here (process-wide or root only).
@Suite("Timed edges between cycles")
struct TimedEdgeTests {
    static let ms: UInt64 = 1_000_000

    /// Edges at `origin + offsets[i]`, the origin fixed on the first question (the loop's clock is
    /// only known once it runs) or given. Records every fire into preallocated storage, read only
    /// after the loop has ended.
    final class PlannedEdges: TimedEdgeSource, @unchecked Sendable {
        let offsets: [UInt64]
        /// Added to the first `limit` asked about to make the origin, when no origin was given.
        let lead: UInt64
        var origin: UInt64?
        var next = 0
        let planned: UnsafeMutablePointer<UInt64>
        let actual: UnsafeMutablePointer<UInt64>
        /// The `limit` the edge was handed out under, and the clock as the fire began.
        let limits: UnsafeMutablePointer<UInt64>
        let clockAtFire: UnsafeMutablePointer<UInt64>
        var fired = 0
        /// Virtual-time tests: the clock the driver moves, read inside `fireEdge`.
        var clock: VirtualClock?
        /// Virtual-time tests: the order of cycles and edges, preallocated.
        var log: [String] = []

        init(offsets: [UInt64], lead: UInt64 = 0, origin: UInt64? = nil) {
            self.offsets = offsets
            self.lead = lead
            self.origin = origin
            planned = .allocate(capacity: offsets.count)
            actual = .allocate(capacity: offsets.count)
            limits = .allocate(capacity: offsets.count)
            clockAtFire = .allocate(capacity: offsets.count)
            log.reserveCapacity(1024)
        }

        deinit {
            planned.deallocate()
            actual.deallocate()
            limits.deallocate()
            clockAtFire.deallocate()
        }

        private var lastLimit: UInt64 = 0

        func nextEdge(before limit: UInt64) -> UInt64? {
            if origin == nil { origin = limit + lead }
            guard next < offsets.count, let origin else { return nil }
            let p = origin + offsets[next]
            guard p < limit else { return nil }
            lastLimit = limit
            return p
        }

        func fireEdge(planned p: UInt64, actual a: UInt64) {
            guard fired < offsets.count else { fired += 1; return }
            planned[fired] = p
            actual[fired] = a
            limits[fired] = lastLimit
            clockAtFire[fired] = clock?.now().nanoseconds ?? RealTimeLoopTests.now()
            fired += 1
            next += 1
            if clock != nil { log.append("edge \(p)") }
        }

        func plan(_ i: Int) -> UInt64 { (origin ?? 0) + offsets[i] }
    }

    // MARK: Real time

    @Test(.timeLimit(.minutes(1)))
    func everyEdgeBeforeTheLastDeadlineFiresOnceInOrderAndNeverEarly() throws {
        let cycles = 120
        // Every 370 µs: zero, one or two edges a cycle, at every phase of it; 250 edges span ~93 ms,
        // well inside 120 cycles even with the first one 0.3 ms into the second cycle.
        let offsets = (0..<250).map { UInt64($0) * 370_000 }
        let source = PlannedEdges(offsets: offsets, lead: 300_000)
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(
            periodNanoseconds: Self.ms, priority: nil, lockMemory: false, cycleLimit: UInt64(cycles)))
        try loop.start(edges: source) { _, _ in }
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        loop.stop()

        #expect(loop.cycles == UInt64(cycles))
        #expect(source.fired == offsets.count, "all \(offsets.count) planned edges fired, none twice (fired \(source.fired))")
        #expect(loop.edgesFired == UInt64(source.fired))
        var worst: UInt64 = 0
        for i in 0..<min(source.fired, offsets.count) {
            #expect(source.planned[i] == source.plan(i), "edge \(i) is the planned one, in order")
            #expect(source.actual[i] >= source.planned[i], "edge \(i) is not fired before its instant")
            #expect(source.clockAtFire[i] >= source.actual[i], "actual is a clock reading taken before the fire")
            #expect(source.planned[i] < source.limits[i], "edge \(i) was asked for before the next deadline")
            worst = max(worst, source.actual[i] - source.planned[i])
        }
        #expect(loop.worstEdgeLatenessNanoseconds == worst)
    }

    @Test(.timeLimit(.minutes(1)))
    func anOverrunningBodyStillFiresEveryEdgeOnceInOrderAndSkipsDeadlinesAsBefore() throws {
        let cycles = 20
        let offsets = (0..<40).map { UInt64($0) * 250_000 }
        let source = PlannedEdges(offsets: offsets, lead: 100_000)
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(
            periodNanoseconds: Self.ms, priority: nil, lockMemory: false, cycleLimit: UInt64(cycles)))
        try loop.start(edges: source) { cycle, _ in
            if cycle == 3 {  // 3.5 periods of work, over ~14 planned edges
                let until = RealTimeLoopTests.now() + 3_500_000
                while RealTimeLoopTests.now() < until {}
            }
        }
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        loop.stop()

        #expect(loop.overruns >= 1, "the body's own time past the next deadline is an overrun")
        #expect(loop.skippedDeadlines >= 3)
        #expect(source.fired == offsets.count, "edges overdue after the overrun are fired, not dropped")
        for i in 0..<min(source.fired, offsets.count) {
            #expect(source.planned[i] == source.plan(i))
            #expect(source.actual[i] >= source.planned[i])
        }
        let overdue = (0..<min(source.fired, offsets.count)).filter { source.actual[$0] - source.planned[$0] > Self.ms }
        #expect(!overdue.isEmpty, "edges planned during the overrun fired late, at once after it")
    }

    @Test(.timeLimit(.minutes(1)))
    func withoutASourceTheLoopFiresNoEdges() throws {
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(priority: nil, lockMemory: false, cycleLimit: 5))
        try loop.start { _, _ in }
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        loop.stop()
        #expect(loop.edgesFired == 0 && loop.cyclesDelayedByEdges == 0 && loop.worstEdgeLatenessNanoseconds == 0)
    }

    // MARK: Virtual time

    @Test func virtualTimeFiresEachEdgeExactlyOnItsPlanBetweenTheRightCycles() {
        let clock = VirtualClock()
        // On a boundary (2 ms), just before one (2.999999 ms), two in one cycle, one in the last
        // cycle, and one past the run's last deadline (never asked for).
        let offsets: [UInt64] = [250_000, 2_000_000, 2_999_999, 3_100_000, 3_900_000, 4_999_999, 5_000_000]
        let source = PlannedEdges(offsets: offsets, origin: 0)
        source.clock = clock
        let end = VirtualTimeDriver.run(
            from: 0, until: 5 * Self.ms, edges: source,
            setTime: { clock.advance(toNanoseconds: $0) },
            cycle: { now in
                clock.advance(toNanoseconds: now)
                source.log.append("cycle \(now)")
            })
        #expect(end == 5 * Self.ms)
        #expect(source.fired == 6, "the edge at the run's end (5 ms) belongs to a cycle that never ran")
        for i in 0..<source.fired {
            #expect(source.planned[i] == offsets[i])
            #expect(source.actual[i] == offsets[i], "virtual time fires on the plan to the nanosecond")
            #expect(source.clockAtFire[i] == offsets[i], "the clock was moved to the edge before it fired")
        }
        #expect(source.log == [
            "cycle 0", "edge 250000",
            "cycle 1000000",
            "cycle 2000000", "edge 2000000", "edge 2999999",
            "cycle 3000000", "edge 3100000", "edge 3900000",
            "cycle 4000000", "edge 4999999",
        ], "an edge on a deadline fires after that cycle, as in the real loop")
    }

    @Test func fireEdgesCountsWhatItFiredAndStopsAtTheLimit() {
        var times: [UInt64] = []
        let source = PlannedEdges(offsets: [10, 20, 30], origin: 100)
        #expect(VirtualTimeDriver.fireEdges(of: source, before: 100, setTime: { times.append($0) }) == 0)
        #expect(VirtualTimeDriver.fireEdges(of: source, before: 125, setTime: { times.append($0) }) == 2)
        #expect(VirtualTimeDriver.fireEdges(of: source, before: 1_000, setTime: { times.append($0) }) == 1)
        #expect(times == [110, 120, 130])
    }
}
