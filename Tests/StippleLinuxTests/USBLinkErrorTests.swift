#if DEBUG
import StippleHardware
import StippleModel
import Testing
@testable import StippleLinux

/// What a technician reads when a machine cannot be opened: the libusb error's name and what to
/// do, for each way opening fails, and nothing left open behind the failure.
@Suite("USB errors")
struct USBLinkErrorTests {
    @Test func everyLibusbErrorCodeHasTheNameLibusbItselfGivesIt() {
        // 0 is skipped: libusb names it "LIBUSB_SUCCESS / LIBUSB_TRANSFER_COMPLETED".
        for (code, name) in LibUSBCode.errorNames where code != 0 {
            #expect(LibUSBCalls.system.errorName(code) == name, "code \(code)")
        }
        #expect(LibUSBCode.name(-42) == "libusb error -42")
    }

    @Test func noPermissionNamesTheDeviceTheErrorAndTheUdevRule() throws {
        var board = LibUSBMockingDriver.Device.board(bus: 3, address: 7)
        board.openError = LibUSBCode.access
        let driver = LibUSBMockingDriver(devices: [board])
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error == .noPermission(vendorID: 0x1209, productID: 0x5701, bus: 3, address: 7, operation: "open"))
        #expect(error.libusbErrorName == "LIBUSB_ERROR_ACCESS")
        #expect(error.description == "no permission on the USB device (1209:5701, bus 3 address 7, open): LIBUSB_ERROR_ACCESS. "
                + "install Hardware/udev/60-stipple.rules and add the user to group stipple (then re-plug the machine and log in again)")
        #expect(driver.openContexts == 0 && driver.liveTransfers == 0 && driver.violations.isEmpty)
    }

    @Test func aClaimedInterfaceSaysAnotherProgramHasItAndToStopIt() throws {
        let driver = USBTestBench.driver()
        driver.fail("libusb_claim_interface", with: LibUSBCode.busy)
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error == .interfaceBusy(vendorID: 0x1209, productID: 0x5701, interface: 0))
        #expect(error.description.contains("LIBUSB_ERROR_BUSY"))
        #expect(error.description.contains("another program has claimed interface 0: stop it"))
        #expect(driver.openHandles == 0 && driver.openContexts == 0 && driver.violations.isEmpty)
    }

    @Test func noMachineOnTheBusSaysCheckTheCable() throws {
        let driver = LibUSBMockingDriver(devices: [.board(productID: 0x5702)])
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error == .notFound(vendorID: 0x1209, productID: 0x5701, serialNumber: nil, otherSerials: []))
        #expect(error.description.contains("LIBUSB_ERROR_NOT_FOUND"))
        #expect(error.description.contains("no machine with 1209:5701 on USB; check the cable"))
        #expect(driver.openHandles == 0 && driver.openContexts == 0)
    }

    @Test func aSerialNumberPicksOneOfSeveralMachinesAndAWrongOneListsTheOthers() throws {
        let driver = LibUSBMockingDriver(devices: [.board(serialNumber: "R1-0001", address: 2), .board(serialNumber: "R1-0002", address: 5)])
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error == .ambiguous(vendorID: 0x1209, productID: 0x5701, serials: ["R1-0001", "R1-0002"]))
        #expect(driver.openHandles == 0)

        let link = try USBTestBench.manualLink(driver, serial: "R1-0002")
        #expect(link.connection?.address == 5 && link.connection?.serialNumber == "R1-0002")
        #expect(driver.openHandles == 1, "the other machine was closed again")
        link.close()

        let wrong = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver, serial: "R1-0009") }
        #expect(wrong == .notFound(vendorID: 0x1209, productID: 0x5701, serialNumber: "R1-0009", otherSerials: ["R1-0001", "R1-0002"]))
        #expect(wrong.description.contains("connected ones have serial R1-0001, R1-0002"))
    }

    @Test func endpointsOtherThanTheMachineFilesAreRefusedNamingBothPairs() throws {
        // dummy_hcd's numbering: the gadget asked for 0x01/0x81, the host sees 0x02/0x81.
        let driver = LibUSBMockingDriver(devices: [.board(out: 0x02, in: 0x81, maxPacketSize: 512)])
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error == .endpointMismatch(vendorID: 0x1209, productID: 0x5701, interface: 0,
                                           expectedOut: 0x01, expectedIn: 0x81, foundOut: 0x02, foundIn: 0x81))
        #expect(error.description.contains("the file says OUT 0x01 / IN 0x81, the device's descriptor has bulk OUT 0x02 / IN 0x81"))
        #expect(error.description.contains("fix endpoint_out/endpoint_in in the machine file's [usb] table"))
        #expect(driver.claimedInterfaces == 0 && driver.openHandles == 0)

        let adopted = try USBTestBench.manualLink(driver, options: .init(endpointCheck: .adoptDevice))
        #expect(adopted.connection?.endpointOut == 0x02 && adopted.connection?.maxPacketSizeOut == 512)
        #expect(adopted.connection?.notes.first?.contains("using the device's bulk OUT 0x02 / IN 0x81") == true)
        try USBTestBench.send(adopted, [1])
        #expect(driver.submissions.last?.endpoint == 0x02)
    }

    @Test func aDeviceThatVanishesWhileClaimingIsDeviceGone() throws {
        let driver = USBTestBench.driver()
        driver.fail("libusb_claim_interface", with: LibUSBCode.noDevice)
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error == .deviceGone(vendorID: 0x1209, productID: 0x5701, operation: "claiming interface 0"))
        #expect(error.description.contains("LIBUSB_ERROR_NO_DEVICE"))
    }

    @Test func aFailingINSubmissionAtOpenLeavesNoTransferInFlightAndNothingOpen() throws {
        let driver = USBTestBench.driver()
        driver.fail("libusb_submit_transfer", with: LibUSBCode.io, times: nil)
        let error = try #require(throws: USBLinkError.self) { _ = try USBTestBench.manualLink(driver) }
        #expect(error.libusbErrorName == "LIBUSB_ERROR_IO")
        #expect(driver.pending(in: true) == 0 && driver.openHandles == 0 && driver.claimedInterfaces == 0)
        #expect(driver.liveTransfers == 0 && driver.registeredHotplugCallbacks == 0 && driver.violations.isEmpty)
    }

    @Test func otherLibusbFailuresKeepTheirNameAndOperation() {
        let e = USBLinkError.libusb(operation: "initialising libusb", code: LibUSBCode.noMemory)
        #expect(e.description == "USB initialising libusb failed: LIBUSB_ERROR_NO_MEM. the system is out of memory")
    }
}
#endif
