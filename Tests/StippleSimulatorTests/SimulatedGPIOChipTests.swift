import Foundation
import Testing
import StippleHardware
import StippleModel
@testable import StippleSimulator
import Synchronization

@Suite("Simulated GPIO chip")
struct SimulatedGPIOChipTests {
    static func spec(_ name: String = "rotary-r1") throws -> MachineSpec {
        try HardwareCatalog(layers: [.embedded]).machine(named: name).spec
    }

    @Test func startsWithPedalUpEstopReleasedCartridgeInAndOutputsOff() throws {
        let chip = SimulatedGPIOChip(machine: try Self.spec(), clock: VirtualClock())
        #expect(try chip.read(.pedal) == false)
        #expect(try chip.read(.estop) == false)
        #expect(try chip.read(.cartridgePresent) == true)
        #expect(try chip.read(.motorEnable) == false)
        #expect(try chip.read(.statusLED) == false)
        #expect(chip.pendingEdgeCount == 0)
    }

    @Test func anInputChangeRecordsOneEdgeStampedWithTheClock() throws {
        let clock = VirtualClock(start: MonotonicInstant(nanoseconds: 1_000))
        let chip = SimulatedGPIOChip(machine: try Self.spec(), clock: clock)
        try chip.setInput(.pedal, active: true)
        clock.advance(byNanoseconds: 2_500_000)
        try chip.setInput(.pedal, active: true)  // no change: no edge
        try chip.setInput(.estop, active: true)
        clock.advance(byNanoseconds: 500)
        try chip.setInput(.pedal, active: false)
        var edges: [GPIOEdge] = []
        try chip.drainEdges(into: &edges)
        #expect(edges == [
            GPIOEdge(role: .pedal, active: true, at: MonotonicInstant(nanoseconds: 1_000)),
            GPIOEdge(role: .estop, active: true, at: MonotonicInstant(nanoseconds: 2_501_000)),
            GPIOEdge(role: .pedal, active: false, at: MonotonicInstant(nanoseconds: 2_501_500)),
        ])
        #expect(try chip.read(.estop) == true)
        // Drained edges are gone.
        edges.removeAll()
        try chip.drainEdges(into: &edges)
        #expect(edges.isEmpty)
    }

    @Test func drainingAppendsInPlaceWhenTheArrayHasRoom() throws {
        let chip = SimulatedGPIOChip(machine: try Self.spec(), clock: VirtualClock())
        var edges: [GPIOEdge] = []
        edges.reserveCapacity(64)
        let capacity = edges.capacity
        let storage = edges.withUnsafeBufferPointer { $0.baseAddress }
        for i in 0..<40 { try chip.setInput(.pedal, active: i % 2 == 0) }
        try chip.drainEdges(into: &edges)
        #expect(edges.count == 40)
        #expect(edges.capacity == capacity)
        #expect(edges.withUnsafeBufferPointer { $0.baseAddress } == storage, "no reallocation")
        #expect(edges.map(\.active) == (0..<40).map { $0 % 2 == 0 })
    }

    @Test func outputsAreWrittenAndLoggedInputsAreNot() throws {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(machine: try Self.spec(), clock: clock)
        try chip.write(.motorEnable, active: true)
        clock.advance(byNanoseconds: 1_000_000)
        try chip.write(.motorEnable, active: true)  // same level: counted, not logged
        try chip.write(.statusLED, active: true)
        try chip.write(.motorEnable, active: false)
        #expect(chip.output(.motorEnable) == false)
        #expect(chip.output(.statusLED) == true)
        #expect(try chip.read(.statusLED) == true)
        let log = chip.outputWrites.map { "\($0.role) \($0.active) \($0.at.nanoseconds)" }
        #expect(log == ["motor_enable true 0", "status_led true 1000000", "motor_enable false 1000000"])
        #expect(chip.writeCount == 4)
        // Writing an input is refused, as the kernel refuses a write to an input line.
        #expect(throws: GPIOError.self) { try chip.write(.estop, active: false) }
        #expect(throws: GPIOError.self) { try chip.setInput(.motorEnable, active: true) }
        #expect(chip.pendingEdgeCount == 0, "outputs make no input edges")
    }

    @Test func aRoleTheMachineDoesNotWireIsAnError() throws {
        var spec = try Self.spec()
        spec.gpio.lines[.statusLED] = nil
        spec.gpio.lines[.pedal] = nil
        let chip = SimulatedGPIOChip(machine: spec, clock: VirtualClock())
        #expect(throws: GPIOError.self) { try chip.read(.statusLED) }
        #expect(throws: GPIOError.self) { try chip.write(.statusLED, active: true) }
        #expect(throws: GPIOError.self) { try chip.setInput(.pedal, active: true) }
        #expect(try chip.read(.estop) == false)
    }

    @Test func everyRoleOfADirectDriveMachineKeepsItsOwnLevelInTheLockFreeSnapshot() throws {
        let chip = SimulatedGPIOChip(machine: try Self.spec("direct-d1"), clock: VirtualClock())
        let outputs = GPIOLineRole.allCases.filter { !$0.isInput }
        let inputs = GPIOLineRole.allCases.filter { $0.isInput && $0 != .jigEnableSense }
        #expect(chip.level(.jigEnableSense) == nil, "direct-d1 has no jig line")
        // Raise one line at a time: only that line may read active, every other keeps its level.
        for role in outputs + inputs {
            let before = Dictionary(uniqueKeysWithValues: GPIOLineRole.allCases.map { ($0, chip.level($0)) })
            let target = !(before[role]!!)
            if role.isInput { try chip.setInput(role, active: target) } else { try chip.write(role, active: target) }
            #expect(chip.level(role) == target, "\(role)")
            #expect(try chip.read(role) == target, "\(role)")
            for other in GPIOLineRole.allCases where other != role {
                #expect(chip.level(other) == before[other]!, "\(other) changed when \(role) was set")
            }
        }
        // Roles 8-11 (depth_dir, depth_enable, depth_home, charge_pump) are all set now; the
        // roles 0-3 whose wired bits they once overlapped still read their own levels.
        #expect(chip.level(.depthDirection) == true && chip.level(.chargePump) == true)
        #expect(chip.level(.cartridgePresent) == false && chip.level(.pedal) == true)
        #expect(GPIOLineRole.allCases.map(\.ordinal).max()! < SimulatedGPIOChip.wiredShift,
                "a new role needs a wider snapshot")
    }

    @Test func outputEdgesReachTheObserverStampedAndSameLevelWritesDoNot() throws {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(machine: try Self.spec("direct-d1"), clock: clock)
        let seen = Mutex<[String]>([])
        chip.observeOutputEdges { role, active, at in seen.withLock { $0.append("\(role) \(active) \(at.nanoseconds)") } }
        try chip.write(.depthStep, active: true)
        clock.advance(byNanoseconds: 10)
        try chip.write(.depthStep, active: true)
        try chip.write(.depthStep, active: false)
        try chip.setInput(.depthHome, active: true)
        #expect(seen.withLock { $0 } == ["depth_step true 0", "depth_step false 10"])
    }

    @Test(.timeLimit(.minutes(1)))
    func waitingTimesOutWithNoEdgeAndReturnsAtOnceWithOne() throws {
        let chip = SimulatedGPIOChip(machine: try Self.spec(), clock: VirtualClock())
        let clock = SystemMonotonicClock()
        let t0 = clock.now().nanoseconds
        #expect(try chip.waitForEdges(timeoutNanoseconds: 20_000_000) == false)
        let waited = clock.now().nanoseconds - t0
        #expect(waited >= 20_000_000 && waited < 500_000_000, "waited \(waited) ns for a 20 ms timeout")
        try chip.setInput(.estop, active: true)
        let t1 = clock.now().nanoseconds
        #expect(try chip.waitForEdges(timeoutNanoseconds: 5_000_000_000) == true)
        #expect(clock.now().nanoseconds - t1 < 50_000_000)
    }

    final class Handoff: Sendable {
        let woke = Mutex<(result: Bool, at: UInt64)?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWaitingWatcherThreadWakesWhenAnotherThreadSetsTheInput() throws {
        let chip = SimulatedGPIOChip(machine: try Self.spec(), clock: VirtualClock())
        let handoff = Handoff()
        let clock = SystemMonotonicClock()
        let watcher = Thread {
            let r = (try? chip.waitForEdges(timeoutNanoseconds: 10_000_000_000)) ?? false
            handoff.woke.withLock { $0 = (r, clock.now().nanoseconds) }
            handoff.done.signal()
        }
        watcher.start()
        // Let the watcher block first (a wait that starts after the edge returns at once anyway).
        usleep(50_000)
        let pressed = clock.now().nanoseconds
        try chip.setInput(.estop, active: true)
        #expect(handoff.done.wait(timeout: .now() + 5) == .success)
        let woke = try #require(handoff.woke.withLock { $0 })
        #expect(woke.result == true)
        let latency = woke.at - pressed
        #expect(latency < 20_000_000, "woke \(latency) ns after the edge")
        print("waitForEdges woke \(latency / 1000) µs after setInput")
        var edges: [GPIOEdge] = []
        try chip.drainEdges(into: &edges)
        #expect(edges.map(\.role) == [.estop])
    }
}
