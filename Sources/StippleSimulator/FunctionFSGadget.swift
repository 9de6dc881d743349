#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The simulated firmware as a real USB device: a `SimulatedMachine` served through Linux
/// FunctionFS, so Stipple's libusb backend talks to it over the kernel's USB stack (dummy_hcd in
/// the rig, or a board's device-mode port), exactly as to a controller board.
///
/// Given a mounted functionfs directory, `init` writes the descriptors and strings to `ep0`
/// (`FunctionFSDescriptors`), which makes the kernel create `ep1` (bulk OUT) and `ep2` (bulk IN);
/// the gadget can be bound to a UDC from then on. `run` serves in real time on CLOCK_MONOTONIC,
/// like `SimulatorServer`: every period it handles ep0 events, feeds what the host sent to the
/// machine, advances it to now and queues what it transmits.
///
/// FunctionFS endpoint files block (a read waits for the host's OUT transfer, a write until the
/// host has taken the IN data), so each data endpoint has a thread of its own, and the machine's
/// loop only exchanges bytes with them through two locked rings. ep0 is polled without blocking.
///
/// Unplug and replug are events, not the end: DISABLE or UNBIND makes the machine forget the host
/// (it keeps its state and its refresh deadline, so an armed machine stops by itself) and drops
/// what was queued for it; ENABLE starts a fresh connection that waits for `identify`.
public final class FunctionFSGadget: @unchecked Sendable {
    // @unchecked: `run` and the statistics it keeps belong to the thread that calls `run`; the
    // endpoint threads share only `IO`, whose fields are immutable, atomic or locked.

    /// What the gadget has done.
    public struct Statistics: Sendable, Hashable {
        public var binds = 0
        public var unbinds = 0
        public var enables = 0
        public var disables = 0
        public var suspends = 0
        public var resumes = 0
        /// Control requests passed to the function, all stalled (the protocol uses none).
        public var setupsStalled = 0
        public var bytesFromHost = 0
        public var bytesToHost = 0
        /// Bytes that arrived while the function was not enabled (dropped).
        public var bytesWhileDisabled = 0
        /// Frames the machine sent that did not fit the IN queue (the host was not reading).
        public var outboundOverflowBytes = 0
        public var inboundOverflowBytes = 0
        /// Failed endpoint reads/writes (ESHUTDOWN while the host is away is the usual one).
        public var readErrors = 0
        public var writeErrors = 0
        public var cycles = 0
        public var lateCycles = 0
        public init() {}
    }

    /// Bytes queued for the IN endpoint at most, and written per write(): a few packets.
    static let outboundCapacity = 4096
    static let writeChunk = 512

    public let directory: String
    public let machine: SimulatedMachine
    public let periodNanoseconds: UInt64
    /// Whether the host has configured the function (between ENABLE and DISABLE/UNBIND).
    public private(set) var isEnabled = false

    private var counts = Statistics()
    private let io: IO
    private let scratch: UnsafeMutableRawBufferPointer
    private let eventBuffer: UnsafeMutableRawBufferPointer
    private var threads: [FunctionFSEndpointThread] = []

    /// Writes the function's descriptors and strings to `directory/ep0` and opens `ep1`/`ep2`.
    /// The endpoint addresses asked for are the machine file's; `interfaceName` is the interface
    /// string the host sees (default: the machine's model, marked simulated).
    public init(directory: String, machine: SimulatedMachine, interfaceName: String? = nil,
                periodNanoseconds: UInt64 = 500_000) throws(FunctionFSGadgetError) {
        self.directory = directory
        self.machine = machine
        self.periodNanoseconds = max(periodNanoseconds, 10_000)
        // Checked before ep0 is opened: a gpio machine has no controller board to pretend to be.
        guard let usb = machine.machine.usb else { throw .noUSBIdentity(machine: machine.machine.name) }
        let ep0 = open(directory + "/ep0", O_RDWR)
        guard ep0 >= 0 else { throw .noEndpointZero(directory: directory, errno: errno) }
        let descriptors = FunctionFSDescriptors.descriptors(endpointOut: usb.endpointOut, endpointIn: usb.endpointIn)
        let strings = FunctionFSDescriptors.strings(interface: interfaceName ?? "\(machine.machine.model) (simulated)")
        for (what, blob) in [("descriptors", descriptors), ("strings", strings)] {
            let n = blob.withUnsafeBytes { write(ep0, $0.baseAddress, $0.count) }
            guard n == blob.count else {
                let e = n < 0 ? errno : EIO
                close(ep0)
                throw .refused(what: what, directory: directory, errno: e)
            }
        }
        // The kernel creates the endpoint files as the strings are accepted.
        let out = open(directory + "/ep1", O_RDWR)
        guard out >= 0 else {
            let e = errno
            close(ep0)
            throw .endpoint(path: directory + "/ep1", errno: e)
        }
        let inp = open(directory + "/ep2", O_RDWR)
        guard inp >= 0 else {
            let e = errno
            close(out)
            close(ep0)
            throw .endpoint(path: directory + "/ep2", errno: e)
        }
        io = IO(ep0: ep0, out: out, in: inp)
        scratch = .allocate(byteCount: 4096, alignment: 8)
        eventBuffer = .allocate(byteCount: FunctionFSEvent.size * 8, alignment: 8)
    }

