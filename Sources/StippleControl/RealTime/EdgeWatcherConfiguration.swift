/// How an `EdgeWatcher` runs. The defaults put the e-stop path above the control loop
/// (SCHED_FIFO 90 vs 80), so a busy control cycle cannot delay dropping the motor enable.
public struct EdgeWatcherConfiguration: Sendable {
    /// SCHED_FIFO priority of the watcher thread; nil runs it at normal priority on purpose.
    public var priority: Int32?
    /// mlockall(MCL_CURRENT|MCL_FUTURE), process-wide: a page fault on the e-stop path could
    /// cost milliseconds.
    public var lockMemory: Bool
    /// Timer slack of the watcher thread; nil leaves the inherited 50 µs.
    public var timerSlackNanoseconds: UInt64?
    /// The one CPU the watcher runs on: best the CPU that takes the GPIO chip's interrupt, so the
    /// wake-up needs no inter-processor interrupt (measured here: p99 ~8 µs pinned with the
    /// edge source vs ~50-70 µs unpinned on a loaded 2-vCPU VM). nil lets the scheduler choose.
    public var cpu: Int32?
    /// The PM QoS CPU wake-up latency limit held while the watcher runs (see
    /// `RealTimeConfiguration.cpuLatencyLimitMicroseconds`): an e-stop edge must not wait for a
    /// halted CPU to wake. nil leaves the CPUs' idle states alone.
    public var cpuLatencyLimitMicroseconds: Int32?
    /// Edges the ring to the control loop holds (a power of two). At 1 kHz draining, 256 rides
    /// out a quarter second of contact bounce without a drop.
    public var ringCapacity: Int
    /// Edges read from the backend in one go without reallocating the watcher's buffer.
    public var batchCapacity: Int
    /// How long one `waitForEdges` may block; bounds how long `stop()` takes.
    public var waitTimeoutNanoseconds: UInt64
    /// Pause after a backend error, so a failing backend cannot make a SCHED_FIFO thread spin.
    public var errorBackoffNanoseconds: UInt64
    /// The thread's name in `top -H` and `ps -L` (15 bytes kept).
    public var threadName: String
    /// The kernel calls behind the setup; tests substitute failing ones.
    var systemCalls: RealTimeSystemCalls = .live

    public init(
        priority: Int32? = 90,
        lockMemory: Bool = true,
        timerSlackNanoseconds: UInt64? = 1,
        cpu: Int32? = nil,
        cpuLatencyLimitMicroseconds: Int32? = 0,
        ringCapacity: Int = 256,
        batchCapacity: Int = 64,
        waitTimeoutNanoseconds: UInt64 = 10_000_000,
        errorBackoffNanoseconds: UInt64 = 10_000_000,
        threadName: String = "stipple-estop"
    ) {
        self.priority = priority
        self.lockMemory = lockMemory
        self.timerSlackNanoseconds = timerSlackNanoseconds
        self.cpu = cpu
        self.cpuLatencyLimitMicroseconds = cpuLatencyLimitMicroseconds
        self.ringCapacity = ringCapacity
        self.batchCapacity = batchCapacity
        self.waitTimeoutNanoseconds = waitTimeoutNanoseconds
        self.errorBackoffNanoseconds = errorBackoffNanoseconds
        self.threadName = threadName
    }
}
