/// What a FunctionFS daemon writes to `ep0` before the gadget can be bound, and how it reads the
/// events that come back (linux/usb/functionfs.h; USB 2.0 spec chapter 9 for the descriptors).
///
/// The function is one vendor-specific interface with a bulk OUT endpoint (file `ep1`) and a bulk
/// IN endpoint (file `ep2`), described for full speed (64-byte packets) and high speed (512-byte
/// packets): dummy_udc and most controller boards' UDCs run at high speed, and a gadget without
/// high-speed descriptors cannot be bound there. The UDC may renumber the endpoints: the host
/// reads the real addresses from the configuration descriptor.
public enum FunctionFSDescriptors {
    // linux/usb/functionfs.h
    static let descriptorsMagicV2: UInt32 = 3
    static let stringsMagic: UInt32 = 2
    static let hasFullSpeed: UInt32 = 1
    static let hasHighSpeed: UInt32 = 2
    // USB 2.0, 9.4 and 9.6
    static let interfaceDescriptorType: UInt8 = 4
    static let endpointDescriptorType: UInt8 = 5
    static let vendorSpecificClass: UInt8 = 0xFF
    static let bulk: UInt8 = 0x02
    static let languageUSEnglish: UInt16 = 0x0409

    public static let fullSpeedMaxPacket = 64
    public static let highSpeedMaxPacket = 512

    /// The descriptors blob (`usb_functionfs_descs_head_v2` with full- and high-speed lists),
    /// asking for bulk OUT `endpointOut` and bulk IN `endpointIn` (the machine file's numbers).
    public static func descriptors(endpointOut: UInt8, endpointIn: UInt8) -> [UInt8] {
        var speeds: [UInt8] = []
        for maxPacket in [fullSpeedMaxPacket, highSpeedMaxPacket] {
            speeds += [9, interfaceDescriptorType, 0, 0, 2, vendorSpecificClass, 0, 0, 1]
            speeds += endpoint(address: endpointOut & 0x0F, maxPacket: maxPacket)
            speeds += endpoint(address: 0x80 | (endpointIn & 0x0F), maxPacket: maxPacket)
        }
        var blob: [UInt8] = []
        let length = 12 + 4 + 4 + speeds.count
        blob += le32(descriptorsMagicV2)
        blob += le32(UInt32(length))
        blob += le32(hasFullSpeed | hasHighSpeed)
        blob += le32(3)  // full-speed descriptors: interface + 2 endpoints
        blob += le32(3)  // high-speed descriptors
        blob += speeds
        return blob
    }

    /// The strings blob: one language (US English) with one string, the interface's name
    /// (`iInterface` = 1 above), NUL-terminated UTF-8.
    public static func strings(interface name: String) -> [UInt8] {
        let text = Array(name.utf8.filter { $0 != 0 }) + [0]
        var blob: [UInt8] = []
        blob += le32(stringsMagic)
        blob += le32(UInt32(16 + 2 + text.count))
        blob += le32(1)  // str_count
        blob += le32(1)  // lang_count
        blob += [UInt8(languageUSEnglish & 0xFF), UInt8(languageUSEnglish >> 8)]
        blob += text
        return blob
    }

    /// An endpoint descriptor without the audio fields (7 bytes): bulk, no polling interval.
    static func endpoint(address: UInt8, maxPacket: Int) -> [UInt8] {
        [7, endpointDescriptorType, address, bulk, UInt8(maxPacket & 0xFF), UInt8(maxPacket >> 8), 0]
    }

    static func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }

    /// How many of `available` queued bytes one write to the IN endpoint should take (at most
    /// `limit`). FunctionFS never sends a zero-length packet, so a write that is a whole number
    /// of packets would leave a host whose IN transfer is longer waiting for more. Keeping each
    /// write off a multiple of 64 ends it with a short packet at full speed and at high speed
    /// (512 is a multiple of 64); the byte held back goes first in the next write.
    public static func inWriteLength(available: Int, limit: Int) -> Int {
        var n = min(available, limit)
        if n > 1 && n % fullSpeedMaxPacket == 0 { n -= 1 }
        return n
    }
}
