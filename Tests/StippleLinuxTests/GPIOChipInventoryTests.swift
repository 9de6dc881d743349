#if DEBUG
import Foundation
import StippleHardware
import Testing
@testable import StippleLinux

@Suite("GPIO chip inventory")
struct GPIOChipInventoryTests {
    @Test func listsEveryChipInNumericOrderWithEachLinesInformation() {
        let driver = GpiodMockingDriver(chips: [
            .init(name: "gpiochip10", label: "gpio-sim.0-node0", lineCount: 2),
            .init(name: "gpiochip2", label: "pinctrl-bcm2711", lineCount: 3),
        ])
        driver.setLine(chip: 1, 1, .init(name: "PEDAL", consumer: "stipple", isOutput: false, activeLow: true, used: true))
        driver.setLine(chip: 1, 2, .init(name: "ENABLE", consumer: nil, isOutput: true, used: true))
        let inventory = driver.withMocking { GPIOChipInventory.scan() }
        #expect(inventory.failures.isEmpty)
        #expect(inventory.chips.map(\.name) == ["gpiochip2", "gpiochip10"])
        let chip = inventory.chips[0]
        #expect(chip.label == "pinctrl-bcm2711")
        #expect(chip.device == "/dev/gpiochip2")
        #expect(chip.lineCount == 3)
        #expect(chip.lines[0] == GPIOLineInfo(offset: 0, name: nil, consumer: nil, direction: .input, activeLow: false, used: false))
        #expect(chip.lines[1] == GPIOLineInfo(offset: 1, name: "PEDAL", consumer: "stipple", direction: .input, activeLow: true, used: true))
        #expect(chip.lines[2] == GPIOLineInfo(offset: 2, name: "ENABLE", consumer: nil, direction: .output, activeLow: false, used: true))
        // Every chip opened is closed again.
        #expect(driver.openChipCount == 0)
        #expect(driver.calls.filter { $0.hasPrefix("gpiod_chip_open") }
            == ["gpiod_chip_open(\"/dev/gpiochip2\")", "gpiod_chip_open(\"/dev/gpiochip10\")"])
        #expect(driver.calls.filter { $0.hasPrefix("gpiod_chip_close") }
            == ["gpiod_chip_close(gpiochip2)", "gpiod_chip_close(gpiochip10)"])
    }

    @Test func aChipWithoutPermissionIsReportedByNameAndTheOthersStillListed() {
        let driver = GpiodMockingDriver(chips: [
            .init(name: "gpiochip0", label: "pinctrl-bcm2711", lineCount: 58, openErrno: EACCES),
            .init(name: "gpiochip1", label: "raspberrypi-exp-gpio", lineCount: 8),
        ])
        let inventory = driver.withMocking { GPIOChipInventory.scan() }
        #expect(inventory.chips.map(\.name) == ["gpiochip1"])
        #expect(inventory.failures.count == 1)
        #expect(inventory.failures.first?.device == "/dev/gpiochip0")
        #expect(inventory.failures.first?.error.errno == EACCES)
        #expect(inventory.failures.first?.error.advice
            == "no permission on /dev/gpiochip0: add the user to group stipple and install Hardware/udev/60-stipple.rules")
    }

    @Test func noChipDevicesIsAnEmptyInventory() {
        let driver = GpiodMockingDriver(chips: [])
        let inventory = driver.withMocking { GPIOChipInventory.scan() }
        #expect(inventory.isEmpty)
        #expect(driver.calls == ["scandir(\"/dev\", gpiochip*)"])
    }

    @Test func anUnreadableDeviceDirectoryIsAFailureNotAnEmptyList() {
        let driver = GpiodMockingDriver(chips: [])
        driver.fail("scandir", errno: EACCES)
        let inventory = driver.withMocking { GPIOChipInventory.scan() }
        #expect(!inventory.isEmpty)
        #expect(inventory.failures.first?.error.errno == EACCES)
    }

    /// The real scan agrees with the directory listing, chips or none (none on the build machine).
    @Test func theRealScanAccountsForEveryChipDevice() throws {
        let devices = try FileManager.default.contentsOfDirectory(atPath: "/dev").filter { $0.hasPrefix("gpiochip") }
        let inventory = GPIOChipInventory.scan()
        #expect(inventory.chips.count + inventory.failures.count == devices.count)
    }
}
#endif
