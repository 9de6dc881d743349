import Foundation
import Testing
import StippleHardware
import StippleModel
import StippleSimulator
@testable import StippleControl

/// The e-stop path: the watcher drops motor_enable before anything else, latches, and forwards
/// every edge in order to the control loop. Waits are on conditions the fake backend signals.
@Suite("E-stop edge watcher")
struct EdgeWatcherTests {
    static func configuration() -> EdgeWatcherConfiguration {
        // Normal priority and no memory lock: both are process-wide or need root; the benchmark
        // runs the real settings. Short waits keep stop() quick.
        EdgeWatcherConfiguration(priority: nil, lockMemory: false, waitTimeoutNanoseconds: 2_000_000,
                                 errorBackoffNanoseconds: 1_000_000)
    }

    @Test(.timeLimit(.minutes(1)))
    func anEStopEdgeDropsMotorEnableBeforeAnyEdgeIsForwardedAndLatches() throws {
        let gpio = FakeGPIO()
        gpio.levels[.motorEnable] = true
        let watcher = try EdgeWatcher(gpio: gpio, configuration: Self.configuration())
        gpio.forwardedProbe = { watcher.forwardedEdges }
        try watcher.start()
        #expect(!watcher.estopLatched)

        // A pedal edge and then the e-stop in the same batch: the enable write comes first.
        gpio.inject([GPIOEdge(role: .pedal, active: true, at: MonotonicInstant(nanoseconds: 10)),
                     GPIOEdge(role: .estop, active: true, at: MonotonicInstant(nanoseconds: 11))])
        #expect(gpio.waitUntilProcessed(seconds: 20))
        watcher.stop()

        let writes = gpio.writesSnapshot
        #expect(writes.count == 1)
        #expect(writes.first?.role == .motorEnable && writes.first?.active == false)
        #expect(writes.first?.forwardedBefore == 0, "motor_enable is written before any edge of the batch is forwarded")
        #expect(gpio.levels[.motorEnable] == false)
        #expect(watcher.estopLatched)
        #expect(watcher.estopLatchedAt != nil)
        #expect(watcher.estopActivations == 1)
        #expect(watcher.lastEStopResponse?.edgeAt == MonotonicInstant(nanoseconds: 11))

        var edges: [GPIOEdge] = []
        #expect(watcher.drain(into: &edges) == 2)
        #expect(edges.map(\.role) == [.pedal, .estop], "the e-stop edge is forwarded too, in order")
        #expect(watcher.errorCount == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func theLatchHoldsUntilResetAndRefusesToEnableTheMotor() throws {
        let gpio = FakeGPIO()
        let watcher = try EdgeWatcher(gpio: gpio, configuration: Self.configuration())
        try watcher.start()
        #expect(try watcher.writeMotorEnable(active: true))
        #expect(gpio.levels[.motorEnable] == true)

        gpio.inject([GPIOEdge(role: .estop, active: true, at: MonotonicInstant(nanoseconds: 1))])
        #expect(gpio.waitUntilProcessed(seconds: 20))
        gpio.inject([GPIOEdge(role: .estop, active: false, at: MonotonicInstant(nanoseconds: 2))])
        #expect(gpio.waitUntilProcessed(seconds: 20))
        #expect(watcher.estopLatched, "releasing the e-stop does not clear the latch")
        #expect(gpio.levels[.motorEnable] == false)
        #expect(try !watcher.writeMotorEnable(active: true), "no enabling while latched")
        #expect(gpio.levels[.motorEnable] == false)

        watcher.resetLatch()
        #expect(!watcher.estopLatched)
        #expect(watcher.estopLatchedAt == nil)
        #expect(try watcher.writeMotorEnable(active: true))
        #expect(gpio.levels[.motorEnable] == true)
        watcher.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func pedalEdgesAreForwardedInOrderWithoutLoss() throws {
        let gpio = FakeGPIO()
        let watcher = try EdgeWatcher(gpio: gpio, configuration: Self.configuration())
        try watcher.start()
        var expected: [GPIOEdge] = []
        var received: [GPIOEdge] = []
        received.reserveCapacity(1000)
        for batch in 0..<50 {
            let edges = (0..<10).map { i in
                GPIOEdge(role: i % 3 == 2 ? .cartridgePresent : .pedal, active: i % 2 == 0,
                         at: MonotonicInstant(nanoseconds: UInt64(batch * 10 + i)))
            }
            expected += edges
            gpio.inject(edges)
            #expect(gpio.waitUntilProcessed(seconds: 20))
            watcher.drain(into: &received)
        }
        watcher.stop()
        #expect(received == expected)
        #expect(watcher.forwardedEdges == 500)
        #expect(watcher.droppedEdges == 0)
        #expect(gpio.writesSnapshot.isEmpty, "pedal and cartridge edges never touch motor_enable")
        #expect(!watcher.estopLatched)
    }

    @Test(.timeLimit(.minutes(1)))
    func anEStopAlreadyPressedAtStartLatchesAtOnce() throws {
        let gpio = FakeGPIO()
        gpio.levels[.estop] = true
        gpio.levels[.motorEnable] = true
        let watcher = try EdgeWatcher(gpio: gpio, configuration: Self.configuration())
        try watcher.start()
        #expect(watcher.estopLatched)
        #expect(gpio.levels[.motorEnable] == false)
        watcher.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func backendErrorsAreCountedAndTheWatcherKeepsGuarding() throws {
        let gpio = FakeGPIO()
        gpio.failingWaits = 3
        let watcher = try EdgeWatcher(gpio: gpio, configuration: Self.configuration())
        try watcher.start()
        gpio.inject([GPIOEdge(role: .estop, active: true, at: MonotonicInstant(nanoseconds: 5))])
        #expect(gpio.waitUntilProcessed(seconds: 20))
        watcher.stop()
        #expect(watcher.errorCount == 3)
        #expect(watcher.lastError?.operation == "wait for edges (injected)")
        #expect(watcher.estopLatched, "after the errors the e-stop still works")
        #expect(gpio.levels[.motorEnable] == false)
    }

    @Test func setupFailuresBecomeWarningsAndTheLatencyRequestEndsWithTheThread() throws {
        let released = Counter()
        var c = Self.configuration()
        c.priority = 90
        c.systemCalls = RealTimeSystemCalls(
            lockAllMemory: { 0 }, setFIFOPriority: { _ in EPERM }, setTimerSlack: { _ in 0 },
            pinToCPU: { _ in 0 }, holdCPULatency: { _ in 42 }, releaseCPULatency: { fd in released.value = Int(fd) })
        let watcher = try EdgeWatcher(gpio: FakeGPIO(), configuration: c)
        try watcher.start()
        watcher.stop()
        #expect(watcher.warnings.count == 1)
        #expect(watcher.warnings.first?.contains("SCHED_FIFO not permitted (EPERM)") == true)
        #expect(released.value == 42, "the CPU latency request is withdrawn when the watcher stops")
    }

    @Test(.timeLimit(.minutes(1)))
    func onTheSimulatedChipAnEStopPressDropsMotorEnableAfterTheEdgeAndIsForwarded() throws {
        let machine = try HardwareCatalog(layers: [.embedded]).machine(named: "rotary-r1").spec
        let clock = SystemMonotonicClock()
        let chip = SimulatedGPIOChip(machine: machine, clock: clock)
        let watcher = try EdgeWatcher(gpio: chip, clock: clock, configuration: Self.configuration())
        try watcher.start()
        #expect(try watcher.writeMotorEnable(active: true))
        #expect(chip.output(.motorEnable))

        try chip.setInput(.pedal, active: true)
        try chip.setInput(.estop, active: true)
        let handled = Self.waitUntil(seconds: 20) { watcher.estopActivations == 1 && watcher.forwardedEdges == 2 }
        watcher.stop()
        #expect(handled)
        #expect(!chip.output(.motorEnable))
        var edges: [GPIOEdge] = []
        watcher.drain(into: &edges)
        #expect(edges.map(\.role) == [.pedal, .estop])
        let off = chip.outputWrites.last
        #expect(off?.role == .motorEnable && off?.active == false)
        if let off, let press = edges.last {
            #expect(off.at >= press.at, "the enable write is stamped after the edge it answers")
            #expect(watcher.lastEStopResponse?.edgeAt == press.at)
        }
    }

    /// Waits for a condition the watcher makes true, yielding the CPU between looks; the chip
    /// offers no signal for "handled", and a fixed sleep would be a guess.
    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !condition() {
            if Date() > deadline { return false }
            sched_yield()
        }
        return true
    }

    @Test func aRingCapacityThatIsNotAPowerOfTwoIsRefused() {
        var c = Self.configuration()
        c.ringCapacity = 100
        #expect(throws: RealTimeError.self) { _ = try EdgeWatcher(gpio: FakeGPIO(), configuration: c) }
    }
}

/// An in-memory GPIO backend that records each write with how many edges the watcher had
/// forwarded at that moment, and signals when the watcher comes back to wait with nothing
/// pending (the batch before was handled completely).
private final class FakeGPIO: GPIOLines, @unchecked Sendable {
    struct Write {
        var role: GPIOLineRole
        var active: Bool
        var forwardedBefore: UInt64
    }

