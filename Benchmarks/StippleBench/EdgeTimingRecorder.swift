import Glibc
import StippleHardware

/// Wraps the edge source under test and keeps, per fired edge, the benchmark's timing error: the
/// clock read after the source's `fireEdge` returned (the line written) minus the planned instant.
/// stroke-edges-c reads its clock at the same point, after its line write. Preallocated; edges
/// beyond `capacity` are counted but not kept.
final class EdgeTimingRecorder: TimedEdgeSource, @unchecked Sendable {
    let source: any TimedEdgeSource
    let capacity: Int
    private let errors: UnsafeMutablePointer<UInt64>
    private(set) var count = 0

    init(_ source: any TimedEdgeSource, capacity: Int) {
        self.source = source
        self.capacity = capacity
        errors = .allocate(capacity: max(capacity, 1))
        errors.initialize(repeating: 0, count: max(capacity, 1))  // faults the pages in before the loop
    }

    deinit { errors.deallocate() }

    func nextEdge(before limit: UInt64) -> UInt64? { source.nextEdge(before: limit) }

    func fireEdge(planned: UInt64, actual: UInt64) {
        source.fireEdge(planned: planned, actual: actual)
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let after = UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
        if count < capacity { errors[count] = after &- planned }
        count += 1
    }

    /// The kept errors, in firing order. Allocates: call after the loop has ended.
    var samples: [UInt64] { (0..<min(count, capacity)).map { errors[$0] } }
}
