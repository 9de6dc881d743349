import CLibUSB

/// Finding machines on the bus: the device list, device descriptors, serial-number strings.
/// Shared by `USBDeviceLink` (open one machine) and `USBInventory` (list them all).
enum USBDiscovery {
    /// A device whose descriptor matched, valid while its device list is.
    struct Candidate {
        var device: OpaquePointer
        var vendorID: UInt16
        var productID: UInt16
        var bus: UInt8
        var address: UInt8
        var speed: Int32
        var serialIndex: UInt8
    }

    /// A device opened for the link: the handle holds its own reference to the device.
    struct Opened {
        var handle: OpaquePointer
        var device: OpaquePointer
        var bus: UInt8
        var address: UInt8
        var speed: Int32
        var serialNumber: String?
    }

    /// Runs `body` on the devices of a fresh device list whose VID:PID `matches`; the list (and
    /// the candidates' device pointers, unless opened meanwhile) are released afterwards.
    static func withCandidates<R>(
        _ usb: LibUSBCalls, _ context: OpaquePointer, matching matches: (UInt16, UInt16) -> Bool,
        _ body: ([Candidate]) throws(USBLinkError) -> R
    ) throws(USBLinkError) -> R {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let n = usb.getDeviceList(context, &list)
        guard n >= 0, let list else { throw .libusb(operation: "listing devices", code: Int32(truncatingIfNeeded: n)) }
        defer { usb.freeDeviceList(list, unreferenceDevices: true) }
        var candidates: [Candidate] = []
        var descriptor = libusb_device_descriptor()
        for i in 0..<n {
            guard let device = list[i], usb.getDeviceDescriptor(device, &descriptor) == 0 else { continue }
            guard matches(descriptor.idVendor, descriptor.idProduct) else { continue }
            candidates.append(Candidate(device: device, vendorID: descriptor.idVendor, productID: descriptor.idProduct,
                                        bus: usb.getBusNumber(device), address: usb.getDeviceAddress(device),
                                        speed: usb.getDeviceSpeed(device), serialIndex: descriptor.iSerialNumber))
        }
        return try body(candidates)
    }

    /// The serial-number string (nil if the device has none), or the libusb error that kept it.
    static func readSerial(_ usb: LibUSBCalls, _ handle: OpaquePointer, index: UInt8) -> (serial: String?, error: Int32) {
        guard index != 0 else { return (nil, 0) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBufferPointer { usb.getStringDescriptorASCII(handle, index, $0.baseAddress!, Int32($0.count)) }
        guard n >= 0 else { return (nil, n) }
        return (String(decoding: buffer.prefix(Int(n)), as: UTF8.self), 0)
    }

    /// Opens the one machine with this VID:PID (and serial number, when given).
    ///
    /// Devices that cannot be opened are skipped while another one fits; when none does, the
    /// reason is the most useful one seen (no permission before "not found").
    static func open(_ usb: LibUSBCalls, _ context: OpaquePointer, vendorID: UInt16, productID: UInt16,
                     serialNumber wanted: String?) throws(USBLinkError) -> Opened {
        try withCandidates(usb, context, matching: { $0 == vendorID && $1 == productID }) { candidates throws(USBLinkError) -> Opened in
            guard !candidates.isEmpty else {
                throw .notFound(vendorID: vendorID, productID: productID, serialNumber: wanted, otherSerials: [])
            }
            var opened: [Opened] = []
            var denied: [Candidate] = []
            var otherError: Int32 = 0
            for c in candidates {
                var h: OpaquePointer?
                let rc = usb.open(c.device, &h)
                guard rc == 0, let handle = h else {
                    if rc == LibUSBCode.access { denied.append(c) } else { otherError = rc }
                    continue
                }
                let serial = readSerial(usb, handle, index: c.serialIndex).serial
                opened.append(Opened(handle: handle, device: c.device, bus: c.bus, address: c.address, speed: c.speed,
                                     serialNumber: serial))
            }
            func keepOnly(_ chosen: Opened?) {
                for o in opened where o.handle != chosen?.handle { usb.close(o.handle) }
            }
            if let wanted {
                if let match = opened.first(where: { $0.serialNumber == wanted }) {
                    keepOnly(match)
                    return resolved(usb, match)
                }
                keepOnly(nil)
                if let d = denied.first {
                    throw .noPermission(vendorID: vendorID, productID: productID, bus: d.bus, address: d.address, operation: "open")
                }
                throw .notFound(vendorID: vendorID, productID: productID, serialNumber: wanted,
                                otherSerials: opened.map { $0.serialNumber ?? "(none)" })
            }
            if opened.count + denied.count > 1 {
                keepOnly(nil)
                let serials = opened.map { $0.serialNumber ?? "(none)" }
                    + denied.map { _ in "(unreadable: no permission)" }
                throw .ambiguous(vendorID: vendorID, productID: productID, serials: serials)
            }
            if let only = opened.first { return resolved(usb, only) }
            if let d = denied.first {
                throw .noPermission(vendorID: vendorID, productID: productID, bus: d.bus, address: d.address, operation: "open")
            }
            if otherError == LibUSBCode.noDevice {
                throw .deviceGone(vendorID: vendorID, productID: productID, operation: "open")
            }
            throw .libusb(operation: "open of \(USBLinkError.id(vendorID, productID))", code: otherError)
        }
    }

    /// The list's device pointer dies with the list; the handle's own is kept instead.
    private static func resolved(_ usb: LibUSBCalls, _ o: Opened) -> Opened {
        var r = o
        if let d = usb.getDevice(o.handle) { r.device = d }
        return r
    }
}
