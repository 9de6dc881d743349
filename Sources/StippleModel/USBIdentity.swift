/// How the machine's controller board appears on USB: which device to claim and which bulk
/// endpoints carry the firmware protocol.
public struct USBIdentity: Sendable, Hashable {
    public var vendorID: UInt16
    public var productID: UInt16
    public var interface: Int
    /// Bulk OUT endpoint address (direction bit clear, 0x01-0x0F).
    public var endpointOut: UInt8
    /// Bulk IN endpoint address (direction bit set, 0x81-0x8F).
    public var endpointIn: UInt8

    public init(vendorID: UInt16, productID: UInt16, interface: Int, endpointOut: UInt8, endpointIn: UInt8) {
        self.vendorID = vendorID
        self.productID = productID
        self.interface = interface
        self.endpointOut = endpointOut
        self.endpointIn = endpointIn
    }

    static func parse(_ r: TableReader) -> USBIdentity? {
        let vid = r.integer("vendor_id", in: 1...0xFFFF)
        let pid = r.integer("product_id", in: 1...0xFFFF)
        let interface = r.integer("interface", in: 0...255)
        let out = r.integer("endpoint_out", in: 0x01...0x0F)
        let inp = r.integer("endpoint_in", in: 0x81...0x8F)
        r.finish()
        guard let vid, let pid, let interface, let out, let inp else { return nil }
        return USBIdentity(vendorID: UInt16(vid), productID: UInt16(pid), interface: interface,
                           endpointOut: UInt8(out), endpointIn: UInt8(inp))
    }
}
