/// One stroke edge as made: when it was planned and when the line was actually written.
public struct StrokeEdgeRecord: Sendable, Hashable {
    public var planned: UInt64
    public var actual: UInt64
    public var rising: Bool
    /// Made inside `service` because it was already due (the loop woke after its instant), not
    /// by the loop sleeping to it.
    public var late: Bool

    public var latenessNanoseconds: UInt64 { actual >= planned ? actual - planned : 0 }
}

/// How late stroke edges were, over the edges the log holds.
public struct StrokeEdgeLateness: Sendable, Hashable {
    public var edges: Int
    /// Edges made inside `service` after their instant had passed.
    public var lateEdges: Int
    public var p50Nanoseconds: UInt64
    public var p99Nanoseconds: UInt64
    public var maxNanoseconds: UInt64
}

/// Every stroke edge's planned and actual instant, in a ring allocated once (the oldest give way
/// when it is full; `total` counts them all). Recording is allocation-free for the loop; the
/// lateness summary sorts a copy and so allocates: ask for it off the loop.
///
/// A class, not a value: a copy of 65,536 records handed out while the loop records would be
/// copied again on the loop's next write. Read it from the loop's thread, or after the loop has
/// stopped.
public final class StrokeEdgeLog {
    public static let defaultCapacity = 65_536

    public let capacity: Int
    /// Edges recorded since init, including those the ring no longer holds.
    public private(set) var total = 0
    private let records: UnsafeMutableBufferPointer<StrokeEdgeRecord>

    public init(capacity: Int = StrokeEdgeLog.defaultCapacity) {
        self.capacity = max(capacity, 1)
        records = .allocate(capacity: self.capacity)
        records.initialize(repeating: StrokeEdgeRecord(planned: 0, actual: 0, rising: false, late: false))
    }

    deinit { records.deallocate() }

    /// Records held (at most `capacity`).
    public var count: Int { min(total, capacity) }

    public func record(planned: UInt64, actual: UInt64, rising: Bool, late: Bool) {
        records[total % capacity] = StrokeEdgeRecord(planned: planned, actual: actual, rising: rising, late: late)
        total += 1
    }

    /// The `i`th record held, oldest first.
    public subscript(i: Int) -> StrokeEdgeRecord {
        precondition(i >= 0 && i < count, "edge log index out of range")
        return records[(total - count + i) % capacity]
    }

    /// The records held, oldest first (allocates).
    public var all: [StrokeEdgeRecord] { (0..<count).map { self[$0] } }

    /// Lateness percentiles over the records held (allocates: sorts a copy).
    public func lateness() -> StrokeEdgeLateness {
        let n = count
        guard n > 0 else { return StrokeEdgeLateness(edges: 0, lateEdges: 0, p50Nanoseconds: 0, p99Nanoseconds: 0, maxNanoseconds: 0) }
        var late = 0
        var values = [UInt64]()
        values.reserveCapacity(n)
        for i in 0..<n {
            let r = self[i]
            if r.late { late += 1 }
            values.append(r.latenessNanoseconds)
        }
        values.sort()
        func percentile(_ p: Double) -> UInt64 { values[min(n - 1, Int((p * Double(n - 1)).rounded(.up)))] }
        return StrokeEdgeLateness(edges: n, lateEdges: late, p50Nanoseconds: percentile(0.5),
                                  p99Nanoseconds: percentile(0.99), maxNanoseconds: values[n - 1])
    }
}
