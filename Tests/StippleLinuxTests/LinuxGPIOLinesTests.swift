#if DEBUG
import CGPIOD
import Foundation
import StippleHardware
import StippleModel
import Testing
@testable import StippleLinux

/// `LinuxGPIOLines` against the libgpiod mocking driver: the exact C calls it makes, and what it
/// makes of their results.
@Suite("LinuxGPIOLines through mocked libgpiod")
struct LinuxGPIOLinesTests {
    /// linear-l2: pedal 5 (active-low), estop 6, motor_enable 13 (active-low), cartridge 19
    /// (active-low), status_led 26.
    static let openLinearL2 = [
        "gpiod_chip_open_by_name(\"gpiochip0\")",
        "gpiod_chip_get_line(gpiochip0, 13)",
        "gpiod_line_request(gpiochip0:13, \"stipple\", DIRECTION_OUTPUT, ACTIVE_LOW, 0)",
        "gpiod_chip_get_line(gpiochip0, 26)",
        "gpiod_line_request(gpiochip0:26, \"stipple\", DIRECTION_OUTPUT, 0, 0)",
        "gpiod_chip_get_line(gpiochip0, 5)",
        "gpiod_line_request(gpiochip0:5, \"stipple\", EVENT_BOTH_EDGES, ACTIVE_LOW, 0)",
        "gpiod_line_event_get_fd(gpiochip0:5)",
        "gpiod_chip_get_line(gpiochip0, 6)",
        "gpiod_line_request(gpiochip0:6, \"stipple\", EVENT_BOTH_EDGES, 0, 0)",
        "gpiod_line_event_get_fd(gpiochip0:6)",
        "gpiod_chip_get_line(gpiochip0, 19)",
        "gpiod_line_request(gpiochip0:19, \"stipple\", EVENT_BOTH_EDGES, ACTIVE_LOW, 0)",
        "gpiod_line_event_get_fd(gpiochip0:19)",
    ]

