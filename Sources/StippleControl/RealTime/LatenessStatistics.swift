/// Wake-up lateness of a periodic loop: how long after its deadline each cycle started.
///
/// Percentiles are nearest-rank (the smallest sample with at least p% of samples at or below
/// it), so p99 of 5,000 samples is a sample that was really measured, and the C comparison loop
/// computes them the same way.
public struct LatenessStatistics: Sendable, Hashable, CustomStringConvertible {
    public var count: Int
    public var minNanoseconds: UInt64
    public var medianNanoseconds: UInt64
    public var p99Nanoseconds: UInt64
    public var p999Nanoseconds: UInt64
    public var maxNanoseconds: UInt64

    /// All zero, count 0: nothing measured yet.
    public static let empty = LatenessStatistics(sorted: [])

    /// Sorts a copy of `samples` (nanoseconds late). Allocates: call it off the loop's thread.
    public init(samples: some Sequence<UInt64>) {
        self.init(sorted: samples.sorted())
    }

    init(sorted: [UInt64]) {
        count = sorted.count
        func rank(_ p: Double) -> UInt64 {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        minNanoseconds = sorted.first ?? 0
        medianNanoseconds = rank(0.5)
        p99Nanoseconds = rank(0.99)
        p999Nanoseconds = rank(0.999)
        maxNanoseconds = sorted.last ?? 0
    }

    public var description: String {
        func us(_ ns: UInt64) -> String {
            let tenths = (ns + 50) / 100
            return "\(tenths / 10).\(tenths % 10) µs"
        }
        return "\(count) cycles: min \(us(minNanoseconds)), median \(us(medianNanoseconds)), "
            + "p99 \(us(p99Nanoseconds)), p99.9 \(us(p999Nanoseconds)), max \(us(maxNanoseconds))"
    }
}
