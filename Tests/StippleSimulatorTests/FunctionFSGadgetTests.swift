import Foundation
import Synchronization
import Testing
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The FunctionFS gadget without a kernel: its ep0 blobs byte for byte against the kernel
/// header's layout, its event parsing and IN-write sizing, and the whole daemon run over named
/// pipes standing in for ep0/ep1/ep2 (a host does identify, the function is disabled and enabled
/// again, the gadget stops). What pipes cannot show (transfer boundaries, ESHUTDOWN, dummy_hcd)
/// is the rig's to check.
@Suite("FunctionFS gadget")
struct FunctionFSGadgetTests {
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static func machine(_ name: String = "rotary-r1") throws -> SimulatedMachine {
        let catalog = HardwareCatalog(layers: [.embedded])
        return SimulatedMachine(machine: try catalog.machine(named: name).spec,
                                cartridge: try catalog.cartridge(named: "1RL-0.25").cartridge,
                                cartridgeID: 42, serial: 0x5717_0003, gpio: nil, seed: 1, telemetryHertz: 100)
    }

    // MARK: ep0 blobs

    /// The bytes of ffs_echo.c's `descriptors` struct built from <linux/usb/functionfs.h> and
    /// <linux/usb/ch9.h> (gcc, x86-64) with OUT 0x01 / IN 0x81: what the kernel parses.
    static let kernelLayoutR1 = hex(
        "03000000" + "42000000" + "03000000" + "03000000" + "03000000"
            + "0904000002ff000001" + "07050102400000" + "07058102400000"
            + "0904000002ff000001" + "07050102000200" + "07058102000200")

    @Test func descriptorsMatchTheKernelHeadersLayoutForFullAndHighSpeed() {
        let blob = FunctionFSDescriptors.descriptors(endpointOut: 0x01, endpointIn: 0x81)
        #expect(blob == Self.kernelLayoutR1)
        #expect(blob.count == 66)
    }

    @Test func descriptorsFieldByField() {
        let b = FunctionFSDescriptors.descriptors(endpointOut: 0x02, endpointIn: 0x82)
        func le32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        #expect(le32(0) == 3, "FUNCTIONFS_DESCRIPTORS_MAGIC_V2")
        #expect(le32(4) == UInt32(b.count), "length of the whole blob")
        #expect(le32(8) == 1 | 2, "FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC")
        #expect(le32(12) == 3 && le32(16) == 3, "fs_count, hs_count")
        for (base, packet) in [(20, 64), (43, 512)] {
            // Interface: bLength 9, INTERFACE, number 0, alt 0, 2 endpoints, vendor class 0xFF, iInterface 1.
            #expect(Array(b[base..<base + 9]) == [9, 4, 0, 0, 2, 0xFF, 0, 0, 1])
            // Endpoints: bLength 7, ENDPOINT, address, bulk, wMaxPacketSize LE, bInterval 0.
            #expect(Array(b[base + 9..<base + 16]) == [7, 5, 0x02, 2, UInt8(packet & 0xFF), UInt8(packet >> 8), 0])
            #expect(Array(b[base + 16..<base + 23]) == [7, 5, 0x82, 2, UInt8(packet & 0xFF), UInt8(packet >> 8), 0])
        }
    }

    @Test func stringsAreOneUSEnglishInterfaceNameNULTerminated() {
        let name = "Stipple R1 rotary pen, stepper depth stage (simulated)"
        let blob = FunctionFSDescriptors.strings(interface: name)
        // From <linux/usb/functionfs.h>'s usb_functionfs_strings_head, as ffs_echo.c lays it out.
        #expect(blob == Self.hex("02000000" + "49000000" + "01000000" + "01000000" + "0904") + Array(name.utf8) + [0])
        #expect(blob.count == 73)
    }

