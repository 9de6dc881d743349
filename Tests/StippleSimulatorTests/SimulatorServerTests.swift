import Foundation
import Synchronization
import Testing
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The simulator as a separate process would run it: real CLOCK_MONOTONIC, a Unix socket, a host
/// on the other end with `SocketDeviceLink`. Server and host share this process for the test.
@Suite("Simulator server")
struct SimulatorServerTests {
    final class Flag: Sendable {
        let stop = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
    }

    static func socketPath() -> String {
        "/tmp/stipple-sim-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    static func machine() throws -> SimulatedMachine {
        let catalog = HardwareCatalog(layers: [.embedded])
        return SimulatedMachine(machine: try catalog.machine(named: "rotary-r1").spec,
                                cartridge: try catalog.cartridge(named: "1RL-0.25").cartridge,
                                cartridgeID: 42, serial: 0xBEEF, gpio: nil, seed: 1)
    }

    /// Runs the host side against the socket for `seconds` of real time.
    final class SocketHost {
        let device: SocketDeviceLink
        let link: ReliableLink
        let clock = SystemMonotonicClock()
        var messages: [Message] = []
        var heartbeats: UInt32 = 0
        var nextHeartbeat: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        var sendErrors = 0

        init(path: String) throws {
            device = try SocketDeviceLink(path: path)
            link = ReliableLink(role: .host, now: SystemMonotonicClock().now().nanoseconds)
        }

        func run(seconds: Double, heartbeating: Bool, until done: (([Message]) -> Bool)? = nil) throws {
            let end = clock.now().nanoseconds + UInt64(seconds * 1e9)
            while clock.now().nanoseconds < end {
                let now = clock.now().nanoseconds
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try device.receive(into: $0) }
                    if n == 0 { break }
                    buffer.withUnsafeBytes { link.receive(UnsafeRawBufferPointer(rebasing: $0[0..<n]), now: now) { messages.append($0) } }
                }
                if heartbeating && now >= nextHeartbeat {
                    heartbeats += 1
                    try link.send(.heartbeat(counter: heartbeats))
                    nextHeartbeat = now + 10_000_000
                }
                link.poll(now: now) { frame in
                    do throws(LinkError) { try device.send(frame) } catch { sendErrors += 1 }
                }
                if let done, done(messages) { return }
                usleep(500)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aHostConnectsOverTheSocketGetsTelemetryInRealTimeAndAnAbandonedMachineStopsItself() throws {
        let path = Self.socketPath()
        let server = try SimulatorServer(path: path, machine: try Self.machine())
        let flag = Flag()
        let thread = Thread {
            server.run(stop: flag.stop)
            flag.finished.signal()
        }
        thread.start()
        var joined = false
        defer {
            if !joined {
                flag.stop.store(true, ordering: .releasing)
                _ = flag.finished.wait(timeout: .now() + 5)
            }
        }

        let host = try SocketHost(path: path)
        try host.link.send(Handshake.request(nonce: 0xFEED))
        try host.run(seconds: 2, heartbeating: false) { $0.contains { if case .identifyReply = $0 { true } else { false } } }
        let reply = host.messages.compactMap { m -> IdentifyReply? in if case .identifyReply(let r) = m { r } else { nil } }.first
        #expect(reply?.nonce == 0xFEED && reply?.tableHash == MessageTable.tableHash && reply?.serial == 0xBEEF)

        try host.link.send(.arm)
        let before = host.messages.count
        let t0 = host.clock.now().nanoseconds
        try host.run(seconds: 0.4, heartbeating: true)
        let seconds = Double(host.clock.now().nanoseconds - t0) / 1e9
        let telemetry = host.messages.dropFirst(before).compactMap { m -> Telemetry? in if case .telemetry(let t) = m { t } else { nil } }
        let perSecond = Double(telemetry.count) / seconds
        #expect(perSecond > 400 && perSecond < 560, "\(telemetry.count) samples in \(seconds) s")
        #expect(host.messages.contains { if case .commandResult(0x06, 0, _) = $0 { true } else { false } }, "armed")
        #expect(telemetry.last.map { $0.stateFlags & 1 } == 1)
        #expect(!host.link.isDown && host.sendErrors == 0)
        print("socket: \(telemetry.count) telemetry in \(seconds) s (\(perSecond)/s), RTT \(Double(host.link.statistics.smoothedRTT) / 1e6) ms")

        // The host vanishes while the machine is armed: the firmware's deadline stops it.
        host.device.disconnect()
        #expect(throws: LinkError.disconnected) { try host.buffer.withUnsafeMutableBytes { _ = try host.device.receive(into: $0) } }
        usleep(150_000)
        flag.stop.store(true, ordering: .releasing)
        joined = flag.finished.wait(timeout: .now() + 5) == .success
        #expect(joined, "the server loop stops when told")
        let s = server.machine.status
        #expect(s.latchedFault == 1 && !s.armed, "deadline tripped after the host left: \(s.latchedFaults)")
        #expect(!s.identified, "the machine forgot the connection")
        #expect(server.statistics.connectionsAccepted == 1)
        #expect(server.statistics.bytesToHost > 0 && server.statistics.bytesFromHost > 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func aServerThatIsGoneIsADisconnectedLink() throws {
        let path = Self.socketPath()
        var server: SimulatorServer? = try SimulatorServer(path: path, machine: try Self.machine())
        #expect(throws: SimulatorServerError.inUse(path: path)) { _ = try SimulatorServer(path: path, machine: try Self.machine()) }
        let host = try SocketDeviceLink(path: path)
        server = nil  // closes the listening socket and the pending connection with it
        _ = server
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        var outcome: LinkError?
        for _ in 0..<100 {
            do throws(LinkError) {
                _ = try host.receive(into: buffer)
            } catch {
                outcome = error
                break
            }
            usleep(1000)
        }
        #expect(outcome == .disconnected)
        #expect(throws: LinkError.self) { _ = try SocketDeviceLink(path: path) }
        // A file that is not a socket is never deleted to make room.
        let plain = Self.socketPath()
        #expect(FileManager.default.createFile(atPath: plain, contents: Data("keep me".utf8)))
        defer { try? FileManager.default.removeItem(atPath: plain) }
        #expect(throws: SimulatorServerError.notASocket(path: plain)) { _ = try SimulatorServer(path: plain, machine: try Self.machine()) }
        #expect(FileManager.default.contents(atPath: plain) == Data("keep me".utf8))
        let long = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: SimulatorServerError.pathTooLong(path: long, limit: 107)) { _ = try SimulatorServer(path: long, machine: try Self.machine()) }
    }
}
