#if DEBUG
import Foundation
import StippleHardware
import StippleModel
import Testing
@testable import StippleLinux

/// Each errno libgpiod can give while opening a machine's lines becomes a `GPIOError` with the
/// errno, the role, and text that says what to do.
@Suite("GPIO errors say what to do")
struct GPIOErrorTextTests {
    static let permission =
        "no permission on /dev/gpiochip0: add the user to group stipple and install Hardware/udev/60-stipple.rules"

    /// Opens rotary-r1 (pedal 17, estop 27, motor_enable 22, cartridge 23, LED 24) in `driver`'s
    /// world and returns the error, checking that nothing stays open or requested after it.
    func openingError(_ driver: GpiodMockingDriver, machine: String = "rotary-r1",
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> GPIOError? {
        let spec = try FakeGPIOWorld.machine(machine)
        let error = driver.withMocking {
            #expect(throws: GPIOError.self, sourceLocation: sourceLocation) { _ = try LinuxGPIOLines(machine: spec) }
        }
        #expect(driver.openChipCount == 0, "a chip stayed open", sourceLocation: sourceLocation)
        #expect(driver.chips.allSatisfy { $0.lines.allSatisfy { $0.consumer != "stipple" } }, "a line stayed requested",
                sourceLocation: sourceLocation)
        return error
    }

    @Test(arguments: [EACCES, EPERM])
    func noPermissionOnTheChipPointsAtTheGroupAndTheUdevRules(code: Int32) throws {
        let driver = FakeGPIOWorld.driver()
        driver.chips[0].openErrno = code
        let error = try #require(try openingError(driver))
        #expect(error.errno == code)
        #expect(error.role == nil)
        #expect(error.advice == Self.permission)
        #expect(error.description == "GPIO open chip gpiochip0 failed (errno \(code)): \(Self.permission)")
        #expect(driver.calls == ["gpiod_chip_open_by_name(\"gpiochip0\")"])
    }

    @Test func aChipThatDoesNotExistIsNamed() throws {
        let driver = GpiodMockingDriver(chips: [])
        let error = try #require(try openingError(driver))
        #expect(error.errno == ENOENT)
        #expect(error.advice?.hasPrefix("no such chip: gpiochip0") == true)
        #expect(error.advice?.contains("stipple devices") == true)
    }

    @Test func aLineHeldByAnotherConsumerNamesItAndTheRole() throws {
        let driver = FakeGPIOWorld.driver()
        driver.setLine(27, .init(consumer: "gpio-keys", used: true))
        let error = try #require(try openingError(driver))
        #expect(error.errno == EBUSY)
        #expect(error.role == .estop)
        #expect(error.advice == "line 27 is used by \"gpio-keys\"; stop the other program")
        #expect(error.description
            == "GPIO request line 27 of gpiochip0 failed on line estop (errno \(EBUSY)): line 27 is used by \"gpio-keys\"; stop the other program")
        // Asked who holds it, then let go of everything: the chip, and with it the lines
        // requested before (motor_enable, status_led, pedal).
        #expect(Array(driver.calls.suffix(3)) == [
            "gpiod_line_request(gpiochip0:27, \"stipple\", EVENT_BOTH_EDGES, 0, 0)",
            "gpiod_line_consumer(gpiochip0:27)",
            "gpiod_chip_close(gpiochip0)",
        ])
        #expect(driver.request(22) == nil)
    }

    @Test func aBusyLineWithoutAConsumerNameStillSaysWhatToDo() throws {
        let driver = FakeGPIOWorld.driver()
        driver.fail("gpiod_line_request", errno: EBUSY)
        let error = try #require(try openingError(driver))
        #expect(error.role == .motorEnable)
        #expect(error.advice == "line 22 is used by another program or a kernel driver; stop the other program")
    }

    @Test func anOffsetBeyondTheChipGivesTheChipsRange() throws {
        let driver = FakeGPIOWorld.driver()
        driver.chips[0].lines = Array(driver.chips[0].lines.prefix(25))   // 0-24: only estop's 27 is beyond
        let error = try #require(try openingError(driver))
        #expect(error.errno == EINVAL)
        #expect(error.role == .estop)
        #expect(error.advice == "gpiochip0 has no line 27 (it has 25 lines, 0-24); check the machine file's offsets")
    }

    @Test func aLineNameNotOnTheChipIsNamed() throws {
        let driver = FakeGPIOWorld.driver()
        let error = driver.withMocking {
            #expect(throws: GPIOError.self) {
                _ = try LinuxGPIOLines(chip: "gpiochip0", lines: [.pedal: .named("PEDAL", activeLow: true)])
            }
        }
        #expect(error?.errno == ENOENT)
        #expect(error?.role == .pedal)
        #expect(error?.advice == "no line named \"PEDAL\" on gpiochip0; `stipple devices` lists the line names")
        #expect(driver.openChipCount == 0)
    }

    @Test func aMissingEventDescriptorFailsTheOpening() throws {
        let driver = FakeGPIOWorld.driver()
        driver.fail("gpiod_line_event_get_fd", errno: EBADF)
        let error = try #require(try openingError(driver))
        #expect(error.role == .pedal)
        #expect(error.errno == EBADF)
    }

    @Test func aFailedReadOrWriteCarriesTheRoleTheErrnoAndTheLine() throws {
        let driver = FakeGPIOWorld.driver()
        let spec = try FakeGPIOWorld.machine("rotary-r1")
        try driver.withMocking { () throws(GPIOError) in
            let lines = try LinuxGPIOLines(machine: spec)
            driver.fail("gpiod_line_set_value", errno: ENODEV)
            let write = #expect(throws: GPIOError.self) { try lines.write(.motorEnable, active: true) }
            #expect(write?.role == .motorEnable)
            #expect(write?.errno == ENODEV)
            #expect(write?.description == "GPIO write line 22 of gpiochip0 failed on line motor_enable (errno \(ENODEV)): "
                + "the GPIO chip is gone (unplugged or its driver unloaded); restart once it is back")
            driver.fail("gpiod_line_get_value", errno: EIO)
            let read = #expect(throws: GPIOError.self) { _ = try lines.read(.estop) }
            #expect(read?.role == .estop)
            #expect(read?.errno == EIO)
            #expect(read?.advice == String(cString: strerror(EIO)))
        }
    }

    /// The real libgpiod, here where there is no GPIO chip: the same errno, the same text.
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/dev/gpiochip0"), "this machine has a gpiochip0"))
    func theRealLibraryReportsAMissingChipTheSameWay() {
        let error = #expect(throws: GPIOError.self) {
            _ = try LinuxGPIOLines(chip: "gpiochip0", lines: [.pedal: .offset(17, activeLow: true)])
        }
        #expect(error?.errno == ENOENT)
        #expect(error?.advice?.hasPrefix("no such chip: gpiochip0") == true)
    }
}
#endif
