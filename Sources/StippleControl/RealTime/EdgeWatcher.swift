#if canImport(Glibc)
import Glibc
#endif
import StippleHardware
import StippleModel
import Synchronization

/// The e-stop path (safety layer 3): a thread of its own that blocks on the GPIO lines' edge
/// events and, when the e-stop goes active, drops the motor-enable output at once, before
/// anything else, without waiting for the next control cycle and without going through USB.
///
/// Then it forwards every edge (pedal, e-stop, cartridge), oldest first, into a lock-free ring
/// the control loop empties with `drain(into:)`; while a watcher runs, the control loop must not
/// call `gpio.drainEdges` itself, or edges would be split between the two.
///
/// The latch: once an e-stop edge was seen, `estopLatched` stays true until `resetLatch()`. The
/// control loop must switch the motor on only through `writeMotorEnable(active:)`, which
/// refuses while latched and closes the race with a latch that lands between its check and its
/// write. If the e-stop is already active (or cannot be read) at `start`, it latches at once:
/// a normally-closed e-stop with a broken wire reads as pressed, and an unreadable one must be
/// treated the same way.
///
/// Backend errors are counted and the last one kept (`errorCount`, `lastError`), never fatal:
/// the watcher pauses briefly and tries again, as giving up would remove the e-stop path.
///
/// The `GPIOLines` backend is used from two threads, this one (wait, drain, enable write) and
/// the control loop's (other writes, reads); it must allow that.
public final class EdgeWatcher: @unchecked Sendable {
    public let configuration: EdgeWatcherConfiguration
    private let gpio: any GPIOLines
    private let clock: any MonotonicClock
    private let ring: SPSCRing<GPIOEdge>

    private let latched = Atomic<Bool>(false)
    private let latchedAtNanoseconds = Atomic<UInt64>(0)
    /// Sequence lock around the last response: odd while the watcher is writing it.
    private let responseSequence = Atomic<UInt64>(0)
    private let responseEdgeAt = Atomic<UInt64>(0)
    private let responseWrittenAt = Atomic<UInt64>(0)
    private let estopEdgeCount = Atomic<UInt64>(0)
    private let forwardedCount = Atomic<UInt64>(0)
    private let droppedCount = Atomic<UInt64>(0)
    private let errors = Atomic<UInt64>(0)
    private let lastErrorStore = Mutex<GPIOError?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let thread = Mutex<RealTimeThread?>(nil)

    /// - Parameters:
    ///   - gpio: the machine's lines; must be usable from this watcher's thread and the loop's.
    ///   - clock: the clock the backend stamps edges with (CLOCK_MONOTONIC for libgpiod).
    /// - Throws: `RealTimeError.invalidConfiguration` for a ring capacity that is not a power of
    ///   two, a priority out of range or an empty batch.
    public init(
        gpio: any GPIOLines, clock: any MonotonicClock = SystemMonotonicClock(),
        configuration: EdgeWatcherConfiguration = EdgeWatcherConfiguration()
    ) throws(RealTimeError) {
        try ThreadSettingsCheck.validate(priority: configuration.priority, cpu: configuration.cpu,
                                         cpuLatencyLimitMicroseconds: configuration.cpuLatencyLimitMicroseconds)
        guard configuration.batchCapacity >= 1 else {
            throw .invalidConfiguration(
                field: "batchCapacity", value: "\(configuration.batchCapacity)", reason: "the watcher must read at least 1 edge at a time")
        }
        guard configuration.waitTimeoutNanoseconds >= 1_000 else {
            throw .invalidConfiguration(
                field: "waitTimeoutNanoseconds", value: "\(configuration.waitTimeoutNanoseconds)",
                reason: "waits shorter than 1 µs would make the watcher spin")
        }
        ring = try SPSCRing(capacity: configuration.ringCapacity)
        self.configuration = configuration
        self.gpio = gpio
        self.clock = clock
    }

