#if canImport(Glibc)
import Glibc
#endif
import CStippleRealTime
import Synchronization

/// One dedicated pthread made real-time from inside itself: memory locked, SCHED_FIFO, 1 ns
/// timer slack. Swift concurrency has no such thread (its pool threads are shared and cannot be
/// given a scheduling class), which is why the loop and the e-stop watcher bring their own.
///
/// Each setup step that fails becomes a warning, not an error: the machine still runs, later.
/// `start` returns only after the setup ran, so `warnings` is complete when it returns.
final class RealTimeThread: @unchecked Sendable {
    /// What to ask of the kernel for the new thread.
    struct Settings: Sendable {
        var name: String
        /// SCHED_FIFO priority, or nil to stay at normal priority without a warning.
        var priority: Int32?
        var lockMemory: Bool
        /// nil leaves the inherited slack (50 µs by default) alone.
        var timerSlackNanoseconds: UInt64?
        /// The one CPU the thread may run on; nil lets the scheduler choose.
        var cpu: Int32?
        /// PM QoS CPU wake-up latency limit held while the thread runs; nil asks for none.
        var cpuLatencyLimitMicroseconds: Int32?
        var stackBytes: Int = 512 * 1024
        var systemCalls: RealTimeSystemCalls = .live
    }

    /// Everything the new thread needs, handed over through pthread_create's one pointer.
    private final class Launch {
        let settings: Settings
        let body: () -> Void
        var warnings: [String] = []
        var cpuLatencyDescriptor: Int32 = -1
        let setUp = CompletionSignal()
        let finished: CompletionSignal

        init(settings: Settings, body: sending @escaping () -> Void, finished: CompletionSignal) {
            self.settings = settings
            self.body = body
            self.finished = finished
        }
    }

    let warnings: [String]
    private let thread: pthread_t
    private let finished: CompletionSignal
    private let joined = Mutex(false)

    private init(thread: pthread_t, warnings: [String], finished: CompletionSignal) {
        self.thread = thread
        self.warnings = warnings
        self.finished = finished
    }

    /// Creates the thread, waits for its real-time setup, then lets it run `body`.
    static func start(
        _ settings: Settings, what: String, body: sending @escaping () -> Void
    ) throws(RealTimeError) -> RealTimeThread {
        let finished = CompletionSignal()
        let launch = Launch(settings: settings, body: body, finished: finished)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, settings.stackBytes)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(launch).toOpaque()
        let rc = pthread_create(&thread, &attributes, { raw in
            RealTimeThread.entry(raw!)
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Launch>.fromOpaque(context).release()
            throw .threadCreationFailed(what: what, errno: rc)
        }
        launch.setUp.wait()
        return RealTimeThread(thread: thread, warnings: launch.warnings, finished: finished)
    }

    private static func entry(_ raw: UnsafeMutableRawPointer) {
        let launch = Unmanaged<Launch>.fromOpaque(raw).takeRetainedValue()
        (launch.warnings, launch.cpuLatencyDescriptor) = applySettings(launch.settings)
        launch.setUp.fire()
        launch.body()
        if launch.cpuLatencyDescriptor >= 0 {
            launch.settings.systemCalls.releaseCPULatency(launch.cpuLatencyDescriptor)
        }
        launch.finished.fire()
    }

    /// Runs on the new thread: the scheduling class and timer slack are per thread. Returns the
    /// warnings and the CPU latency request's descriptor (-1 if none), released at thread end.
    static func applySettings(_ s: Settings) -> (warnings: [String], cpuLatencyDescriptor: Int32) {
        var warnings: [String] = []
        let name = String(decoding: s.name.utf8.prefix(15), as: UTF8.self)  // the kernel's limit
        _ = stipple_set_thread_name(name)
        if s.lockMemory {
            let rc = s.systemCalls.lockAllMemory()
            if rc != 0 {
                warnings.append(
                    "mlockall(MCL_CURRENT|MCL_FUTURE) failed (\(RealTimeError.errnoName(rc))): memory can be paged out "
                        + "and a page fault can stall a cycle by milliseconds. Run as root, grant CAP_IPC_LOCK "
                        + "or raise the locked-memory limit (ulimit -l)")
            }
        }
        if let cpu = s.cpu {
            let rc = s.systemCalls.pinToCPU(cpu)
            if rc != 0 {
                warnings.append(
                    "pinning \(s.name) to CPU \(cpu) refused (\(RealTimeError.errnoName(rc))): it runs on any CPU, and a "
                        + "wake-up from another CPU can add ~20 µs. Name a CPU this machine has (see nproc)")
            }
        }
        if let priority = s.priority {
            let rc = s.systemCalls.setFIFOPriority(priority)
            if rc == EPERM {
                warnings.append(
                    "SCHED_FIFO not permitted (EPERM): \(s.name) runs at normal priority; expect ~130 µs p99 "
                        + "wake-up lateness. Run as root or grant CAP_SYS_NICE")
            } else if rc != 0 {
                warnings.append(
                    "SCHED_FIFO priority \(priority) refused (\(RealTimeError.errnoName(rc))): \(s.name) runs at "
                        + "normal priority; expect ~130 µs p99 wake-up lateness")
            }
        }
        if let slack = s.timerSlackNanoseconds {
            let rc = s.systemCalls.setTimerSlack(slack)
            if rc != 0 {
                warnings.append(
                    "timer slack of \(slack) ns refused (\(RealTimeError.errnoName(rc))): at normal priority the "
                        + "kernel may wake \(s.name) up to 50 µs later than it would otherwise")
            }
        }
        var descriptor: Int32 = -1
        if let limit = s.cpuLatencyLimitMicroseconds {
            let rc = s.systemCalls.holdCPULatency(limit)
            if rc >= 0 {
                descriptor = rc
            } else {
                warnings.append(
                    "CPU wake-up latency limit of \(limit) µs not held (/dev/cpu_dma_latency, \(RealTimeError.errnoName(-rc))): "
                        + "idle CPUs may sleep deeply and wake \(s.name) tens of µs later (p99 ~60-120 µs instead of "
                        + "~20 µs measured here). Run as root")
            }
        }
        return (warnings, descriptor)
    }

    /// Waits until the body has returned, or the timeout; returns whether it has.
    func waitUntilFinished(timeoutNanoseconds: UInt64?) -> Bool {
        finished.wait(timeoutNanoseconds: timeoutNanoseconds)
    }

    /// Joins the thread once; later calls (from any thread) return after that join.
    func join() {
        joined.withLock { done in
            guard !done else { return }
            pthread_join(thread, nil)
            done = true
        }
    }
}
