/// How a `RealTimeLoop` runs. The defaults are the production control loop's: 1 kHz, SCHED_FIFO
/// 80 (below the e-stop watcher's 90, above everything else), all memory locked, 1 ns slack, idle CPUs kept
/// able to wake at once.
public struct RealTimeConfiguration: Sendable {
    /// Time between deadlines. 1 ms is the control step's rate; the firmware's refresh deadline
    /// is set with this in mind.
    public var periodNanoseconds: UInt64
    /// SCHED_FIFO priority (1-99 on Linux), or nil to run at normal priority on purpose (tests,
    /// simulators), which produces no warning.
    public var priority: Int32?
    /// mlockall(MCL_CURRENT|MCL_FUTURE). Process-wide and left in force after `stop`: once a
    /// loop has run, the memory it touches must stay resident for the next one too.
    public var lockMemory: Bool
    /// Timer slack of the loop's thread; nil leaves the inherited 50 µs.
    public var timerSlackNanoseconds: UInt64?
    /// The one CPU the loop's thread runs on (ideally one kept free of other work with
    /// `isolcpus`); nil lets the scheduler choose.
    public var cpu: Int32?
    /// The PM QoS CPU wake-up latency limit (/dev/cpu_dma_latency) held while the loop runs,
    /// as cyclictest does: 0 keeps idle CPUs polling instead of halting, which took p99
    /// lateness from ~60-120 µs to ~20 µs on the 2-vCPU VM this was measured on. System-wide
    /// and costs idle power; nil leaves the CPUs' idle states alone.
    public var cpuLatencyLimitMicroseconds: Int32?
    /// How many of the latest cycles' lateness the statistics cover; preallocated, 8 bytes each.
    /// 65,536 is a little over a minute at 1 kHz.
    public var latenessWindow: Int
    /// Stop by itself after this many cycles (benchmarks, tests); nil runs until `stop()`.
    public var cycleLimit: UInt64?
    /// The thread's name in `top -H` and `ps -L` (the kernel keeps 15 bytes).
    public var threadName: String
    /// The kernel calls behind the setup; tests substitute failing ones.
    var systemCalls: RealTimeSystemCalls = .live

    public init(
        periodNanoseconds: UInt64 = 1_000_000,
        priority: Int32? = 80,
        lockMemory: Bool = true,
        timerSlackNanoseconds: UInt64? = 1,
        cpu: Int32? = nil,
        cpuLatencyLimitMicroseconds: Int32? = 0,
        latenessWindow: Int = 65_536,
        cycleLimit: UInt64? = nil,
        threadName: String = "stipple-rt"
    ) {
        self.periodNanoseconds = periodNanoseconds
        self.priority = priority
        self.lockMemory = lockMemory
        self.timerSlackNanoseconds = timerSlackNanoseconds
        self.cpu = cpu
        self.cpuLatencyLimitMicroseconds = cpuLatencyLimitMicroseconds
        self.latenessWindow = latenessWindow
        self.cycleLimit = cycleLimit
        self.threadName = threadName
    }
}
