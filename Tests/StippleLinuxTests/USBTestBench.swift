#if DEBUG
import StippleHardware
import StippleModel
@testable import StippleLinux

/// Shared set-up for the USB tests: machine identities and links over the libusb mocking driver.
enum USBTestBench {
    /// rotary-r1's [usb] table.
    static let r1 = USBIdentity(vendorID: 0x1209, productID: 0x5701, interface: 0, endpointOut: 0x01, endpointIn: 0x81)
    /// linear-l2's [usb] table.
    static let l2 = USBIdentity(vendorID: 0x1209, productID: 0x5702, interface: 0, endpointOut: 0x02, endpointIn: 0x82)

    /// A driver with one R1 board plugged in (full speed, 64-byte bulk packets unless told).
    static func driver(maxPacketSize: UInt16 = 64, serial: String? = "R1-0001") -> LibUSBMockingDriver {
        LibUSBMockingDriver(devices: [.board(serialNumber: serial, maxPacketSize: maxPacketSize)])
    }

    /// A link whose events the test handles itself (`handleEvents()`), deterministically.
    static func manualLink(_ driver: LibUSBMockingDriver, identity: USBIdentity = r1, serial: String? = nil,
                           options: USBDeviceLink.Options = .init()) throws(USBLinkError) -> USBDeviceLink {
        try USBDeviceLink(identity: identity, serialNumber: serial, options: options,
                          usb: LibUSBCalls(driver: driver), eventHandling: .manual)
    }

    /// A link with its own event thread, as in production.
    static func threadedLink(_ driver: LibUSBMockingDriver, identity: USBIdentity = r1,
                             options: USBDeviceLink.Options = .init()) throws(USBLinkError) -> USBDeviceLink {
        try USBDeviceLink(identity: identity, serialNumber: nil, options: options,
                          usb: LibUSBCalls(driver: driver), eventHandling: .thread)
    }

    /// Everything `receive` has, drained.
    static func drain(_ link: USBDeviceLink) throws(LinkError) -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try link.receive(into: buffer)
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// One `receive` call's bytes.
    static func receiveOnce(_ link: USBDeviceLink) throws(LinkError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        let n = try link.receive(into: buffer)
        return Array(buffer[0..<n])
    }

    static func send(_ link: USBDeviceLink, _ bytes: [UInt8]) throws(LinkError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try link.send(UnsafeRawBufferPointer(buffer))
    }

    static func monotonicNow() -> UInt64 { USBDeviceLink.monotonicNanoseconds() }
}
#endif
