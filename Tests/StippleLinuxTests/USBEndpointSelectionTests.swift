#if DEBUG
import CLibUSB
import StippleModel
import Testing
@testable import StippleLinux

/// Reading the configuration descriptor and choosing the bulk pair, against the machine file.
@Suite("USB endpoint selection")
struct USBEndpointSelectionTests {
    typealias EP = USBInterfaceLayout.Endpoint

    static func layout(_ endpoints: [EP], interface: Int = 0) -> [USBInterfaceLayout] {
        [USBInterfaceLayout(number: interface, endpoints: endpoints)]
    }

    @Test func theMachineFilesPairIsChosenWhenTheDeviceHasIt() throws {
        let l = Self.layout([EP(address: 0x83, attributes: 3, maxPacketSize: 8), EP(address: 0x01, attributes: 2, maxPacketSize: 64),
                             EP(address: 0x82, attributes: 2, maxPacketSize: 64), EP(address: 0x81, attributes: 2, maxPacketSize: 64)])
        let s = try USBEndpointSelection.select(for: USBTestBench.r1, in: l, check: .strict).get()
        #expect(s.out.address == 0x01 && s.in.address == 0x81 && s.note == nil)
    }

    @Test func anInterruptEndpointIsNeverTakenForBulk() {
        let l = Self.layout([EP(address: 0x01, attributes: 3, maxPacketSize: 64), EP(address: 0x81, attributes: 2, maxPacketSize: 64)])
        #expect(throws: USBLinkError.bulkEndpointsMissing(vendorID: 0x1209, productID: 0x5701, interface: 0, found: [0x81])) {
            try USBEndpointSelection.select(for: USBTestBench.r1, in: l, check: .adoptDevice).get()
        }
    }

    @Test func aMissingInterfaceListsTheOnesThereAre() {
        let l = Self.layout([EP(address: 0x01, attributes: 2, maxPacketSize: 64)], interface: 1)
        #expect(throws: USBLinkError.interfaceMissing(vendorID: 0x1209, productID: 0x5701, interface: 0, available: [1])) {
            try USBEndpointSelection.select(for: USBTestBench.r1, in: l, check: .strict).get()
        }
    }

    @Test func onlyTheMismatchedDirectionIsReplacedWhenAdopting() throws {
        // linear-l2 says 0x02/0x82; dummy_hcd gives 0x02/0x81.
        let l = Self.layout([EP(address: 0x81, attributes: 2, maxPacketSize: 512), EP(address: 0x02, attributes: 2, maxPacketSize: 512)])
        #expect(throws: USBLinkError.endpointMismatch(vendorID: 0x1209, productID: 0x5702, interface: 0, expectedOut: 0x02,
                                                      expectedIn: 0x82, foundOut: 0x02, foundIn: 0x81)) {
            try USBEndpointSelection.select(for: USBTestBench.l2, in: l, check: .strict).get()
        }
        let s = try USBEndpointSelection.select(for: USBTestBench.l2, in: l, check: .adoptDevice).get()
        #expect(s.out.address == 0x02 && s.in.address == 0x81 && s.in.maxPacketSize == 512)
        #expect(s.note == "the machine file says OUT 0x02 / IN 0x82; using the device's bulk OUT 0x02 / IN 0x81 as asked")
    }

    @Test func theConfigurationDescriptorIsReadPerInterfaceWithPacketSizesMasked() throws {
        let driver = LibUSBMockingDriver(devices: [LibUSBMockingDriver.Device(
            vendorID: 0x1209, productID: 0x5701, serialNumber: nil,
            interfaces: [.init(number: 0, endpoints: [.init(address: 0x81, attributes: 3, maxPacketSize: 8)]),
                         // 0x1200: high-bandwidth bits 12-11 set on a 512-byte size; only bits 10-0 count.
                         .init(number: 1, endpoints: [.init(address: 0x02, maxPacketSize: 0x1200), .init(address: 0x83, maxPacketSize: 512)])])])
        let usb = LibUSBCalls(driver: driver)
        var ctx: OpaquePointer?
        #expect(usb.initContext(&ctx) == 0)
        var list: UnsafeMutablePointer<OpaquePointer?>?
        #expect(usb.getDeviceList(ctx!, &list) == 1)
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        #expect(usb.getActiveConfigDescriptor(list![0]!, &config) == 0)
        let layout = USBInterfaceLayout.interfaces(of: config!)
        usb.freeConfigDescriptor(config!)
        usb.freeDeviceList(list!, unreferenceDevices: true)
        usb.exitContext(ctx!)
        #expect(layout == [
            USBInterfaceLayout(number: 0, endpoints: [EP(address: 0x81, attributes: 3, maxPacketSize: 8)]),
            USBInterfaceLayout(number: 1, endpoints: [EP(address: 0x02, attributes: 2, maxPacketSize: 512),
                                                      EP(address: 0x83, attributes: 2, maxPacketSize: 512)]),
        ])
        #expect(driver.violations.isEmpty)
    }

    @Test func aZeroLengthPacketFollowsExactlyTheTransfersThatFillTheirLastPacket() {
        let cases: [(length: Int, mps: Int, zlp: Bool)] = [
            (0, 64, false), (1, 64, false), (63, 64, false), (64, 64, true), (65, 64, false), (128, 64, true),
            (64, 512, false), (511, 512, false), (512, 512, true), (1024, 512, true), (1023, 512, false), (64, 0, false),
        ]
        for c in cases {
            #expect(USBDeviceLink.needsZeroLengthPacket(length: c.length, maxPacketSize: c.mps) == c.zlp, "\(c)")
        }
        #expect(USBDeviceLink.zeroPacketFlag == 1 << 3, "LIBUSB_TRANSFER_ADD_ZERO_PACKET")
    }
}
#endif
