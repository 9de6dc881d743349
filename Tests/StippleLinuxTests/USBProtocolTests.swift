#if DEBUG
import Foundation
import StippleHardware
import StippleModel
import StippleWire
import Testing
@testable import StippleLinux

/// The firmware protocol over `USBDeviceLink` with its event thread, against a device-role
/// `ReliableLink` behind the mocked bus: what `stipple devices --identify` and a session do.
@Suite("Firmware protocol over USBDeviceLink")
struct USBProtocolTests {
    /// The board's side: takes what the host's OUT transfers carried, answers identify, and
    /// hands its frames to the host's IN transfers one per packet.
    final class Board {
        let driver: LibUSBMockingDriver
        let link: ReliableLink
        var seenSubmissions = 0
        var outgoing: [[UInt8]] = []
        var received: [Message] = []
        var heartbeats = 0

        init(driver: LibUSBMockingDriver, now: UInt64) {
            self.driver = driver
            link = ReliableLink(role: .device, now: now)
        }

        func step(now: UInt64) throws {
            let subs = driver.submissions
            for s in subs[seenSubmissions...] where s.endpoint & 0x80 == 0 {
                link.receive(s.bytes, now: now) { received.append($0) }
            }
            seenSubmissions = subs.count
            for m in received {
                if case .identify(_, _, let nonce) = m {
                    try link.send(.identifyReply(IdentifyReply(
                        protocolVersion: MessageTable.protocolVersion, tableHash: MessageTable.tableHash, nonce: nonce,
                        firmwareVersion: 0x01_02_03, serial: 0xB0A2D, tickHertz: 1_000_000, maxWindow: 8)))
                }
                if case .heartbeat = m { heartbeats += 1 }
            }
            received.removeAll()
            link.poll(now: now) { outgoing.append(Array($0)) }
            while let frame = outgoing.first, driver.deliverIn(frame) { outgoing.removeFirst() }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aHostIdentifiesTheBoardAndHeartbeatsFlowThroughTheTransfers() throws {
        let driver = USBTestBench.driver(maxPacketSize: 64)
        let device = try USBTestBench.threadedLink(driver)
        let clock = SystemMonotonicClock()
        let host = ReliableLink(role: .host, now: clock.now().nanoseconds)
        let board = Board(driver: driver, now: clock.now().nanoseconds)
        let nonce: UInt32 = 0x5EED
        try host.send(Handshake.request(nonce: nonce))
        var verdict: Result<DeviceIdentity, HandshakeError>?
        var sent = 0
        var hostErrors = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        let end = clock.now().nanoseconds + 3_000_000_000
        while clock.now().nanoseconds < end && (verdict == nil || board.heartbeats < 20) {
            let now = clock.now().nanoseconds
            while true {
                let n = try device.receive(into: buffer)
                if n == 0 { break }
                host.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: now) { m in
                    if case .identifyReply(let r) = m { verdict = Handshake.check(r, nonce: nonce) }
                }
            }
            if verdict != nil && sent < 30 && host.queued == 0 {
                sent += 1
                try host.send(.heartbeat(counter: UInt32(sent)))
            }
            host.poll(now: now) { frame in
                do throws(LinkError) { try device.send(frame) } catch { hostErrors += 1 }
            }
            try board.step(now: now)
            usleep(300)
        }
        let identity = try #require(try verdict?.get())
        #expect(identity.firmwareVersionText == "1.2.3" && identity.serial == 0xB0A2D && identity.maxWindow == 8)
        #expect(board.heartbeats >= 20, "\(board.heartbeats) heartbeats reached the board")
        #expect(hostErrors == 0 && !host.isDown && host.statistics.crcErrors == 0)
        // Full-speed board: a 64-byte frame would need a ZLP; these are all shorter.
        let outs = driver.submissions.filter { $0.endpoint == 0x01 }
        #expect(outs.allSatisfy { $0.zeroLengthPacket == ($0.length == 64) })
        device.close()
        #expect(driver.violations.isEmpty)
    }
}
#endif
