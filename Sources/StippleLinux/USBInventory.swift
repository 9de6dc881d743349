import StippleModel

/// The machines on USB: every device whose VID:PID one of the known machine files names, with
/// its serial number and where it sits on the bus. For `stipple devices`; it only looks (it opens
/// each device briefly to read its serial-number string and claims nothing).
public struct USBInventory: Sendable, Hashable {
    /// One connected device that looks like a machine.
    public struct Device: Sendable, Hashable {
        /// The machine files whose [usb] VID:PID it has (normally one).
        public var machines: [String]
        /// Their model names, in the same order.
        public var models: [String]
        public var vendorID: UInt16
        public var productID: UInt16
        public var serialNumber: String?
        public var bus: UInt8
        public var address: UInt8
        public var speed: String
        /// Why the serial number could not be read, with what to do (nil when it was, or when
        /// the device has none).
        public var problem: String?

        public var id: String { USBLinkError.id(vendorID, productID) }

        public init(machines: [String], models: [String], vendorID: UInt16, productID: UInt16, serialNumber: String?,
                    bus: UInt8, address: UInt8, speed: String, problem: String?) {
            self.machines = machines
            self.models = models
            self.vendorID = vendorID
            self.productID = productID
            self.serialNumber = serialNumber
            self.bus = bus
            self.address = address
            self.speed = speed
            self.problem = problem
        }
    }

    public var devices: [Device]

    public init(devices: [Device]) { self.devices = devices }

    /// Scans the bus for devices matching any of `machines`.
    public static func scan(machines: [MachineSpec]) throws(USBLinkError) -> USBInventory {
        try scan(machines: machines, usb: .system)
    }

    static func scan(machines: [MachineSpec], usb: LibUSBCalls) throws(USBLinkError) -> USBInventory {
        var ctx: OpaquePointer?
        let rc = usb.initContext(&ctx)
        guard rc == 0, let ctx else { throw .libusb(operation: "initialising libusb", code: rc) }
        defer { usb.exitContext(ctx) }
        // A gpio machine has no controller board to find.
        let wanted = Set(machines.compactMap(\.usb).map { UInt32($0.vendorID) << 16 | UInt32($0.productID) })
        let devices = try USBDiscovery.withCandidates(usb, ctx, matching: { wanted.contains(UInt32($0) << 16 | UInt32($1)) }) {
            candidates throws(USBLinkError) -> [Device] in
            candidates.map { c in
                let specs = machines.filter { $0.usb?.vendorID == c.vendorID && $0.usb?.productID == c.productID }
                var serial: String?
                var problem: String?
                if c.serialIndex != 0 {
                    var h: OpaquePointer?
                    let o = usb.open(c.device, &h)
                    if o == 0, let h {
                        let r = USBDiscovery.readSerial(usb, h, index: c.serialIndex)
                        serial = r.serial
                        if r.error != 0 { problem = "serial number unreadable: \(LibUSBCode.name(r.error))" }
                        usb.close(h)
                    } else if o == LibUSBCode.access {
                        problem = "no permission to open it (\(LibUSBCode.name(o))): install Hardware/udev/60-stipple.rules and add the user to group stipple"
                    } else {
                        problem = "cannot open it to read its serial number: \(LibUSBCode.name(o))"
                    }
                }
                return Device(machines: specs.map(\.name), models: specs.map(\.model), vendorID: c.vendorID, productID: c.productID,
                              serialNumber: serial, bus: c.bus, address: c.address, speed: LibUSBCode.speedName(c.speed),
                              problem: problem)
            }
        }
        return USBInventory(devices: devices.sorted { ($0.bus, $0.address) < ($1.bus, $1.address) })
    }
}
