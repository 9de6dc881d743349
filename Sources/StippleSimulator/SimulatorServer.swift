#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StippleHardware
import Synchronization

/// Runs a `SimulatedMachine` as a separate process would: against the real CLOCK_MONOTONIC,
/// reachable over a Unix domain socket by a host using `SocketDeviceLink`, so the whole stack
/// (real-time loop, socket I/O, the e-stop thread) can be exercised without hardware.
///
/// One host at a time: a second connection waits in the backlog until the first closes. When a
/// host goes away the machine forgets the connection (it waits for the next `identify`) but
/// keeps its state and its refresh deadline: an armed machine whose host vanished stops by
/// itself, as the real one must.
///
/// The loop is deliberately plain: every period, accept or read, advance the machine to now,
/// write what it transmitted, sleep to an absolute deadline.
public final class SimulatorServer: @unchecked Sendable {
    // @unchecked: built on one thread and then used only by the thread that calls `run`;
    // `statistics` and `machine` are read by others only after `run` has returned.

    public let path: String
    public let machine: SimulatedMachine
    public let periodNanoseconds: UInt64
    public private(set) var statistics = Statistics()

    /// What the loop did.
    public struct Statistics: Sendable, Hashable {
        public var connectionsAccepted = 0
        public var bytesFromHost = 0
        public var bytesToHost = 0
        /// Bytes the host did not take in time (its socket buffer and ours were full).
        public var overflowBytes = 0
        public var cycles = 0
        /// Cycles that began a whole period or more late (the loop then skips ahead, not catching up).
        public var lateCycles = 0
        public init() {}
    }

    private let listener: Int32
    private var client: Int32 = -1
    private let inbound: UnsafeMutableRawBufferPointer
    private let outbound = ByteRing(capacity: 65_536)

    /// Binds and listens on `path`. A stale socket file left by a dead server is replaced; a live
    /// server's socket, or any other file, is refused.
    public init(path: String, machine: SimulatedMachine, periodNanoseconds: UInt64 = 500_000) throws(SimulatorServerError) {
        self.path = path
        self.machine = machine
        self.periodNanoseconds = max(periodNanoseconds, 10_000)
        guard UnixSocketAddress.with(path: path, { _, _ in true }) != nil else {
            throw .pathTooLong(path: path, limit: UnixSocketAddress.pathLimit)
        }
        var existing = stat()
        if lstat(path, &existing) == 0 {
            // Only a socket file (a server that died) is replaced; anything else is refused.
            guard existing.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
            if Self.someoneListens(at: path) { throw .inUse(path: path) }
            unlink(path)
        }
        let fd = UnixSocketAddress.streamSocket()
        guard fd >= 0 else { throw .system(operation: "socket", path: path, errno: errno) }
        let bound = UnixSocketAddress.with(path: path) { bind(fd, $0, $1) } ?? -1
        guard bound == 0 else {
            let e = errno
            close(fd)
            throw .system(operation: "bind", path: path, errno: e)
        }
        guard listen(fd, 1) == 0 else {
            let e = errno
            close(fd)
            unlink(path)
            throw .system(operation: "listen", path: path, errno: e)
        }
        listener = fd
        inbound = .allocate(byteCount: 4096, alignment: 8)
    }

    deinit {
        if client >= 0 { close(client) }
        close(listener)
        unlink(path)
        inbound.deallocate()
    }

    private static func someoneListens(at path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return UnixSocketAddress.with(path: path) { connect(fd, $0, $1) } == 0
    }

    /// Serves until `stop` becomes true (checked every period).
    public func run(stop: borrowing Atomic<Bool>) {
        var next = Self.monotonicNow()
        while !stop.load(ordering: .acquiring) {
            let now = Self.monotonicNow()
            statistics.cycles += 1
            if client < 0 { acceptHost() }
            if client >= 0 { readHost(now: now) }
            machine.advance(to: now) { frame in
                guard client >= 0 else { return }
                if !outbound.write(frame) { statistics.overflowBytes += frame.count }
            }
            if client >= 0 { writeHost() }
            next += periodNanoseconds
            if next <= now {
                statistics.lateCycles += 1
                next = now + periodNanoseconds
            }
            Self.sleep(until: next)
        }
    }

    private func acceptHost() {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        UnixSocketAddress.setNonblocking(fd)
        client = fd
        statistics.connectionsAccepted += 1
        outbound.removeAll()
        // A new host starts with identify; until then the machine says nothing.
        machine.hostDisconnected()
    }

    private func readHost(now: UInt64) {
        while client >= 0 {
            let n = recv(client, inbound.baseAddress, inbound.count, 0)
            if n > 0 {
                statistics.bytesFromHost += n
                machine.receiveFromHost(UnsafeRawBufferPointer(rebasing: inbound[0..<n]), now: now)
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            dropHost()  // 0: the host closed; otherwise reset or worse
        }
    }

    private func writeHost() {
        while client >= 0 && outbound.count > 0 {
            let run = outbound.peekContiguous()
            let n = send(client, run.baseAddress, run.count, UnixSocketAddress.sendFlags)
            if n > 0 {
                statistics.bytesToHost += n
                outbound.discard(n)
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return
            } else {
                dropHost()
            }
        }
    }

    private func dropHost() {
        close(client)
        client = -1
        outbound.removeAll()
        machine.hostDisconnected()
    }

    static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private static func sleep(until t: UInt64) {
        var ts = timespec(tv_sec: Int(t / 1_000_000_000), tv_nsec: Int(t % 1_000_000_000))
        #if canImport(Glibc)
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
        #else
        let now = monotonicNow()
        if t > now { usleep(useconds_t((t - now) / 1000)) }
        _ = ts
        #endif
    }
}
