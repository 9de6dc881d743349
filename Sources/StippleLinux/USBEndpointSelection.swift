import CLibUSB
import StippleModel

/// What to do when the machine file's endpoint addresses are not the device's.
public enum USBEndpointCheck: Sendable, Hashable {
    /// Refuse the device (`USBLinkError.endpointMismatch`): the machine file describes another board.
    case strict
    /// Use the device's bulk OUT/IN pair and say so in `USBConnection.notes`. For test rigs whose
    /// gadget controller renumbers endpoints (dummy_hcd hands out 0x81 IN and 0x02 OUT whatever
    /// the gadget asks for).
    case adoptDevice
}

/// One interface (alternate setting 0) of a configuration descriptor, reduced to its endpoints.
struct USBInterfaceLayout: Sendable, Hashable {
    struct Endpoint: Sendable, Hashable {
        var address: UInt8
        var attributes: UInt8
        var maxPacketSize: Int

        var isBulk: Bool { attributes & 0x03 == 0x02 }
        var isIn: Bool { address & 0x80 != 0 }
    }

    var number: Int
    var endpoints: [Endpoint]

    /// Reads every interface's first alternate setting; the firmware protocol uses no others.
    static func interfaces(of config: UnsafePointer<libusb_config_descriptor>) -> [USBInterfaceLayout] {
        let c = config.pointee
        var result: [USBInterfaceLayout] = []
        guard let interfaces = c.interface else { return result }
        for i in 0..<Int(c.bNumInterfaces) {
            let interface = interfaces[i]
            guard interface.num_altsetting > 0, let alt = interface.altsetting else { continue }
            let d = alt[0]
            var endpoints: [Endpoint] = []
            if let eps = d.endpoint {
                for e in 0..<Int(d.bNumEndpoints) {
                    let ep = eps[e]
                    // Bits 10-0 are the packet size; bits 12-11 (high-bandwidth) are not bulk's.
                    endpoints.append(Endpoint(address: ep.bEndpointAddress, attributes: ep.bmAttributes,
                                              maxPacketSize: Int(ep.wMaxPacketSize & 0x07FF)))
                }
            }
            result.append(USBInterfaceLayout(number: Int(d.bInterfaceNumber), endpoints: endpoints))
        }
        return result
    }
}

/// The bulk OUT/IN pair the link will use, checked against the machine file.
struct USBEndpointSelection: Sendable, Hashable {
    var out: USBInterfaceLayout.Endpoint
    var `in`: USBInterfaceLayout.Endpoint
    /// Set when the device's addresses were adopted in place of the machine file's.
    var note: String?

    static func select(for identity: USBIdentity, in interfaces: [USBInterfaceLayout],
                       check: USBEndpointCheck) -> Result<USBEndpointSelection, USBLinkError> {
        let v = identity.vendorID, p = identity.productID
        guard let interface = interfaces.first(where: { $0.number == identity.interface }) else {
            return .failure(.interfaceMissing(vendorID: v, productID: p, interface: identity.interface,
                                              available: interfaces.map(\.number)))
        }
        let bulk = interface.endpoints.filter(\.isBulk)
        let outs = bulk.filter { !$0.isIn }
        let ins = bulk.filter(\.isIn)
        guard let firstOut = outs.first, let firstIn = ins.first else {
            return .failure(.bulkEndpointsMissing(vendorID: v, productID: p, interface: identity.interface,
                                                  found: bulk.map(\.address)))
        }
        let matchedOut = outs.first { $0.address == identity.endpointOut }
        let matchedIn = ins.first { $0.address == identity.endpointIn }
        if let matchedOut, let matchedIn {
            return .success(USBEndpointSelection(out: matchedOut, in: matchedIn, note: nil))
        }
        let out = matchedOut ?? firstOut
        let inp = matchedIn ?? firstIn
        switch check {
        case .strict:
            return .failure(.endpointMismatch(vendorID: v, productID: p, interface: identity.interface,
                                              expectedOut: identity.endpointOut, expectedIn: identity.endpointIn,
                                              foundOut: out.address, foundIn: inp.address))
        case .adoptDevice:
            let note = "the machine file says OUT \(USBLinkError.hex(identity.endpointOut)) / IN \(USBLinkError.hex(identity.endpointIn)); "
                + "using the device's bulk OUT \(USBLinkError.hex(out.address)) / IN \(USBLinkError.hex(inp.address)) as asked"
            return .success(USBEndpointSelection(out: out, in: inp, note: note))
        }
    }
}
