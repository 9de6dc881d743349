import StippleHardware
import StippleModel
import Synchronization

/// The machine's GPIO lines in memory, behind the same `GPIOLines` seam as libgpiod: tests and
/// scripts press the pedal, hit the e-stop or pull the cartridge with `setInput`; the host drives
/// motor_enable and status_led through `write`, and a `SimulatedMachine` reads both, so the
/// enable output stops the simulated motor independently of USB, as on the real wiring.
///
/// Thread-safe: the e-stop watcher thread blocks in `waitForEdges` while the control thread
/// reads, writes and drains. Levels are logical (active-low already applied).
public final class SimulatedGPIOChip: GPIOLines, Sendable {
    private struct Lines {
        var levels: [GPIOLineRole: Bool]
        var pending: [GPIOEdge]
        var writes: [(role: GPIOLineRole, active: Bool, at: MonotonicInstant)]
        var writeCount = 0
        /// Told of every output edge once the lock is released (see `observeOutputEdges`).
        var observer: (@Sendable (GPIOLineRole, Bool, MonotonicInstant) -> Void)?
    }

    public let machine: MachineSpec
    private let clock: any MonotonicClock
    private let lines: Mutex<Lines>
    private let signal = EdgeSignal()
    /// The levels as bits (wired in bit `wiredShift + ordinal`, level in bit `ordinal`), published
    /// on every change: the simulated firmware reads them every 100 µs step without taking the lock.
    /// 32 bits because direct drive brought the roles to 12: in 16 bits the levels of roles 8-11
    /// landed on the wired bits of roles 0-3.
    private let snapshot = Atomic<UInt32>(0)
    static let wiredShift = 16
    /// With a `jig_enable_sense` line in the pin map: whether the self-test jig's wire from
    /// motor_enable back to it is in place (false simulates a broken jig or a dead driver output).
    public let jigWired: Bool

    /// Roles not in the machine's pin map do not exist on this chip. Initial levels: pedal up,
    /// e-stop not pressed, cartridge present, every output inactive (the safe default).
    public init(machine: MachineSpec, clock: any MonotonicClock, jigWired: Bool = true) {
        self.machine = machine
        self.clock = clock
        self.jigWired = jigWired
        var levels: [GPIOLineRole: Bool] = [:]
        for role in GPIOLineRole.allCases where machine.gpio[role] != nil {
            levels[role] = role == .cartridgePresent
        }
        var pending: [GPIOEdge] = []
        pending.reserveCapacity(256)
        var writes: [(role: GPIOLineRole, active: Bool, at: MonotonicInstant)] = []
        writes.reserveCapacity(1024)
        lines = Mutex(Lines(levels: levels, pending: pending, writes: writes))
        snapshot.store(Self.bits(levels), ordering: .releasing)
    }

    private static func bits(_ levels: [GPIOLineRole: Bool]) -> UInt32 {
        var b: UInt32 = 0
        for (role, level) in levels {
            b |= 1 << (wiredShift + role.ordinal)
            if level { b |= 1 << role.ordinal }
        }
        return b
    }

    // MARK: The seam, as the host sees it

    public func read(_ role: GPIOLineRole) throws(GPIOError) -> Bool {
        guard let level = lines.withLock({ $0.levels[role] }) else {
            throw GPIOError(operation: "read (no such line on \(machine.gpio.chip))", role: role)
        }
        return level
    }

    /// Drives an output. Inputs belong to the outside world and are refused, as the kernel
    /// refuses a write to a line requested as input.
    public func write(_ role: GPIOLineRole, active: Bool) throws(GPIOError) {
        guard role.isInput == false else {
            throw GPIOError(operation: "write (line is an input)", role: role)
        }
        let at = clock.now()
        var mirrored = false
        var observer: (@Sendable (GPIOLineRole, Bool, MonotonicInstant) -> Void)?
        let known = lines.withLock { l -> Bool in
            guard let old = l.levels[role] else { return false }
            l.writeCount += 1
            if old != active {
                observer = l.observer
                l.levels[role] = active
                l.writes.append((role, active, at))
                // The jig's wire: the enable output reaches the sense input in the same instant.
                if role == .motorEnable, jigWired, let sensed = l.levels[.jigEnableSense], sensed != active {
                    l.levels[.jigEnableSense] = active
                    l.pending.append(GPIOEdge(role: .jigEnableSense, active: active, at: at))
                    mirrored = true
                }
                snapshot.store(Self.bits(l.levels), ordering: .releasing)
            }
            return true
        }
        guard known else { throw GPIOError(operation: "write (no such line on \(machine.gpio.chip))", role: role) }
        if mirrored { signal.broadcast() }
        // Outside the lock, so the observer may set inputs (a home switch the step just reached).
        observer?(role, active, at)
    }

