import Synchronization
import StippleHardware

/// A monotonic clock that moves only when told to, so control behaviour can be tested
/// deterministically and far faster than real time.
public final class VirtualClock: MonotonicClock {
    private let current: Atomic<UInt64>

    public init(start: MonotonicInstant = MonotonicInstant(nanoseconds: 0)) {
        current = Atomic(start.nanoseconds)
    }

    public func now() -> MonotonicInstant { MonotonicInstant(nanoseconds: current.load(ordering: .acquiring)) }

    /// Moves time forward; time never goes back.
    public func advance(byNanoseconds delta: UInt64) {
        current.add(delta, ordering: .releasing)
    }
}
