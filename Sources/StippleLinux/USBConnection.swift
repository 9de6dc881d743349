/// The device a `USBDeviceLink` is connected to, as found at the last (re)connection.
public struct USBConnection: Sendable, Hashable {
    public var bus: UInt8
    public var address: UInt8
    public var serialNumber: String?
    /// Bus speed as libusb reports it ("high (480 Mbit/s)").
    public var speed: String
    public var endpointOut: UInt8
    public var endpointIn: UInt8
    /// wMaxPacketSize of each endpoint, from the configuration descriptor.
    public var maxPacketSizeOut: Int
    public var maxPacketSizeIn: Int
    /// A kernel driver held the interface and was detached (it is re-attached at close).
    public var detachedKernelDriver: Bool
    /// Unplugs are also watched through libusb hotplug events (not only failed transfers).
    public var hotplugWatched: Bool
    /// Things the technician should know: adopted endpoints, hotplug unavailable.
    public var notes: [String]

    public init(bus: UInt8, address: UInt8, serialNumber: String?, speed: String, endpointOut: UInt8, endpointIn: UInt8,
                maxPacketSizeOut: Int, maxPacketSizeIn: Int, detachedKernelDriver: Bool, hotplugWatched: Bool, notes: [String]) {
        self.bus = bus
        self.address = address
        self.serialNumber = serialNumber
        self.speed = speed
        self.endpointOut = endpointOut
        self.endpointIn = endpointIn
        self.maxPacketSizeOut = maxPacketSizeOut
        self.maxPacketSizeIn = maxPacketSizeIn
        self.detachedKernelDriver = detachedKernelDriver
        self.hotplugWatched = hotplugWatched
        self.notes = notes
    }
}
