/// Why a link to the machine's controller board failed.
public enum LinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The device went away (unplugged, powered off, simulator exited).
    case disconnected
    case timedOut
    case io(operation: String, code: Int32)

    public var description: String {
        switch self {
        case .disconnected: "link to the machine lost (device disconnected)"
        case .timedOut: "link to the machine timed out"
        case .io(let op, let code): "link \(op) failed (code \(code))"
        }
    }
}

/// The seam for the byte stream to the controller board: libusb bulk endpoints in production,
/// a socket or in-memory pipe to the simulator otherwise. Frames are the Wire module's business.
public protocol DeviceLink: AnyObject {
    func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError)
    /// Copies what has arrived into `buffer` without blocking; returns the byte count (0 if none).
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int
}
