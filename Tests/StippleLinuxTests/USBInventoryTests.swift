#if DEBUG
import StippleModel
import Testing
@testable import StippleLinux

/// `stipple devices`' USB listing: which connected devices are machines, and what stops
/// Stipple from reading them.
@Suite("USB inventory")
struct USBInventoryTests {
    static func machines() throws -> [MachineSpec] {
        let catalog = HardwareCatalog(layers: [.embedded])
        return try catalog.machines().map { try $0.result.get() }
    }

    @Test func machinesAreListedByModelWithSerialAndBusPositionAndOthersAreLeftOut() throws {
        var l2 = LibUSBMockingDriver.Device.board(productID: 0x5702, serialNumber: "L2-0042", bus: 1, address: 9)
        l2.openError = LibUSBCode.access
        let driver = LibUSBMockingDriver(devices: [
            l2,
            .board(productID: 0x5701, serialNumber: "R1-0007", bus: 1, address: 4),
            .board(vendorID: 0x046D, productID: 0xC52B, serialNumber: "mouse", bus: 1, address: 2),
        ])
        let inventory = try USBInventory.scan(machines: try Self.machines(), usb: LibUSBCalls(driver: driver))
        #expect(inventory.devices.count == 2)
        let r1 = inventory.devices[0]
        #expect(r1.machines == ["rotary-r1"] && r1.models == ["Stipple R1 rotary pen, stepper depth stage"])
        #expect(r1.serialNumber == "R1-0007" && r1.bus == 1 && r1.address == 4 && r1.id == "1209:5701" && r1.problem == nil)
        let l = inventory.devices[1]
        #expect(l.machines == ["linear-l2"] && l.serialNumber == nil)
        #expect(l.problem == "no permission to open it (LIBUSB_ERROR_ACCESS): install Hardware/udev/60-stipple.rules and add the user to group stipple")
        #expect(!driver.callNames.contains("libusb_claim_interface"), "listing claims nothing")
        #expect(driver.openHandles == 0 && driver.openContexts == 0 && driver.violations.isEmpty)
    }

    @Test func anEmptyBusIsAnEmptyInventory() throws {
        let inventory = try USBInventory.scan(machines: try Self.machines(), usb: LibUSBCalls(driver: LibUSBMockingDriver()))
        #expect(inventory.devices.isEmpty)
    }

    @Test func aBusThatCannotBeListedIsAnErrorWithTheLibusbName() throws {
        let driver = LibUSBMockingDriver()
        driver.fail("libusb_get_device_list", with: LibUSBCode.io)
        let error = try #require(throws: USBLinkError.self) {
            _ = try USBInventory.scan(machines: try Self.machines(), usb: LibUSBCalls(driver: driver))
        }
        #expect(error.description.hasPrefix("USB listing devices failed: LIBUSB_ERROR_IO."))
        #expect(driver.openContexts == 0)
    }
}
#endif
