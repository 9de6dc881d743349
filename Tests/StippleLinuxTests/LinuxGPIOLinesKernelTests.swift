import Foundation
import StippleHardware
import StippleModel
import Testing
import StippleLinux

/// `LinuxGPIOLines` on a real kernel: a gpio-sim chip laid out like a machine's wiring, as the
/// HIL rig's guest/gpio-setup.sh makes it. Enabled only where the rig says where the chip is:
///   STIPPLE_RIG_GPIO_SYSFS   /sys/devices/platform/gpio-sim.N/gpiochipM (its sim_gpioK/pull, value)
///   STIPPLE_RIG_MACHINE      the machine file the chip was made from (rotary-r1, linear-l2)
/// with the inputs at rest (pedal released, e-stop released, cartridge in) and nothing holding
/// the lines. Everywhere else these tests are skipped; the mocked-libgpiod tests cover the calls.
@Suite("LinuxGPIOLines on gpio-sim", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["STIPPLE_RIG_GPIO_SYSFS"] != nil, "not in the HIL rig"))
struct LinuxGPIOLinesKernelTests {
    let sysfs = ProcessInfo.processInfo.environment["STIPPLE_RIG_GPIO_SYSFS"] ?? ""
    let machine: MachineSpec

    init() throws {
        let name = ProcessInfo.processInfo.environment["STIPPLE_RIG_MACHINE"] ?? "rotary-r1"
        machine = try HardwareCatalog(layers: [.embedded]).machine(named: name).spec
    }

    func line(_ role: GPIOLineRole) -> GPIOLine { machine.gpio[role]! }

    /// Puts an input at its logical level from outside, through gpio-sim's pull.
    func drive(_ role: GPIOLineRole, active: Bool) throws {
        let high = active != line(role).activeLow
        try (high ? "pull-up" : "pull-down").write(toFile: "\(sysfs)/sim_gpio\(line(role).offset)/pull",
                                                   atomically: false, encoding: .utf8)
    }

    /// The electrical level on a line, as gpio-sim sees it.
    func level(_ role: GPIOLineRole) throws -> Int {
        Int(try String(contentsOfFile: "\(sysfs)/sim_gpio\(line(role).offset)/value", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func outputsStartInactiveAndWritesDriveTheLogicalLevelThroughActiveLow() throws {
        let lines = try LinuxGPIOLines(machine: machine)
        for role in [GPIOLineRole.motorEnable, .statusLED] {
            let inactiveLevel = line(role).activeLow ? 1 : 0
            #expect(try level(role) == inactiveLevel, "\(role) did not start inactive")
            #expect(try lines.read(role) == false)
            try lines.write(role, active: true)
            #expect(try level(role) == 1 - inactiveLevel)
            #expect(try lines.read(role) == true)
            try lines.write(role, active: false)
            #expect(try level(role) == inactiveLevel)
        }
    }

    @Test func inputsReadInLogicalLevels() throws {
        let lines = try LinuxGPIOLines(machine: machine)
        #expect(try lines.read(.pedal) == false)
        #expect(try lines.read(.estop) == false)
        #expect(try lines.read(.cartridgePresent) == true)
        try drive(.pedal, active: true)
        #expect(try lines.read(.pedal) == true)
        try drive(.pedal, active: false)
        #expect(try lines.read(.pedal) == false)
    }

    @Test func edgesArriveWithTheLogicalLevelAndAKernelTimeOnCLOCKMONOTONIC() throws {
        let lines = try LinuxGPIOLines(machine: machine)
        let clock = SystemMonotonicClock()
        var edges: [GPIOEdge] = []
        edges.reserveCapacity(16)
        try lines.drainEdges(into: &edges)
        #expect(edges.isEmpty)
        #expect(try lines.waitForEdges(timeoutNanoseconds: 20_000_000) == false)

        let before = clock.now()
        try drive(.estop, active: true)
        #expect(try lines.waitForEdges(timeoutNanoseconds: 2_000_000_000) == true)
        let after = clock.now()
        try lines.drainEdges(into: &edges)
        try #require(edges.count == 1, "edges: \(edges)")
        #expect(edges[0].role == .estop && edges[0].active == true)
        #expect(edges[0].at >= before && edges[0].at <= after, "\(edges[0].at) not in \(before)...\(after)")

        // The pedal is active-low: pressing pulls it down, and the edge still reads "active".
        try drive(.pedal, active: true)
        #expect(try lines.waitForEdges(timeoutNanoseconds: 2_000_000_000) == true)
        try drive(.estop, active: false)
        let deadline = clock.now().nanoseconds + 2_000_000_000
        while edges.count < 3 && clock.now().nanoseconds < deadline {
            _ = try lines.waitForEdges(timeoutNanoseconds: 100_000_000)
            try lines.drainEdges(into: &edges)
        }
        #expect(edges.dropFirst().map { "\($0.role) \($0.active)" } == ["pedal true", "estop false"])
        #expect(edges.map(\.at) == edges.map(\.at).sorted())
        try drive(.pedal, active: false)
    }

    /// As `EdgeWatcher` uses it: one thread blocked in waitForEdges and draining, while another
    /// reads and writes.
    @Test func aWatcherThreadSeesTheEdgeWhileAnotherThreadWrites() throws {
        let lines = try LinuxGPIOLines(machine: machine)
        final class Box: @unchecked Sendable {
            var edges: [GPIOEdge] = []
            var error: GPIOError?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let watcher = Thread {
            do {
                var waited = 0
                while box.edges.isEmpty && waited < 40 {
                    if try lines.waitForEdges(timeoutNanoseconds: 50_000_000) { try lines.drainEdges(into: &box.edges) }
                    waited += 1
                }
            } catch {
                box.error = error as? GPIOError
            }
            done.signal()
        }
        watcher.start()
        for i in 0..<50 { try lines.write(.statusLED, active: i % 2 == 0) }
        try drive(.estop, active: true)
        for i in 0..<50 { try lines.write(.statusLED, active: i % 2 == 1); _ = try lines.read(.cartridgePresent) }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(box.error == nil)
        #expect(box.edges.map { "\($0.role) \($0.active)" } == ["estop true"])
        try drive(.estop, active: false)
    }

    @Test func aSecondOpenIsRefusedNamingStippleAsTheHolder() throws {
        try {
            let first = try LinuxGPIOLines(machine: machine)
            let error = #expect(throws: GPIOError.self) { _ = try LinuxGPIOLines(machine: machine) }
            let enable = line(.motorEnable).offset
            #expect(error?.errno == EBUSY)
            #expect(error?.role == .motorEnable)
            #expect(error?.advice == "line \(enable) is used by \"stipple\"; stop the other program")
            withExtendedLifetime(first) {}
        }()
        // Released on deinit (the closure's end): it opens again.
        _ = try LinuxGPIOLines(machine: machine)
    }

    @Test func theInventoryShowsTheChipTheRoleNamesAndStippleHoldingItsLines() throws {
        let lines = try LinuxGPIOLines(machine: machine)
        let inventory = GPIOChipInventory.scan()
        let chip = try #require(inventory.chips.first { $0.name == lines.chipName })
        // Optional roles (a test jig's enable-sense line) are checked only where the file has them.
        for role in GPIOLineRole.allCases where machine.gpio[role] != nil {
            let info = chip.lines[line(role).offset]
            #expect(info.name == role.rawValue)
            #expect(info.used && info.consumer == "stipple")
            #expect(info.direction == (role.isInput ? .input : .output))
            #expect(info.activeLow == line(role).activeLow)
        }
    }
}
