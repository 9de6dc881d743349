#if canImport(Glibc)
import Glibc
#endif
import CStippleRealTime

/// The three calls that make a thread real-time, as values, so tests can make each one fail
/// (as it does without root) and check the warning, the way swift-system mocks its syscalls.
/// Each returns 0 or the errno.
struct RealTimeSystemCalls: Sendable {
    /// mlockall(MCL_CURRENT | MCL_FUTURE): process-wide, so page faults cannot stall a cycle.
    var lockAllMemory: @Sendable () -> Int32
    /// SCHED_FIFO at the given priority for the calling thread.
    var setFIFOPriority: @Sendable (Int32) -> Int32
    /// The calling thread's timer slack, which at normal priority lets the kernel wake a sleeper
    /// up to 50 µs late to batch wake-ups.
    var setTimerSlack: @Sendable (UInt64) -> Int32

    static let live = RealTimeSystemCalls(
        lockAllMemory: {
            mlockall(Int32(MCL_CURRENT | MCL_FUTURE)) == 0 ? 0 : errno
        },
        setFIFOPriority: { priority in
            var parameters = sched_param()
            parameters.sched_priority = priority
            return pthread_setschedparam(pthread_self(), Int32(SCHED_FIFO), &parameters)
        },
        setTimerSlack: { nanoseconds in
            stipple_set_timer_slack(UInt(nanoseconds))
        }
    )
}
