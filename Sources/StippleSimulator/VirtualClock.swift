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

    /// Moves time forward to `t`; an earlier `t` is ignored, since time never goes back.
    public func advance(toNanoseconds t: UInt64) {
        var seen = current.load(ordering: .relaxed)
        while seen < t {
            let (exchanged, original) = current.compareExchange(expected: seen, desired: t, ordering: .releasing)
            if exchanged { return }
            seen = original
        }
    }

    /// Moves time forward; time never goes back.
    public func advance(byNanoseconds delta: UInt64) {
        current.add(delta, ordering: .releasing)
    }
}