    @Test func openingAMachineRequestsOutputsInactiveFirstThenInputsForBothEdgesWithActiveLowFlags() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("linear-l2")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            #expect(driver.calls == Self.openLinearL2)
            #expect(lines.chipName == "gpiochip0")
            #expect(lines.offset(of: .pedal) == 5)
        }
        // The rendered names stand for libgpiod's numbers: DIRECTION_OUTPUT is 3,
        // EVENT_BOTH_EDGES 6, and the active-low flag is bit 2.
        #expect(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT == 3 && GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES == 6)
        #expect(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW == 4)
    }

    @Test func theRequestsCarryLibgpiodsNumbersAndLeaveOutputsInactive() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("linear-l2")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            #expect(driver.request(13)! == (3, 4))   // motor_enable: output, active-low
            #expect(driver.request(26)! == (3, 0))   // status_led: output
            #expect(driver.request(5)! == (6, 4))    // pedal: both edges, active-low
            #expect(driver.request(6)! == (6, 0))    // estop: both edges
            #expect(driver.line(13).consumer == "stipple")
            #expect(try lines.read(.motorEnable) == false)
            #expect(try lines.read(.statusLED) == false)
        }
    }

    @Test func releasingDrivesOutputsInactiveThenClosesTheChip() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            var lines: LinuxGPIOLines? = try LinuxGPIOLines(machine: machine)
            try lines!.write(.motorEnable, active: true)
            driver.clearTrace()
            lines = nil
            #expect(driver.calls == [
                "gpiod_line_set_value(gpiochip0:22, 0)",
                "gpiod_line_set_value(gpiochip0:24, 0)",
                "gpiod_chip_close(gpiochip0)",
            ])
            #expect(driver.openChipCount == 0)
            #expect(driver.request(22) == nil && driver.line(22).used == false)
        }
    }

    @Test func linesOpenedUnderMockingAreReleasedThroughTheirDriverEvenOutsideIt() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        var lines: LinuxGPIOLines? = try driver.withMocking { () throws(GPIOError) in try LinuxGPIOLines(machine: machine) }
        #expect(lines != nil && driver.openChipCount == 1)
        lines = nil   // would crash in the real gpiod_chip_close if it went to C
        #expect(driver.openChipCount == 0)
        #expect(driver.calls.last == "gpiod_chip_close(gpiochip0)")
    }

    @Test func aChipGivenByPathOpensThatDevice() throws {
        let driver = FakeGPIOWorld.driver()
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(chip: "/dev/gpiochip1", lines: [.statusLED: .offset(3, activeLow: false)])
            #expect(driver.calls == [
                "gpiod_chip_open(\"/dev/gpiochip1\")",
                "gpiod_chip_name(gpiochip1)",
                "gpiod_chip_get_line(gpiochip1, 3)",
                "gpiod_line_request(gpiochip1:3, \"stipple\", DIRECTION_OUTPUT, 0, 0)",
            ])
            #expect(lines.chipName == "gpiochip1")
        }
    }

    @Test func aChipGivenByLabelIsLookedUp() throws {
        let driver = FakeGPIOWorld.driver()
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(chip: "pinctrl-bcm2711", lines: [.pedal: .offset(17, activeLow: true)])
            #expect(Array(driver.calls.prefix(2)) == [
                "gpiod_chip_open_lookup(\"pinctrl-bcm2711\")",
                "gpiod_chip_name(gpiochip0)",
            ])
            #expect(lines.chipName == "gpiochip0")
        }
    }

    @Test func aLineGivenByNameIsFoundOnTheMachinesChip() throws {
        let driver = FakeGPIOWorld.driver()
        driver.setLine(17, .init(name: "PEDAL"))
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(chip: "gpiochip0", lines: [.pedal: .named("PEDAL", activeLow: true)])
            #expect(driver.calls == [
                "gpiod_chip_open_by_name(\"gpiochip0\")",
                "gpiod_chip_find_line(gpiochip0, \"PEDAL\")",
                "gpiod_line_offset(gpiochip0:17)",
                "gpiod_line_request(gpiochip0:17, \"stipple\", EVENT_BOTH_EDGES, ACTIVE_LOW, 0)",
                "gpiod_line_event_get_fd(gpiochip0:17)",
            ])
            #expect(lines.offset(of: .pedal) == 17)
        }
    }

    @Test func aWriteSetsTheRolesLineToTheLogicalLevel() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("linear-l2")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.clearTrace()
            try lines.write(.motorEnable, active: true)
            try lines.write(.statusLED, active: true)
            try lines.write(.motorEnable, active: false)
            #expect(driver.calls == [
                "gpiod_line_set_value(gpiochip0:13, 1)",
                "gpiod_line_set_value(gpiochip0:26, 1)",
                "gpiod_line_set_value(gpiochip0:13, 0)",
            ])
        }
    }

    @Test func aWriteToAnInputIsRefusedWithoutACall() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("linear-l2")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.clearTrace()
            let error = #expect(throws: GPIOError.self) { try lines.write(.estop, active: false) }
            #expect(error?.role == .estop)
            #expect(error?.errno == nil)
            #expect(driver.calls.isEmpty)
        }
    }

    @Test func aReadReturnsTheLinesLogicalValue() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            var cartridge = driver.line(23)
            cartridge.value = 1
            driver.setLine(23, cartridge)
            driver.clearTrace()
            #expect(try lines.read(.cartridgePresent) == true)
            #expect(try lines.read(.pedal) == false)
            #expect(driver.calls == ["gpiod_line_get_value(gpiochip0:23)", "gpiod_line_get_value(gpiochip0:17)"])
        }
    }

    @Test func aRoleLeftOutOfTheMapReadsAndWritesAsAbsent() throws {
        let driver = FakeGPIOWorld.driver()
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(chip: "gpiochip0", lines: [.pedal: .offset(17, activeLow: true)])
            driver.clearTrace()
            #expect(throws: GPIOError.self) { try lines.read(.estop) }
            #expect(throws: GPIOError.self) { try lines.write(.motorEnable, active: false) }
            #expect(driver.calls.isEmpty)
        }
    }

    // MARK: Edges

    @Test func drainedEventsBecomeEdgesWithRoleLogicalLevelAndKernelTimeOldestFirstAcrossLines() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")   // pedal 17, estop 27, cartridge 23
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.queueEdge(offset: 17, rising: true, atNanoseconds: 5_000_000_500)
            driver.queueEdge(offset: 17, rising: false, atNanoseconds: 5_000_000_900)
            driver.queueEdge(offset: 27, rising: true, atNanoseconds: 5_000_000_200)
            driver.clearTrace()
            var edges: [GPIOEdge] = []
            edges.reserveCapacity(64)
            try lines.drainEdges(into: &edges)
            #expect(edges == [
                GPIOEdge(role: .estop, active: true, at: MonotonicInstant(nanoseconds: 5_000_000_200)),
                GPIOEdge(role: .pedal, active: true, at: MonotonicInstant(nanoseconds: 5_000_000_500)),
                GPIOEdge(role: .pedal, active: false, at: MonotonicInstant(nanoseconds: 5_000_000_900)),
            ])
            // One non-blocking poll on the three event descriptors, then reads of the ready ones.
            #expect(driver.calls == [
                "poll([40, 41, 42], 0)",
                "gpiod_line_event_read_multiple(gpiochip0:17, 16)",
                "gpiod_line_event_read_multiple(gpiochip0:27, 16)",
            ])
        }
    }

    @Test func drainingWithNothingQueuedPollsOnceAndReadsNothing() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.clearTrace()
            var edges: [GPIOEdge] = [GPIOEdge(role: .pedal, active: true, at: MonotonicInstant(nanoseconds: 1))]
            try lines.drainEdges(into: &edges)
            #expect(edges.count == 1)
            #expect(driver.calls == ["poll([40, 41, 42], 0)"])
        }
    }

    @Test func drainingIntoAnArrayWithCapacityKeepsItsStorage() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            var edges: [GPIOEdge] = []
            edges.reserveCapacity(64)
            let storage = edges.withUnsafeBufferPointer { $0.baseAddress }
            for i in 0..<20 { driver.queueEdge(offset: 23, rising: i % 2 == 0, atNanoseconds: 1_000 + UInt64(i)) }
            try lines.drainEdges(into: &edges)
            #expect(edges.count == 20)
            #expect(edges.withUnsafeBufferPointer { $0.baseAddress } == storage)
        }
    }

    @Test func aFullBatchIsFollowedByAnotherPollSoNoEventWaitsForTheNextCycle() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            for i in 0..<20 { driver.queueEdge(offset: 17, rising: i % 2 == 0, atNanoseconds: 1_000 + UInt64(i)) }
            driver.clearTrace()
            var edges: [GPIOEdge] = []
            try lines.drainEdges(into: &edges)
            #expect(edges.map(\.at.nanoseconds) == (0..<20).map { 1_000 + UInt64($0) })
            #expect(edges.map(\.active) == (0..<20).map { $0 % 2 == 0 })
            #expect(driver.calls == [
                "poll([40, 41, 42], 0)",
                "gpiod_line_event_read_multiple(gpiochip0:17, 16)",
                "poll([40, 41, 42], 0)",
                "gpiod_line_event_read_multiple(gpiochip0:17, 16)",
            ])
            #expect(driver.queuedEventCount == 0)
        }
    }

    @Test func aFailedEventReadOnOneLineStillDeliversTheOtherLinesEdgesAndNamesTheRole() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.queueEdge(offset: 17, rising: true, atNanoseconds: 10)
            driver.queueEdge(offset: 27, rising: true, atNanoseconds: 20)
            driver.fail("gpiod_line_event_read_multiple", errno: ENODEV)   // the first read: pedal's
            var edges: [GPIOEdge] = []
            let error = #expect(throws: GPIOError.self) { try lines.drainEdges(into: &edges) }
            #expect(edges == [GPIOEdge(role: .estop, active: true, at: MonotonicInstant(nanoseconds: 20))])
            #expect(error?.role == .pedal)
            #expect(error?.errno == ENODEV)
            #expect(error?.advice?.contains("the GPIO chip is gone") == true)
        }
    }

    @Test func waitingPollsEveryInputWithTheTimeoutRoundedUpToMilliseconds() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.clearTrace()
            #expect(try lines.waitForEdges(timeoutNanoseconds: 10_000_000) == false)
            #expect(try lines.waitForEdges(timeoutNanoseconds: 1_500_000) == false)
            #expect(try lines.waitForEdges(timeoutNanoseconds: 0) == false)
            driver.queueEdge(offset: 27, rising: true, atNanoseconds: 99)
            #expect(try lines.waitForEdges(timeoutNanoseconds: 10_000_000) == true)
            #expect(driver.calls == [
                "poll([40, 41, 42], 10)", "poll([40, 41, 42], 2)", "poll([40, 41, 42], 0)", "poll([40, 41, 42], 10)",
            ])
            #expect(driver.queuedEventCount == 1)   // waiting does not consume the edge
        }
        #expect(LinuxGPIOLines.pollTimeout(nanoseconds: UInt64.max) == Int32.max)
        #expect(LinuxGPIOLines.pollTimeout(nanoseconds: 1) == 1)
    }

    @Test func anInterruptedWaitReturnsFalseAndAFailedOneThrows() throws {
        let driver = FakeGPIOWorld.driver()
        let machine = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: machine)
            driver.fail("poll", errno: EINTR)
            #expect(try lines.waitForEdges(timeoutNanoseconds: 1_000_000) == false)
            driver.fail("poll", errno: ENOMEM)
            let error = #expect(throws: GPIOError.self) { _ = try lines.waitForEdges(timeoutNanoseconds: 1_000_000) }
            #expect(error?.errno == ENOMEM)
        }
    }

    @Test func kernelTimestampsConvertToMonotonicNanoseconds() {
        #expect(LinuxGPIOLines.instant(timespec(tv_sec: 12, tv_nsec: 345_678_901)).nanoseconds == 12_345_678_901)
        #expect(LinuxGPIOLines.instant(timespec(tv_sec: -1, tv_nsec: 0)).nanoseconds == 0)
    }
}
#endif
