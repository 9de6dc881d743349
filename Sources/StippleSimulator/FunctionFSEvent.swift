/// An event read from a FunctionFS `ep0` (`struct usb_functionfs_event`: the 8-byte setup
/// packet, the type, 3 bytes of padding).
public enum FunctionFSEvent: Sendable, Hashable {
    case bind
    case unbind
    case enable
    case disable
    /// A control request the kernel passed to the function (class or vendor requests to its
    /// interface); the daemon must answer or stall it.
    case setup(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt16)
    case suspend
    case resume
    case unknown(UInt8)

    public static let size = 12

    /// The events in `bytes` (whole events only; a trailing partial one is ignored).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [FunctionFSEvent] {
        var events: [FunctionFSEvent] = []
        var i = 0
        while i + size <= bytes.count {
            let type = bytes[i + 8]
            func u16(_ k: Int) -> UInt16 { UInt16(bytes[i + k]) | UInt16(bytes[i + k + 1]) << 8 }
            switch type {
            case 0: events.append(.bind)
            case 1: events.append(.unbind)
            case 2: events.append(.enable)
            case 3: events.append(.disable)
            case 4: events.append(.setup(requestType: bytes[i], request: bytes[i + 1], value: u16(2), index: u16(4), length: u16(6)))
            case 5: events.append(.suspend)
            case 6: events.append(.resume)
            default: events.append(.unknown(type))
            }
            i += size
        }
        return events
    }

    public var name: String {
        switch self {
        case .bind: "BIND"
        case .unbind: "UNBIND"
        case .enable: "ENABLE"
        case .disable: "DISABLE"
        case .setup: "SETUP"
        case .suspend: "SUSPEND"
        case .resume: "RESUME"
        case .unknown(let t): "event \(t)"
        }
    }
}