    deinit {
        stopThreads()
        if threads.allSatisfy(\.finished) { io.closeAll() }
        scratch.deallocate()
        eventBuffer.deallocate()
    }

    /// What the gadget has done so far (the endpoint threads' counts included).
    public var statistics: Statistics {
        var s = counts
        s.bytesFromHost = io.bytesFromHost.load(ordering: .relaxed)
        s.bytesToHost = io.bytesToHost.load(ordering: .relaxed)
        s.inboundOverflowBytes = io.inboundOverflow.load(ordering: .relaxed)
        s.readErrors = io.readErrors.load(ordering: .relaxed)
        s.writeErrors = io.writeErrors.load(ordering: .relaxed)
        return s
    }

    /// Serves until `stop` becomes true (checked every period), then stops the endpoint threads.
    public func run(stop: borrowing Atomic<Bool>) throws(FunctionFSGadgetError) {
        try startThreads()
        defer { stopThreads() }
        var next = Self.monotonicNow()
        while !stop.load(ordering: .acquiring) {
            let now = Self.monotonicNow()
            counts.cycles += 1
            handleEndpointZero()
            feedMachine(now: now)
            var queued = false
            machine.advance(to: now) { frame in
                guard isEnabled else { return }
                if io.outbound.write(frame) { queued = true } else { counts.outboundOverflowBytes += frame.count }
            }
            if queued { io.wakeWriter() }
            next += periodNanoseconds
            if next <= now {
                counts.lateCycles += 1
                next = now + periodNanoseconds
            }
            Self.sleep(until: next)
        }
    }

    // MARK: The machine's loop

    private func feedMachine(now: UInt64) {
        while true {
            let n = io.inbound.read(into: scratch)
            guard n > 0 else { return }
            if isEnabled {
                machine.receiveFromHost(UnsafeRawBufferPointer(rebasing: scratch[0..<n]), now: now)
            } else {
                counts.bytesWhileDisabled += n
            }
        }
    }

    private func handleEndpointZero() {
        var p = pollfd(fd: io.ep0, events: Int16(POLLIN), revents: 0)
        while poll(&p, 1, 0) == 1 && p.revents & Int16(POLLIN) != 0 {
            let n = read(io.ep0, eventBuffer.baseAddress, eventBuffer.count)
            guard n >= FunctionFSEvent.size else { return }
            for event in FunctionFSEvent.parse(UnsafeRawBufferPointer(rebasing: eventBuffer[0..<n])) { handle(event) }
            p.revents = 0
        }
    }

    func handle(_ event: FunctionFSEvent) {
        switch event {
        case .bind:
            counts.binds += 1
        case .enable:
            counts.enables += 1
            // What ep1 has already read came after the host configured us: it is the new
            // host's first identify, keep it.
            forgetHost(keepingInbound: true)
            isEnabled = true
        case .disable:
            counts.disables += 1
            isEnabled = false
            forgetHost(keepingInbound: false)
        case .unbind:
            counts.unbinds += 1
            isEnabled = false
            forgetHost(keepingInbound: false)
        case .setup(let requestType, _, _, _, _):
            // No class or vendor requests in this protocol: stall. FunctionFS stalls when ep0 is
            // read for an IN request, or written for an OUT one (the "wrong" direction).
            counts.setupsStalled += 1
            var byte: UInt8 = 0
            if requestType & 0x80 != 0 { _ = read(io.ep0, &byte, 0) } else { _ = write(io.ep0, &byte, 0) }
        case .suspend:
            counts.suspends += 1
        case .resume:
            counts.resumes += 1
        case .unknown:
            break
        }
    }

    /// A new or vanished host: nothing queued for the old one goes to the next, and the machine
    /// waits for `identify`.
    private func forgetHost(keepingInbound: Bool) {
        io.outbound.removeAll()
        if !keepingInbound { io.inbound.removeAll() }
        io.generation.add(1, ordering: .releasing)
        machine.hostDisconnected()
    }

    // MARK: Endpoint threads