    /// Checks the e-stop level (latching if it is active or unreadable), starts the thread, and
    /// returns once its real-time setup is done, so `warnings` is complete.
    /// - Throws: `RealTimeError.alreadyStarted`, or `.threadCreationFailed`.
    public func start() throws(RealTimeError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw .alreadyStarted(what: "e-stop edge watcher")
        }
        do {
            if try gpio.read(.estop) { latchEStop(edgeAt: clock.now()) }
        } catch {
            report(error)
            latchEStop(edgeAt: clock.now())
        }
        let settings = RealTimeThread.Settings(
            name: configuration.threadName, priority: configuration.priority,
            lockMemory: configuration.lockMemory, timerSlackNanoseconds: configuration.timerSlackNanoseconds,
            cpu: configuration.cpu, cpuLatencyLimitMicroseconds: configuration.cpuLatencyLimitMicroseconds, systemCalls: configuration.systemCalls)
        do {
            let t = try RealTimeThread.start(settings, what: "e-stop edge watcher") { [self] in watch() }
            thread.withLock { $0 = t }
        } catch {
            started.store(false, ordering: .releasing)
            throw error
        }
    }

    /// Ends the watcher and joins its thread, within one `waitTimeoutNanoseconds`. The latch and
    /// the edges not yet drained stay. Safe to call more than once.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        thread.withLock { $0 }?.join()
    }

    // MARK: The control loop's side (one consumer thread)

    /// Moves every forwarded edge, oldest first, into `edges`; returns how many. Never blocks;
    /// allocates only if `edges` lacks reserved capacity. Call from one thread only.
    @discardableResult
    public func drain(into edges: inout [GPIOEdge]) -> Int { ring.drain(into: &edges) }

    /// Writes the motor-enable output, refusing to switch it on while the e-stop is latched.
    /// Returns whether the line now has the asked level. Switching on writes, then re-reads the
    /// latch and switches off again if the watcher latched in between, so the enable can never
    /// stay on after an e-stop however the two threads interleave.
    public func writeMotorEnable(active: Bool) throws(GPIOError) -> Bool {
        guard active else {
            try gpio.write(.motorEnable, active: false)
            return true
        }
        guard !latched.load(ordering: .sequentiallyConsistent) else { return false }
        try gpio.write(.motorEnable, active: true)
        if latched.load(ordering: .sequentiallyConsistent) {
            try gpio.write(.motorEnable, active: false)
            return false
        }
        return true
    }

    /// True from the first e-stop edge (or an e-stop active at start) until `resetLatch()`.
    public var estopLatched: Bool { latched.load(ordering: .sequentiallyConsistent) }

    /// When the latch was set (after the enable write), or nil while not latched.
    public var estopLatchedAt: MonotonicInstant? {
        guard estopLatched else { return nil }
        return MonotonicInstant(nanoseconds: latchedAtNanoseconds.load(ordering: .acquiring))
    }

    /// Clears the latch. The control core decides when that is allowed (explicit operator reset,
    /// e-stop released: it sees the e-stop level in the forwarded edges); this does no I/O.
    public func resetLatch() {
        latched.store(false, ordering: .sequentiallyConsistent)
    }

    // MARK: Figures

    /// The last e-stop edge handled, with when the enable write returned; nil before the first.
    public var lastEStopResponse: EStopResponse? {
        while true {
            let before = responseSequence.load(ordering: .acquiring)
            guard before != 0 else { return nil }
            if before & 1 == 1 { continue }
            let edge = responseEdgeAt.load(ordering: .relaxed)
            let written = responseWrittenAt.load(ordering: .relaxed)
            atomicMemoryFence(ordering: .acquiring)
            if responseSequence.load(ordering: .relaxed) == before {
                return EStopResponse(edgeAt: MonotonicInstant(nanoseconds: edge),
                                     enableWrittenAt: MonotonicInstant(nanoseconds: written))
            }
        }
    }

    /// E-stop activations handled (edges, plus one for an e-stop active at start).
    public var estopActivations: UInt64 { estopEdgeCount.load(ordering: .acquiring) }

    /// Edges put into the ring for the control loop.
    public var forwardedEdges: UInt64 { forwardedCount.load(ordering: .acquiring) }

    /// Edges lost because the control loop did not drain the ring in time (should stay 0).
    public var droppedEdges: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Backend errors since creation.
    public var errorCount: UInt64 { errors.load(ordering: .relaxed) }

    /// The latest backend error.
    public var lastError: GPIOError? { lastErrorStore.withLock { $0 } }

    /// What the thread setup could not do (see `RealTimeLoop.warnings`).
    public var warnings: [String] { thread.withLock { $0 }?.warnings ?? [] }

    // MARK: The watcher thread

    private func watch() {
        var batch: [GPIOEdge] = []
        batch.reserveCapacity(configuration.batchCapacity)
        while !stopRequested.load(ordering: .acquiring) {
            let ready: Bool
            do {
                ready = try gpio.waitForEdges(timeoutNanoseconds: configuration.waitTimeoutNanoseconds)
            } catch {
                report(error)
                backOff()
                continue
            }
            guard ready else { continue }
            batch.removeAll(keepingCapacity: true)
            var failed = false
            do {
                try gpio.drainEdges(into: &batch)
            } catch {
                report(error)
                failed = true  // still act on what arrived before the failure
            }
            // The e-stop before anything else, even before forwarding earlier edges.
            for edge in batch where edge.role == .estop && edge.active {
                latchEStop(edgeAt: edge.at)
                break
            }
            var forwarded: UInt64 = 0
            for edge in batch {
                if ring.tryPush(edge) { forwarded &+= 1 } else { droppedCount.wrappingAdd(1, ordering: .relaxed) }
            }
            forwardedCount.wrappingAdd(forwarded, ordering: .releasing)
            if failed { backOff() }
        }
    }

    /// Latch first (so `writeMotorEnable` sees it), then the write, then the bookkeeping.
    private func latchEStop(edgeAt: MonotonicInstant) {
        latched.store(true, ordering: .sequentiallyConsistent)
        do {
            try gpio.write(.motorEnable, active: false)
        } catch {
            report(error)
            // Once more: the enable line is the one write that must not be lost.
            do { try gpio.write(.motorEnable, active: false) } catch { report(error) }
        }
        let written = clock.now()
        latchedAtNanoseconds.store(written.nanoseconds, ordering: .releasing)
        let sequence = responseSequence.load(ordering: .relaxed)
        responseSequence.store(sequence &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        responseEdgeAt.store(edgeAt.nanoseconds, ordering: .relaxed)
        responseWrittenAt.store(written.nanoseconds, ordering: .relaxed)
        responseSequence.store(sequence &+ 2, ordering: .releasing)
        estopEdgeCount.wrappingAdd(1, ordering: .releasing)
    }

    private func report(_ error: GPIOError) {
        errors.wrappingAdd(1, ordering: .relaxed)
        lastErrorStore.withLock { $0 = error }
    }

    private func backOff() {
        var pause = timespec(
            tv_sec: Int(configuration.errorBackoffNanoseconds / 1_000_000_000),
            tv_nsec: Int(configuration.errorBackoffNanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&pause, &remaining) == -1 && errno == EINTR { pause = remaining }
    }
}
