#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StippleHardware

/// The host's end of a Unix-socket connection to a `SimulatorServer`, behind the `DeviceLink`
/// seam: the control loop cannot tell it from the USB backend. `receive` never blocks; a peer
/// that has gone (EOF, EPIPE, ECONNRESET) is `LinkError.disconnected`, as an unplugged cable is.
public final class SocketDeviceLink: DeviceLink {
    public let path: String
    private var fd: Int32
    /// How long `send` waits for room in the socket before giving up with `.timedOut`.
    public var sendTimeoutMilliseconds: Int32 = 100

    public init(path: String) throws(LinkError) {
        self.path = path
        let s = UnixSocketAddress.streamSocket()
        guard s >= 0 else { throw .io(operation: "socket", code: errno) }
        let r = UnixSocketAddress.with(path: path) { connect(s, $0, $1) }
        guard let r else {
            close(s)
            throw .io(operation: "connect (path too long: \(path))", code: ENAMETOOLONG)
        }
        if r != 0 {
            var e = errno
            if e == EINPROGRESS || e == EAGAIN {
                // A Unix socket connects at once unless the backlog is full; give it a moment.
                var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
                e = poll(&p, 1, 1000) == 1 ? Self.pendingError(s) : ETIMEDOUT
            }
            guard e == 0 else {
                close(s)
                throw .io(operation: "connect to \(path)", code: e)
            }
        }
        fd = s
    }

    deinit { disconnect() }

    public var isConnected: Bool { fd >= 0 }

    /// Closes the socket; the server then sees the host go away. Later calls throw `.disconnected`.
    public func disconnect() {
        if fd >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
            fd = -1
        }
    }

    public func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError) {
        guard fd >= 0 else { throw .disconnected }
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let n = Glibc.send(fd, base + offset, bytes.count - offset, UnixSocketAddress.sendFlags)
            #else
            let n = Darwin.send(fd, base + offset, bytes.count - offset, UnixSocketAddress.sendFlags)
            #endif
            if n > 0 {
                offset += n
                continue
            }
            let e = errno
            switch e {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&p, 1, sendTimeoutMilliseconds) != 1 { throw .timedOut }
            case EPIPE, ECONNRESET, ENOTCONN:
                disconnect()
                throw .disconnected
            default:
                throw .io(operation: "send", code: e)
            }
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int {
        guard fd >= 0 else { throw .disconnected }
        guard !buffer.isEmpty else { return 0 }
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return n }
            if n == 0 {
                disconnect()
                throw .disconnected
            }
            let e = errno
            switch e {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            case ECONNRESET, ENOTCONN, EPIPE:
                disconnect()
                throw .disconnected
            default:
                throw .io(operation: "receive", code: e)
            }
        }
    }

    private static func pendingError(_ fd: Int32) -> Int32 {
        var e: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len)
        return e
    }
}