    /// Shared with the endpoint threads, which keep it alive even if one outlives the gadget.
    final class IO: @unchecked Sendable {
        let ep0: Int32
        let out: Int32
        let `in`: Int32
        let inbound = LockedByteRing(capacity: 65_536)
        /// Small, as a board's endpoint FIFO is: what the machine sends while no host reads is
        /// dropped here (its link retransmits), not stored up to greet the next host with stale
        /// frames.
        let outbound = LockedByteRing(capacity: FunctionFSGadget.outboundCapacity)
        let stop = Atomic<Bool>(false)
        /// Moves on at every ENABLE/DISABLE/UNBIND, so a write prepared for one host is not
        /// sent to the next.
        let generation = Atomic<Int>(0)
        let bytesFromHost = Atomic<Int>(0)
        let bytesToHost = Atomic<Int>(0)
        let inboundOverflow = Atomic<Int>(0)
        let readErrors = Atomic<Int>(0)
        let writeErrors = Atomic<Int>(0)
        private let wake: UnsafeMutablePointer<sem_t>

        init(ep0: Int32, out: Int32, in inp: Int32) {
            self.ep0 = ep0
            self.out = out
            self.in = inp
            wake = .allocate(capacity: 1)
            sem_init(wake, 0, 0)
        }

        deinit {
            sem_destroy(wake)
            wake.deallocate()
        }

        func wakeWriter() { sem_post(wake) }

        func closeAll() {
            close(self.in)
            close(out)
            close(ep0)
        }

        /// ep1: every OUT transfer the host makes ends one read (the buffer is larger than any
        /// transfer the host sends, so none is split across reads).
        func readLoop() {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16_384, alignment: 8)
            defer { buffer.deallocate() }
            while !stop.load(ordering: .acquiring) {
                let n = read(out, buffer.baseAddress, buffer.count)
                if n > 0 {
                    bytesFromHost.add(n, ordering: .relaxed)
                    if !inbound.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) {
                        inboundOverflow.add(n, ordering: .relaxed)
                    }
                } else if n < 0 && errno != EINTR {
                    // ESHUTDOWN: the host went away mid-transfer. The next read waits for ENABLE.
                    readErrors.add(1, ordering: .relaxed)
                    usleep(1000)
                }
            }
        }

        /// ep2: writes what the machine queued, a chunk at a time, each ending in a short packet.
        func writeLoop() {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FunctionFSGadget.writeChunk, alignment: 8)
            defer { buffer.deallocate() }
            while !stop.load(ordering: .acquiring) {
                sem_wait(wake)
                while !stop.load(ordering: .acquiring) {
                    let g = generation.load(ordering: .acquiring)
                    let n = outbound.read(into: buffer) { FunctionFSDescriptors.inWriteLength(available: $0, limit: FunctionFSGadget.writeChunk) }
                    if n == 0 { break }
                    guard generation.load(ordering: .acquiring) == g else { continue }
                    var offset = 0
                    while offset < n && !stop.load(ordering: .acquiring) {
                        let w = write(self.in, buffer.baseAddress! + offset, n - offset)
                        if w > 0 {
                            offset += w
                            bytesToHost.add(w, ordering: .relaxed)
                        } else if w < 0 && errno == EINTR {
                            continue
                        } else {
                            // The host is gone (ESHUTDOWN): these bytes were for it only.
                            writeErrors.add(1, ordering: .relaxed)
                            break
                        }
                    }
                }
            }
        }
    }

    private func startThreads() throws(FunctionFSGadgetError) {
        guard threads.isEmpty else { return }
        io.stop.store(false, ordering: .releasing)
        FunctionFSEndpointThread.installInterruptHandler()
        let io = self.io
        for body in [{ io.readLoop() }, { io.writeLoop() }] as [@Sendable () -> Void] {
            switch FunctionFSEndpointThread.start(body) {
            case .some(let t): threads.append(t)
            case .none:
                let e = errno
                stopThreads()
                throw .thread(errno: e)
            }
        }
    }

    /// Asks the endpoint threads to stop and interrupts their blocking read/write with a signal
    /// (repeated, in case one arrived just before the thread blocked); waits up to 1 s.
    private func stopThreads() {
        guard !threads.isEmpty else { return }
        io.stop.store(true, ordering: .releasing)
        for _ in 0..<100 {
            io.wakeWriter()
            for t in threads where !t.finished { t.interrupt() }
            if threads.allSatisfy(\.finished) { break }
            usleep(10_000)
        }
        for t in threads where t.finished { t.join() }
        threads.removeAll { $0.finished }
    }

    static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private static func sleep(until t: UInt64) {
        var ts = timespec(tv_sec: Int(t / 1_000_000_000), tv_nsec: Int(t % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
