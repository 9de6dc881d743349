#if DEBUG
import CLibUSB
import Foundation
import StippleHardware
import StippleModel
import Testing
@testable import StippleLinux

/// `USBDeviceLink` against the libusb mocking driver: the calls it makes to open a board, the
/// transfers it keeps in flight, what it does with their completions, and unplug / reconnect.
@Suite("USBDeviceLink through mocked libusb")
struct USBDeviceLinkTests {
    typealias Call = LibUSBMockingDriver.Call

    @Test func openingFindsTheBoardClaimsItsInterfaceAndKeepsFourINTransfersSubmitted() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        let calls = driver.calls
        // The context first: transfers are made per connection (libusb ties them to its devices).
        #expect(calls.map(\.name) == ["libusb_init"] + Array(repeating: "libusb_alloc_transfer", count: 4 + 16) + [
            "libusb_get_device_list", "libusb_get_device_descriptor", "libusb_open",
            "libusb_get_string_descriptor_ascii", "libusb_free_device_list",
            "libusb_get_active_config_descriptor", "libusb_free_config_descriptor",
            "libusb_kernel_driver_active", "libusb_claim_interface",
            "libusb_has_capability", "libusb_hotplug_register_callback",
            "libusb_submit_transfer", "libusb_submit_transfer", "libusb_submit_transfer", "libusb_submit_transfer",
        ])
        #expect(calls.contains(Call("libusb_claim_interface", [0])))
        #expect(calls.contains(Call("libusb_free_device_list", [1])), "devices unreferenced with the list")
        // Events: LEFT (2), for this VID:PID only.
        #expect(calls.contains(Call("libusb_hotplug_register_callback", [2, 0x1209, 0x5701])))
        // IN transfers on 0x81, one full-speed packet each, no timeout, no flags.
        #expect(calls.filter { $0.name == "libusb_submit_transfer" }.allSatisfy { $0.arguments == [0x81, 64, 0, 0] })
        #expect(driver.pending(in: true) == 4)
        let c = try #require(link.connection)
        #expect(c.serialNumber == "R1-0001" && c.bus == 1 && c.address == 2)
        #expect(c.endpointOut == 0x01 && c.endpointIn == 0x81 && c.maxPacketSizeOut == 64 && c.maxPacketSizeIn == 64)
        #expect(c.hotplugWatched && c.notes.isEmpty && !c.detachedKernelDriver)
        #expect(driver.violations.isEmpty)
    }

    @Test func aKernelDriverHoldingTheInterfaceIsDetachedAndReattachedAtClose() throws {
        var board = LibUSBMockingDriver.Device.board()
        board.kernelDriverActive = true
        let driver = LibUSBMockingDriver(devices: [board])
        let link = try USBTestBench.manualLink(driver)
        #expect(driver.calls.contains(Call("libusb_detach_kernel_driver", [0])))
        #expect(link.connection?.detachedKernelDriver == true)
        link.close()
        #expect(driver.calls.contains(Call("libusb_attach_kernel_driver", [0])))
    }

    @Test func receivedBytesComeOutInOrderAndEachINTransferIsResubmitted() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        #expect(try USBTestBench.drain(link) == [], "nothing yet: receive does not block")
        var expected: [UInt8] = []
        var got: [UInt8] = []
        for round in 0..<3 {
            for k in 0..<4 {
                let packet = (0..<20).map { UInt8(round * 80 + k * 20 + $0) }
                expected += packet
                #expect(driver.deliverIn(packet))
            }
            #expect(!driver.deliverIn([0xFF]), "all four IN transfers are full: the device waits")
            #expect(try USBTestBench.drain(link) == [], "completions run only in event handling")
            link.handleEvents()
            #expect(driver.pending(in: true) == 4, "each completed IN transfer is submitted again")
            got += try USBTestBench.drain(link)
        }
        #expect(got == expected)
        #expect(link.statistics.bytesIn == 240 && link.statistics.inTransfersCompleted == 12)
    }

    @Test func bytesStreamThroughTheRingInOrderAcrossManyTransfers() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        var expected: [UInt8] = []
        var got: [UInt8] = []
        var next: UInt8 = 0
        for round in 0..<500 {
            // The device sends whatever packets the host has buffers for, 1-64 bytes each.
            while driver.pending(in: true) > 0 {
                let n = 1 + (round * 7 + expected.count) % 64
                let packet = (0..<n).map { _ -> UInt8 in defer { next &+= 1 }; return next }
                expected += packet
                driver.deliverIn(packet)
            }
            link.handleEvents()
            got += try USBTestBench.drain(link)
        }
        #expect(got == expected && got.count > 10_000)
        #expect(link.statistics.inBytesDropped == 0)
    }

    @Test func aFullRingDropsWholeTransfersAndCountsThem() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver, options: .init(receiveBufferBytes: 64))
        for _ in 0..<3 { driver.deliverIn([UInt8](repeating: 7, count: 40)) }
        link.handleEvents()
        #expect(try USBTestBench.drain(link) == [UInt8](repeating: 7, count: 40), "the first fits; the next two would not")
        #expect(link.statistics.inBytesDropped == 80)
        #expect(driver.pending(in: true) == 4, "a dropped transfer is still resubmitted")
    }

    @Test func sendCopiesIntoAnOUTTransferAndAddsAZeroLengthPacketOnlyOnWholePackets() throws {
        let driver = USBTestBench.driver(maxPacketSize: 64)
        let link = try USBTestBench.manualLink(driver)
        for n in [6, 63, 64, 65, 128] { try USBTestBench.send(link, (0..<n).map { UInt8($0 & 0xFF) }) }
        let outs = driver.submissions.filter { $0.endpoint == 0x01 }
        #expect(outs.map(\.length) == [6, 63, 64, 65, 128])
        #expect(outs.map(\.zeroLengthPacket) == [false, false, true, false, true])
        #expect(outs.allSatisfy { $0.timeout == 100 })
        #expect(outs[2].bytes == (0..<64).map { UInt8($0) })
        #expect(link.statistics.zeroLengthPackets == 2 && link.statistics.outTransfersSubmitted == 5)
        link.handleEvents()
        #expect(link.statistics.bytesOut == 6 + 63 + 64 + 65 + 128)
    }

    @Test func atHighSpeedAFrameIsAShortPacketAndASendLongerThanATransferIsSplit() throws {
        let driver = USBTestBench.driver(maxPacketSize: 512)
        let link = try USBTestBench.manualLink(driver, options: .init(outTransferBytes: 1024))
        try USBTestBench.send(link, [UInt8](repeating: 1, count: 64))
        try USBTestBench.send(link, [UInt8](repeating: 2, count: 2500))
        let outs = driver.submissions.filter { $0.endpoint == 0x01 }
        #expect(outs.map(\.length) == [64, 1024, 1024, 452])
        #expect(outs.map(\.zeroLengthPacket) == [false, true, true, false])
        #expect(driver.calls.filter { $0.name == "libusb_submit_transfer" }.first?.arguments == [0x81, 512, 0, 0],
                "IN transfers are one high-speed packet")
    }

    @Test func theOUTPoolIsReusedAndAFullPoolRefusesWithoutBlocking() throws {
        let driver = USBTestBench.driver()
        driver.autoCompleteOut = false
        let link = try USBTestBench.manualLink(driver, options: .init(outTransfers: 4))
        let allocated = driver.liveTransfers
        for k in 0..<4 { try USBTestBench.send(link, [UInt8(k)]) }
        #expect(throws: LinkError.timedOut) { try USBTestBench.send(link, [9]) }
        #expect(link.statistics.outPoolExhausted == 1)
        #expect(driver.pending(in: false) == 4)
        // A multi-transfer send is refused whole when the pool cannot take all of it.
        driver.completeOut(count: 1)
        link.handleEvents()
        #expect(throws: LinkError.timedOut) { try USBTestBench.send(link, [UInt8](repeating: 0, count: 2048)) }
        #expect(driver.pending(in: false) == 3, "nothing of the refused send went out")
        try USBTestBench.send(link, [5])
        driver.completeOut(count: 4)
        link.handleEvents()
        for k in 0..<4 { try USBTestBench.send(link, [UInt8(10 + k)]) }
        #expect(driver.liveTransfers == allocated, "no transfer allocated after setup")
        #expect(driver.submissions.filter { $0.endpoint == 0x01 }.map { $0.bytes } == [[0], [1], [2], [3], [5], [10], [11], [12], [13]])
        #expect(driver.violations.isEmpty, "no transfer reused while in flight")
    }

    @Test func anOUTTimeoutIsReportedOnceByTheNextSend() throws {
        let driver = USBTestBench.driver()
        driver.autoCompleteOut = false
        let link = try USBTestBench.manualLink(driver)
        try USBTestBench.send(link, [1, 2, 3])
        driver.completeOut(status: LibUSBCode.transferTimedOut)
        link.handleEvents()
        #expect(throws: LinkError.timedOut) { try USBTestBench.send(link, [4]) }
        try USBTestBench.send(link, [5])
        #expect(link.statistics.outTimeouts == 1)
        #expect(driver.submissions.filter { $0.endpoint == 0x01 }.map(\.bytes) == [[1, 2, 3], [5]])
    }

    @Test func aStalledOUTEndpointIsClearedAndReportedWithItsStatusName() throws {
        let driver = USBTestBench.driver()
        driver.autoCompleteOut = false
        let link = try USBTestBench.manualLink(driver)
        try USBTestBench.send(link, [1])
        driver.completeOut(status: LibUSBCode.transferStall)
        link.handleEvents()
        #expect(driver.calls.contains(Call("libusb_clear_halt", [0x01])))
        do {
            try USBTestBench.send(link, [2])
            Issue.record("a stall is reported")
        } catch {
            guard case .io(let operation, _) = error else { Issue.record("\(error)"); return }
            #expect(operation.contains("LIBUSB_TRANSFER_STALL") && operation.contains("OUT 0x01"))
        }
        try USBTestBench.send(link, [3])
    }

    @Test func aStalledINEndpointIsClearedAndReadingGoesOn() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        driver.failIn(status: LibUSBCode.transferStall)
        link.handleEvents()
        #expect(driver.calls.contains(Call("libusb_clear_halt", [0x81])))
        #expect(driver.pending(in: true) == 4)
        driver.deliverIn([42])
        link.handleEvents()
        #expect(try USBTestBench.drain(link) == [42])
    }

    @Test func unpluggingIsADisconnectedLinkForReceiveAndSend() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        driver.deliverIn([1, 2, 3])
        link.handleEvents()
        driver.unplug(0)
        link.handleEvents()
        #expect(try USBTestBench.receiveOnce(link) == [1, 2, 3], "bytes that arrived before the unplug are still delivered")
        #expect(throws: LinkError.disconnected) { _ = try USBTestBench.receiveOnce(link) }
        #expect(throws: LinkError.disconnected) { try USBTestBench.send(link, [1]) }
        #expect(!link.isConnected)
        #expect(link.statistics.disconnects == 1)
        #expect(driver.pending(in: true) == 0, "nothing resubmitted to a gone device")
    }

    @Test func aHotplugLeftEventAloneIsEnoughToSeeTheUnplug() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        driver.hotplugLeft(0)
        link.handleEvents()
        #expect(throws: LinkError.disconnected) { _ = try USBTestBench.drain(link) }
        #expect(link.statistics.hotplugRemovals == 1)
    }

    @Test func aSubmitRefusedWithNoDeviceIsADisconnectedLink() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        driver.fail("libusb_submit_transfer", with: LibUSBCode.noDevice)
        #expect(throws: LinkError.disconnected) { try USBTestBench.send(link, [1]) }
    }

    @Test func reconnectFindsTheReplugggedBoardWithAFreshContext() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.manualLink(driver)
        driver.unplug(0)
        link.handleEvents()
        #expect(throws: LinkError.disconnected) { _ = try USBTestBench.drain(link) }
        #expect(throws: USBLinkError.notFound(vendorID: 0x1209, productID: 0x5701, serialNumber: nil, otherSerials: [])) {
            try link.reconnect()
        }
        #expect(driver.openHandles == 0 && driver.openContexts == 0, "a failed reconnect leaves nothing open")
        driver.replug(0)
        driver.clearTrace()
        try link.reconnect()
        #expect(driver.callNames.first == "libusb_init")
        #expect(link.connection?.address == 3, "the board came back at a new address")
        #expect(driver.pending(in: true) == 4)
        driver.deliverIn([7, 8])
        link.handleEvents()
        #expect(try USBTestBench.drain(link) == [7, 8])
        try USBTestBench.send(link, [9])
        #expect(link.statistics.reconnects == 2)
        #expect(driver.openContexts == 1 && driver.openHandles == 1 && driver.violations.isEmpty)
    }

    @Test func closeCancelsTransfersReleasesTheInterfaceAndFreesEverythingWhenGone() throws {
        let driver = USBTestBench.driver()
        driver.autoCompleteOut = false
        var link: USBDeviceLink? = try USBTestBench.manualLink(driver)
        try USBTestBench.send(link!, [1, 2])
        driver.clearTrace()
        link!.close()
        let names = driver.callNames
        #expect(names.filter { $0 == "libusb_cancel_transfer" }.count >= 5, "four IN and one OUT in flight")
        // Transfers are freed before the context is exited: libusb drops their device then.
        #expect(Array(names.drop { $0 == "libusb_cancel_transfer" }) == [
            "libusb_hotplug_deregister_callback", "libusb_release_interface", "libusb_close",
        ] + Array(repeating: "libusb_free_transfer", count: 20) + ["libusb_exit"])
        #expect(driver.liveTransfers == 0)
        #expect(throws: LinkError.disconnected) { try USBTestBench.send(link!, [1]) }
        #expect(throws: USBLinkError.closed) { try link!.reconnect() }
        link = nil
        #expect(driver.liveTransfers == 0 && driver.openHandles == 0 && driver.openContexts == 0)
        #expect(driver.claimedInterfaces == 0 && driver.registeredHotplugCallbacks == 0)
        #expect(driver.violations.isEmpty)
    }

    @Test func closeLetsOUTTransfersInFlightFinishBeforeCancelling() throws {
        let driver = USBTestBench.driver()
        driver.autoCompleteOut = false
        let link = try USBTestBench.manualLink(driver)
        try USBTestBench.send(link, [0x7E, 6, 0, 1, 0xAA, 0xBB])  // say, the session's last ACK
        // The device takes it while close waits.
        let taker = Thread { usleep(20_000); driver.completeOut() }
        taker.start()
        driver.clearTrace()
        link.close()
        #expect(link.statistics.bytesOut == 6, "sent, not cancelled")
        #expect(!driver.calls.contains(LibUSBMockingDriver.Call("libusb_cancel_transfer", [0x01])))
        #expect(driver.calls.filter { $0.name == "libusb_cancel_transfer" }.count >= 4, "the IN transfers are cancelled")
    }

    @Test func withoutHotplugSupportTheLinkSaysSoAndStillWorks() throws {
        let driver = USBTestBench.driver()
        driver.hotplugCapable = false
        let link = try USBTestBench.manualLink(driver)
        #expect(link.connection?.hotplugWatched == false)
        #expect(link.connection?.notes.first?.contains("no hotplug support") == true)
        #expect(!driver.callNames.contains("libusb_hotplug_register_callback"))
    }

    @Test func theEventThreadTurnsAnUnplugIntoDisconnectedWellWithin100Milliseconds() throws {
        let driver = USBTestBench.driver()
        let link = try USBTestBench.threadedLink(driver)
        driver.deliverIn([1, 2, 3, 4])
        var got: [UInt8] = []
        let until = USBTestBench.monotonicNow() + 2_000_000_000
        while got.count < 4 && USBTestBench.monotonicNow() < until { got += try USBTestBench.drain(link) }
        #expect(got == [1, 2, 3, 4], "the event thread completes transfers by itself")

        let t0 = USBTestBench.monotonicNow()
        driver.unplug(0)
        var seenAt: UInt64?
        while seenAt == nil && USBTestBench.monotonicNow() - t0 < 1_000_000_000 {
            do { _ = try USBTestBench.drain(link) } catch { seenAt = USBTestBench.monotonicNow() }
            usleep(200)
        }
        let ms = Double((seenAt ?? UInt64.max / 2) - t0) / 1e6
        #expect(seenAt != nil && ms < 100, "unplug seen after \(ms) ms")
        link.close()
        #expect(driver.violations.isEmpty && driver.openContexts == 0)
    }
}
#endif
