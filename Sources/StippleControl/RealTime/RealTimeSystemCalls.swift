#if canImport(Glibc)
import Glibc
#endif
import CStippleRealTime

/// The calls that make a thread real-time, as values, so tests can make each one fail (as it
/// does without root) and check the warning, the way swift-system mocks its syscalls. Each
/// returns 0 or the errno, except `holdCPULatency`.
struct RealTimeSystemCalls: Sendable {
    /// mlockall(MCL_CURRENT | MCL_FUTURE): process-wide, so page faults cannot stall a cycle.
    var lockAllMemory: @Sendable () -> Int32
    /// SCHED_FIFO at the given priority for the calling thread.
    var setFIFOPriority: @Sendable (Int32) -> Int32
    /// The calling thread's timer slack, which at normal priority lets the kernel wake a sleeper
    /// up to 50 µs late to batch wake-ups.
    var setTimerSlack: @Sendable (UInt64) -> Int32
    /// Pins the calling thread to one CPU.
    var pinToCPU: @Sendable (Int32) -> Int32
    /// Opens /dev/cpu_dma_latency and writes the limit in µs (the PM QoS request cyclictest
    /// makes): while the descriptor is open, idle CPUs stay in states that wake within it.
    /// Returns the descriptor, or minus the errno.
    var holdCPULatency: @Sendable (Int32) -> Int32
    /// Closes what `holdCPULatency` returned, which withdraws the request.
    var releaseCPULatency: @Sendable (Int32) -> Void

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
        },
        pinToCPU: { cpu in
            stipple_pin_thread_to_cpu(cpu)
        },
        holdCPULatency: { microseconds in
            let fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { return -errno }
            var value = microseconds
            guard write(fd, &value, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size else {
                let code = errno
                close(fd)
                return -code
            }
            return fd
        },
        releaseCPULatency: { fd in
            close(fd)
        }
    )
}