    /// Appends pending edges to `edges`, oldest first; allocates nothing when `edges` has room.
    public func drainEdges(into edges: inout [GPIOEdge]) throws(GPIOError) {
        lines.withLock { l in
            guard !l.pending.isEmpty else { return }
            edges.append(contentsOf: l.pending)
            l.pending.removeAll(keepingCapacity: true)
        }
    }

    /// Blocks until an edge is pending or the timeout passes (on the real CLOCK_MONOTONIC, even
    /// when the chip stamps edges with a virtual clock: a blocked thread waits in real time).
    public func waitForEdges(timeoutNanoseconds: UInt64) throws(GPIOError) -> Bool {
        signal.wait(timeoutNanoseconds: timeoutNanoseconds) { lines.withLock { !$0.pending.isEmpty } }
    }

    // MARK: The outside world

    /// Sets an input's logical level (pedal pressed, e-stop hit, cartridge in), recording an edge
    /// stamped with the chip's clock if the level changed, and waking any `waitForEdges`.
    public func setInput(_ role: GPIOLineRole, active: Bool) throws(GPIOError) {
        guard role.isInput else { throw GPIOError(operation: "set input (line is an output)", role: role) }
        let at = clock.now()
        let outcome = lines.withLock { l -> Bool? in
            guard let old = l.levels[role] else { return nil }
            guard old != active else { return false }
            l.levels[role] = active
            l.pending.append(GPIOEdge(role: role, active: active, at: at))
            snapshot.store(Self.bits(l.levels), ordering: .releasing)
            return true
        }
        switch outcome {
        case nil: throw GPIOError(operation: "set input (no such line on \(machine.gpio.chip))", role: role)
        case true?: signal.broadcast()
        case false?: break
        }
    }

    /// An output's current level, as the motor driver or the LED sees it (false if absent).
    public func output(_ role: GPIOLineRole) -> Bool {
        lines.withLock { $0.levels[role] } ?? false
    }

    /// Every write that changed an output's level, oldest first (repeated writes of the same
    /// level, such as a status LED refreshed each control cycle, are counted in `writeCount` only).
    public var outputWrites: [(role: GPIOLineRole, active: Bool, at: MonotonicInstant)] {
        lines.withLock { $0.writes }
    }

    /// Every accepted `write`, changing the level or not.
    public var writeCount: Int { lines.withLock { $0.writeCount } }

    /// Edges recorded and not yet drained.
    public var pendingEdgeCount: Int { lines.withLock { $0.pending.count } }

    /// A line's level for the simulated machine's firmware: nil if the machine has no such line.
    func level(_ role: GPIOLineRole) -> Bool? {
        let b = snapshot.load(ordering: .acquiring)
        guard b & (1 << (Self.wiredShift + role.ordinal)) != 0 else { return nil }
        return b & (1 << role.ordinal) != 0
    }

    /// Calls `observer` with every output edge (a write that changed the level), in the writing
    /// thread, stamped like `outputWrites`, after the chip's lock is released. A simulated
    /// direct-drive machine sees its stroke and step pulses this way: a step pulse rises and falls
    /// within one control cycle, so sampling the levels would miss it. One observer; a later call
    /// replaces it.
    func observeOutputEdges(_ observer: @escaping @Sendable (GPIOLineRole, Bool, MonotonicInstant) -> Void) {
        lines.withLock { $0.observer = observer }
    }
}