    @Test func eventsAreTwelveBytesWithTheTypeAtOffsetEightAndTheSetupPacketFirst() {
        var bytes: [UInt8] = []
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // BIND
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]  // ENABLE
        bytes += [0xC1, 0x33, 0x34, 0x12, 0x01, 0x00, 0x40, 0x00, 4, 0, 0, 0]  // SETUP vendor IN to interface 1
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]  // DISABLE
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]  // UNBIND
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0]  // SUSPEND, RESUME
        bytes += [0, 0, 0, 0, 0, 0, 0]  // a partial event is not one
        let events = bytes.withUnsafeBytes { FunctionFSEvent.parse($0) }
        #expect(events == [.bind, .enable, .setup(requestType: 0xC1, request: 0x33, value: 0x1234, index: 1, length: 64),
                           .disable, .unbind, .suspend, .resume])
        #expect(events.map(\.name) == ["BIND", "ENABLE", "SETUP", "DISABLE", "UNBIND", "SUSPEND", "RESUME"])
    }

    @Test func anINWriteNeverEndsOnAWholePacket() {
        #expect(FunctionFSDescriptors.inWriteLength(available: 0, limit: 4096) == 0)
        #expect(FunctionFSDescriptors.inWriteLength(available: 1, limit: 4096) == 1)
        #expect(FunctionFSDescriptors.inWriteLength(available: 40, limit: 4096) == 40)
        #expect(FunctionFSDescriptors.inWriteLength(available: 64, limit: 4096) == 63)
        #expect(FunctionFSDescriptors.inWriteLength(available: 512, limit: 4096) == 511)
        #expect(FunctionFSDescriptors.inWriteLength(available: 9000, limit: 4096) == 4095)
        for available in 1...2048 {
            let n = FunctionFSDescriptors.inWriteLength(available: available, limit: 4096)
            #expect(n >= 1 && n <= available && (n % 64 != 0), "\(available) -> \(n)")
        }
    }

    // MARK: The daemon over pipes

    /// ep0, ep1 and ep2 as named pipes: what the gadget writes to ep0 can be read back, events are
    /// written into it, ep1 carries host bytes in and ep2 the machine's bytes out.
    final class PipeFunctionFS {
        let directory: String
        let ep0: Int32
        let hostOut: Int32
        let hostIn: Int32

        init() throws {
            directory = NSTemporaryDirectory() + "stipple-ffs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for ep in ["ep0", "ep1", "ep2"] { #expect(mkfifo(directory + "/" + ep, 0o600) == 0) }
            // Read-write so none of these opens waits for the other end.
            ep0 = open(directory + "/ep0", O_RDWR | O_NONBLOCK)
            hostOut = open(directory + "/ep1", O_RDWR | O_NONBLOCK)
            hostIn = open(directory + "/ep2", O_RDWR | O_NONBLOCK)
        }

        deinit {
            close(ep0)
            close(hostOut)
            close(hostIn)
            try? FileManager.default.removeItem(atPath: directory)
        }

        func readEP0(max: Int) -> [UInt8] {
            var b = [UInt8](repeating: 0, count: max)
            let n = read(ep0, &b, max)
            return n > 0 ? Array(b.prefix(n)) : []
        }

        func event(_ type: UInt8, setup: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]) {
            let record = setup + [type, 0, 0, 0]
            #expect(write(ep0, record, record.count) == 12)
        }
    }

    /// The host's side over the pipes: a host-role ReliableLink.
    final class PipeHost {
        let fs: PipeFunctionFS
        var link = ReliableLink(role: .host, now: SystemMonotonicClock().now().nanoseconds)
        var messages: [Message] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let clock = SystemMonotonicClock()

        init(_ fs: PipeFunctionFS) { self.fs = fs }

        func restart() {
            link = ReliableLink(role: .host, now: clock.now().nanoseconds)
            messages.removeAll()
        }

        func run(seconds: Double, until done: ([Message]) -> Bool) {
            let end = clock.now().nanoseconds + UInt64(seconds * 1e9)
            while clock.now().nanoseconds < end {
                let now = clock.now().nanoseconds
                while true {
                    let n = read(fs.hostIn, &buffer, buffer.count)
                    if n <= 0 { break }
                    buffer.withUnsafeBytes { link.receive(UnsafeRawBufferPointer(rebasing: $0[0..<n]), now: now) { messages.append($0) } }
                }
                link.poll(now: now) { frame in _ = write(fs.hostOut, frame.baseAddress, frame.count) }
                if done(messages) { return }
                usleep(500)
            }
        }

        func identified(nonce: UInt32) -> IdentifyReply? {
            messages.compactMap { m -> IdentifyReply? in if case .identifyReply(let r) = m, r.nonce == nonce { r } else { nil } }.first
        }
    }

    final class Running: Sendable {
        let stop = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func theDaemonWritesItsBlobsAnswersAHostAndSurvivesDisableAndEnable() throws {
        let fs = try PipeFunctionFS()
        let machine = try Self.machine()
        let gadget = try FunctionFSGadget(directory: fs.directory, machine: machine)
        let written = fs.readEP0(max: 1024)
        let strings = FunctionFSDescriptors.strings(interface: "Stipple R1 rotary pen, stepper depth stage (simulated)")
        #expect(written == Self.kernelLayoutR1 + strings, "descriptors, then strings, each in one write")

        let running = Running()
        let thread = Thread {
            do { try gadget.run(stop: running.stop) } catch { Issue.record("\(error)") }
            running.finished.signal()
        }
        thread.start()
        var stopped = false
        defer {
            if !stopped {
                running.stop.store(true, ordering: .releasing)
                _ = running.finished.wait(timeout: .now() + 5)
            }
        }

        // Bytes before the host has configured the function are not the machine's.
        let host = PipeHost(fs)
        try host.link.send(Handshake.request(nonce: 0x1111))
        host.run(seconds: 0.1) { _ in false }
        #expect(host.identified(nonce: 0x1111) == nil)

        fs.event(0)  // BIND
        fs.event(2)  // ENABLE
        host.restart()
        try host.link.send(Handshake.request(nonce: 0x2222))
        host.run(seconds: 5) { _ in host.identified(nonce: 0x2222) != nil }
        let reply = try #require(host.identified(nonce: 0x2222), "identify answered over ep1/ep2")
        #expect(reply.serial == 0x5717_0003 && reply.tableHash == MessageTable.tableHash)
        try host.link.send(.arm)
        host.run(seconds: 2) { $0.contains { if case .commandResult(0x06, 0, _) = $0 { true } else { false } } }
        #expect(host.messages.contains { if case .commandResult(0x06, 0, _) = $0 { true } else { false } }, "armed")

        // Unplug (DISABLE, UNBIND) while armed and without heartbeats: the machine forgets the
        // host but keeps its state and its deadline, so it stops by itself.
        fs.event(3)
        fs.event(1)
        host.run(seconds: 0.3) { _ in false }

        // A SETUP passed to the function is stalled (IN request: a zero-length read of ep0).
        fs.event(4, setup: [0xC1, 0x01, 0, 0, 0, 0, 8, 0])

        // Replug: BIND, ENABLE; a new host connects as if for the first time.
        fs.event(0)
        fs.event(2)
        host.restart()
        try host.link.send(Handshake.request(nonce: 0x3333))
        host.run(seconds: 5) { _ in host.identified(nonce: 0x3333) != nil }
        #expect(host.identified(nonce: 0x3333) != nil, "served again after unbind and rebind")
        let telemetry: (Message) -> Telemetry? = { if case .telemetry(let t) = $0 { t } else { nil } }
        host.run(seconds: 2) { $0.contains { telemetry($0) != nil } }
        let flags = try #require(host.messages.compactMap(telemetry).last?.stateFlags)
        #expect(flags & 0x01 == 0 && flags & 0x10 != 0, "not armed, fault latched: the deadline tripped while unplugged")

        let stopAsked = Date()
        running.stop.store(true, ordering: .releasing)
        stopped = running.finished.wait(timeout: .now() + 5) == .success
        // The reader blocks in read(ep1) and the writer in sem_wait: a signal gets them out at
        // once (the stop gives up on a thread after 1 s).
        #expect(stopped && Date().timeIntervalSince(stopAsked) < 0.5, "run returns when told, its endpoint threads interrupted")
        let s = gadget.statistics
        #expect(s.binds == 2 && s.enables == 2 && s.disables == 1 && s.unbinds == 1 && s.setupsStalled == 1)
        #expect(s.bytesWhileDisabled > 0 && s.bytesFromHost > 0 && s.bytesToHost > 0)
        #expect(s.inboundOverflowBytes == 0 && s.readErrors == 0)
        #expect(machine.status.latchedFault == 1, "heartbeat-timeout")
    }

    @Test func aDirectoryWithoutEp0SaysToMountFunctionFSFirst() throws {
        let error = try #require(throws: FunctionFSGadgetError.self) {
            _ = try FunctionFSGadget(directory: "/nonexistent/ffs", machine: try Self.machine())
        }
        #expect(error == .noEndpointZero(directory: "/nonexistent/ffs", errno: ENOENT))
        #expect(error.description.contains("Mount functionfs there first (Hardware/rig/guest/usb-setup.sh VID PID /nonexistent/ffs)"))
    }
}
