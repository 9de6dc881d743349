#if canImport(Glibc)
import Glibc
#endif

/// A point on the monotonic clock, in nanoseconds from an arbitrary origin. Control decisions use
/// only this; UTC appears on records alone, so a wall-clock jump cannot move a deadline.
public struct MonotonicInstant: Sendable, Hashable, Comparable {
    public var nanoseconds: UInt64
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    public static func < (a: MonotonicInstant, b: MonotonicInstant) -> Bool { a.nanoseconds < b.nanoseconds }
}

/// The seam for time: the real clock in production, a virtual one in tests and `--fast` runs.
public protocol MonotonicClock: Sendable {
    func now() -> MonotonicInstant
}

/// `CLOCK_MONOTONIC`, the clock the real-time loop's absolute deadlines are set on.
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}
    public func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }
}