    private let condition = NSCondition()
    private var pending: [GPIOEdge] = []
    private var injected = 0
    private var handled = 0
    private var storedLevels: [GPIOLineRole: Bool] = [.pedal: false, .estop: false, .cartridgePresent: true,
                                                      .motorEnable: false, .statusLED: false]
    private var writes: [Write] = []
    /// Set after the watcher exists; read on the watcher's thread inside `write`.
    var forwardedProbe: (@Sendable () -> UInt64)?
    var failingWaits = 0

    var levels: [GPIOLineRole: Bool] {
        get { condition.withLock { storedLevels } }
        set { condition.withLock { storedLevels = newValue } }
    }

    var writesSnapshot: [Write] { condition.withLock { writes } }

    func inject(_ edges: [GPIOEdge]) {
        condition.withLock {
            pending += edges
            injected += 1
            for e in edges { storedLevels[e.role] = e.active }
            condition.broadcast()
        }
    }

    /// True once every injected batch was drained and the watcher is back in `waitForEdges`.
    func waitUntilProcessed(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while handled < injected {
            if !condition.wait(until: deadline) { break }
        }
        return handled >= injected
    }

    func read(_ role: GPIOLineRole) throws(GPIOError) -> Bool { levels[role] ?? false }

    func write(_ role: GPIOLineRole, active: Bool) throws(GPIOError) {
        let forwarded = forwardedProbe?() ?? 0
        condition.withLock {
            storedLevels[role] = active
            writes.append(Write(role: role, active: active, forwardedBefore: forwarded))
        }
    }

    func drainEdges(into edges: inout [GPIOEdge]) throws(GPIOError) {
        condition.withLock {
            edges += pending
            pending.removeAll()
        }
    }

    func waitForEdges(timeoutNanoseconds: UInt64) throws(GPIOError) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if failingWaits > 0 {
            failingWaits -= 1
            throw GPIOError(operation: "wait for edges (injected)")
        }
        if pending.isEmpty {
            // Everything injected so far has been drained and forwarded.
            handled = injected
            condition.broadcast()
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(timeoutNanoseconds) / 1e9))
        }
        return !pending.isEmpty
    }
}
