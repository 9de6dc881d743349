/// Why the USB link to a machine's controller board could not be opened (or re-opened).
///
/// Each case names the device, the libusb error it came from where there is one, and what the
/// technician should do. Failures of an open link (unplug, timeouts) surface as `LinkError`
/// from `send`/`receive`, as every `DeviceLink` reports them.
public enum USBLinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No device with the machine's VID:PID (and serial number, if one was asked for).
    /// `otherSerials`: machines with this VID:PID whose serial number did not match.
    case notFound(vendorID: UInt16, productID: UInt16, serialNumber: String?, otherSerials: [String])
    /// Several machines match and no serial number says which one.
    case ambiguous(vendorID: UInt16, productID: UInt16, serials: [String])
    /// LIBUSB_ERROR_ACCESS: the device node is not readable and writable by this user.
    case noPermission(vendorID: UInt16, productID: UInt16, bus: UInt8, address: UInt8, operation: String)
    /// LIBUSB_ERROR_BUSY on claim: another program (or a kernel driver) holds the interface.
    case interfaceBusy(vendorID: UInt16, productID: UInt16, interface: Int)
    /// The active configuration has no interface with the machine file's number.
    case interfaceMissing(vendorID: UInt16, productID: UInt16, interface: Int, available: [Int])
    /// The interface lacks a bulk OUT or a bulk IN endpoint. `found` lists what it has.
    case bulkEndpointsMissing(vendorID: UInt16, productID: UInt16, interface: Int, found: [UInt8])
    /// The machine file's endpoint addresses are not the ones the device's descriptor lists.
    case endpointMismatch(vendorID: UInt16, productID: UInt16, interface: Int,
                          expectedOut: UInt8, expectedIn: UInt8, foundOut: UInt8, foundIn: UInt8)
    /// LIBUSB_ERROR_NO_DEVICE while setting up: the device went away (unplugged, reset).
    case deviceGone(vendorID: UInt16, productID: UInt16, operation: String)
    /// Any other libusb failure, with the operation that failed.
    case libusb(operation: String, code: Int32)
    /// The link was closed by its owner.
    case closed

    /// The libusb error behind this one, as libusb.h names it.
    public var libusbErrorName: String? {
        switch self {
        case .notFound, .ambiguous: LibUSBCode.name(LibUSBCode.notFound)
        case .noPermission: LibUSBCode.name(LibUSBCode.access)
        case .interfaceBusy: LibUSBCode.name(LibUSBCode.busy)
        case .deviceGone: LibUSBCode.name(LibUSBCode.noDevice)
        case .libusb(_, let code): LibUSBCode.name(code)
        case .interfaceMissing, .bulkEndpointsMissing, .endpointMismatch, .closed: nil
        }
    }

    /// What the technician should do about it.
    public var remedy: String {
        switch self {
        case .notFound(let v, let p, _, let others):
            others.isEmpty
                ? "no machine with \(Self.id(v, p)) on USB; check the cable and that the machine is powered (`stipple devices` lists what is connected)"
                : "no machine with \(Self.id(v, p)) and that serial number on USB; connected ones have serial \(others.joined(separator: ", "))"
        case .ambiguous:
            "say which machine with its serial number"
        case .noPermission:
            "install Hardware/udev/60-stipple.rules and add the user to group stipple (then re-plug the machine and log in again)"
        case .interfaceBusy(_, _, let i):
            "another program has claimed interface \(i): stop it (another stipple, or a program holding the device)"
        case .interfaceMissing:
            "fix `interface` in the machine file's [usb] table, or check that the firmware is Stipple's"
        case .bulkEndpointsMissing:
            "the device is not a Stipple controller board, or its firmware descriptors are wrong"
        case .endpointMismatch:
            "fix endpoint_out/endpoint_in in the machine file's [usb] table, or the firmware's descriptors"
        case .deviceGone:
            "the machine went away while connecting; check the cable and try again"
        case .libusb(_, let code):
            switch code {
            case LibUSBCode.noMemory: "the system is out of memory"
            case LibUSBCode.notSupported: "this system's USB stack does not support it; run on Linux with usbfs"
            case LibUSBCode.timeout: "the device did not answer in time; re-plug it"
            default: "re-plug the machine; if it persists, check dmesg for USB errors"
            }
        case .closed:
            "open a new link"
        }
    }

    public var description: String {
        let what: String
        switch self {
        case .notFound(let v, let p, let serial, _):
            what = "no machine on USB (\(Self.id(v, p))\(serial.map { ", serial \"\($0)\"" } ?? ""))"
        case .ambiguous(let v, let p, let serials):
            what = "\(serials.count) machines match (\(Self.id(v, p))): serial numbers \(serials.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .noPermission(let v, let p, let bus, let address, let operation):
            what = "no permission on the USB device (\(Self.id(v, p)), bus \(bus) address \(address), \(operation))"
        case .interfaceBusy(let v, let p, let i):
            what = "USB interface \(i) is busy (\(Self.id(v, p)))"
        case .interfaceMissing(let v, let p, let i, let available):
            what = "USB interface \(i) not found (\(Self.id(v, p))): the device has interface(s) \(available.map(String.init).joined(separator: ", "))"
        case .bulkEndpointsMissing(let v, let p, let i, let found):
            what = "no bulk OUT/IN endpoint pair (\(Self.id(v, p)) interface \(i)): bulk endpoints found: \(found.isEmpty ? "none" : found.map(Self.hex).joined(separator: ", "))"
        case .endpointMismatch(let v, let p, let i, let eo, let ei, let fo, let fi):
            what = "USB endpoints differ from the machine file (\(Self.id(v, p)) interface \(i)): the file says OUT \(Self.hex(eo)) / IN \(Self.hex(ei)), the device's descriptor has bulk OUT \(Self.hex(fo)) / IN \(Self.hex(fi))"
        case .deviceGone(let v, let p, let operation):
            what = "the machine disappeared (\(Self.id(v, p)), \(operation))"
        case .libusb(let operation, _):
            what = "USB \(operation) failed"
        case .closed:
            what = "the USB link is closed"
        }
        if let name = libusbErrorName { return "\(what): \(name). \(remedy)" }
        return "\(what). \(remedy)"
    }

    /// VID:PID as lsusb writes it (`1209:5701`).
    public static func id(_ vendorID: UInt16, _ productID: UInt16) -> String {
        "\(hex4(vendorID)):\(hex4(productID))"
    }

    static func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    static func hex(_ v: UInt8) -> String {
        let s = String(v, radix: 16)
        return "0x" + (s.count < 2 ? "0" + s : s)
    }
}
