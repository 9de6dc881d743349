import Foundation
import StippleHardware
import StippleModel
import StippleWire
import Testing
import StippleLinux

/// `USBDeviceLink` on a real kernel and real libusb: a FunctionFS gadget served by
/// `stipple sim gadget` on dummy_hcd, as the HIL rig's guest/usb-setup.sh + usb-bind.sh make it.
/// Enabled only where the rig says where the gadget is:
///   STIPPLE_RIG_USB_GADGET   the configfs gadget (/sys/kernel/config/usb_gadget/NAME): its UDC
///                            attribute is written to unplug and replug
///   STIPPLE_RIG_USB_UDC      the UDC to bind to (dummy_udc.0)
///   STIPPLE_RIG_MACHINE      the machine file the gadget serves (rotary-r1, linear-l2)
///   STIPPLE_RIG_FIRMWARE_SERIAL  the serial `stipple sim gadget --serial` reports, in hex
/// with the gadget bound and enumerated. Everywhere else these tests are skipped; the
/// mocked-libusb tests cover the calls.
@Suite("USBDeviceLink on dummy_hcd", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["STIPPLE_RIG_USB_GADGET"] != nil, "not in the HIL rig"))
struct USBDeviceLinkKernelTests {
    let env = ProcessInfo.processInfo.environment
    let machine: MachineSpec
    var gadget: String { env["STIPPLE_RIG_USB_GADGET"] ?? "" }
    var udc: String { env["STIPPLE_RIG_USB_UDC"] ?? "dummy_udc.0" }
    var firmwareSerial: UInt64? { env["STIPPLE_RIG_FIRMWARE_SERIAL"].flatMap { UInt64($0, radix: 16) } }
    let clock = SystemMonotonicClock()

    init() throws {
        machine = try HardwareCatalog(layers: [.embedded]).machine(named: env["STIPPLE_RIG_MACHINE"] ?? "rotary-r1").spec
    }

    func bind(_ on: Bool) throws {
        // A newline, as `echo "" > UDC` writes: an empty write never reaches configfs.
        try (on ? udc : "\n").write(toFile: gadget + "/UDC", atomically: false, encoding: .utf8)
    }

    func open() throws -> USBDeviceLink {
        try USBDeviceLink(identity: try #require(machine.usb), options: .init(endpointCheck: .adoptDevice))
    }

    /// Waits (up to `seconds`) until the machine can be opened again after a replug.
    func reopen(_ link: USBDeviceLink, seconds: Double) throws {
        let end = clock.now().nanoseconds + UInt64(seconds * 1e9)
        while true {
            do {
                try link.reconnect()
                return
            } catch {
                if clock.now().nanoseconds > end { throw error }
                usleep(20_000)
            }
        }
    }

    /// Runs identify (and then `heartbeats` heartbeats) over `link`; returns the identity and
    /// the smoothed round-trip time the reliable link measured.
    func identify(_ link: USBDeviceLink, heartbeats: Int = 50) throws -> (DeviceIdentity, UInt64, staleReplies: Int) {
        let wire = ReliableLink(role: .host, now: clock.now().nanoseconds)
        let nonce = UInt32.random(in: 1...UInt32.max)
        try wire.send(Handshake.request(nonce: nonce))
        var verdict: Result<DeviceIdentity, HandshakeError>?
        var staleReplies = 0
        var discardUntil: UInt64?
        var sent = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        let end = clock.now().nanoseconds + 5_000_000_000
        while clock.now().nanoseconds < end {
            let now = clock.now().nanoseconds
            if let until = discardUntil {
                // A stale reply (an earlier host's) took sequence number 0: drain, then restart
                // the link for our reply, which the device retransmits until acknowledged.
                while try link.receive(into: buffer) > 0 {}
                if now >= until {
                    discardUntil = nil
                    wire.reset(now: now)
                    try wire.send(Handshake.request(nonce: nonce))
                }
            } else {
                while discardUntil == nil {
                    let n = try link.receive(into: buffer)
                    if n == 0 { break }
                    wire.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: now) { m in
                        guard case .identifyReply(let r) = m, verdict == nil, discardUntil == nil else { return }
                        if r.nonce != nonce && staleReplies < 3 {
                            staleReplies += 1
                            discardUntil = now + 60_000_000
                        } else {
                            verdict = Handshake.check(r, nonce: nonce)
                        }
                    }
                }
            }
            // One heartbeat at a time: the next goes when the device has acknowledged the last.
            if verdict != nil && wire.inFlight == 0 && wire.queued == 0 {
                if sent == heartbeats { break }
                sent += 1
                try wire.send(.heartbeat(counter: UInt32(sent)))
            }
            var sendError: LinkError?
            wire.poll(now: now) { frame in
                do throws(LinkError) { try link.send(frame) } catch { sendError = error }
            }
            if let sendError, sendError != .timedOut { throw sendError }
            usleep(200)
        }
        #expect(sent == heartbeats && wire.inFlight == 0, "\(sent) of \(heartbeats) heartbeats acknowledged")
        if staleReplies > 0 { print("identify: \(staleReplies) stale identify_reply from an earlier host skipped") }
        let identity = try #require(try verdict?.get(), "no identify reply within 5 s")
        #expect(!wire.isDown && wire.statistics.crcErrors == 0)
        return (identity, wire.statistics.smoothedRTT, staleReplies)
    }

    @Test func theMachineFilesEndpointsAreCheckedAgainstWhatDummyHcdGave() throws {
        let usb = try #require(machine.usb)
        do {
            let link = try USBDeviceLink(identity: usb)
            // A UDC that honours the descriptors' addresses: the machine file's pair is there.
            #expect(link.connection?.endpointOut == usb.endpointOut)
            link.close()
        } catch let e {
            guard case .endpointMismatch(_, _, _, let eo, let ei, let fo, let fi) = e else {
                Issue.record("\(e)")
                return
            }
            #expect(eo == usb.endpointOut && ei == usb.endpointIn)
            #expect(fo == 0x02 && fi == 0x81, "dummy_hcd's ep2out-bulk and ep1in-bulk")
            print("strict open: \(e)")
        }
    }

    @Test func identifyAndHeartbeatsRunOverTheRealBus() throws {
        let link = try open()
        let c = try #require(link.connection)
        print("connected: bus \(c.bus) address \(c.address) serial \(c.serialNumber ?? "-") speed \(c.speed) OUT 0x\(String(c.endpointOut, radix: 16))/\(c.maxPacketSizeOut) IN 0x\(String(c.endpointIn, radix: 16))/\(c.maxPacketSizeIn) notes \(c.notes)")
        #expect(c.maxPacketSizeOut == 512 && c.maxPacketSizeIn == 512, "dummy_udc runs at high speed")
        let (identity, rtt, _) = try identify(link, heartbeats: 200)
        if let firmwareSerial { #expect(identity.serial == firmwareSerial) }
        print("identified: firmware \(identity.firmwareVersionText) serial 0x\(String(identity.serial, radix: 16)); smoothed RTT \(Double(rtt) / 1e6) ms; \(link.statistics)")
        #expect(link.statistics.outTimeouts == 0 && link.statistics.inBytesDropped == 0)
        link.close()
    }

    @Test func aTransferOfWholePacketsGoesOutWithAZeroLengthPacketAndDoesNotStallTheGadget() throws {
        let link = try open()
        // 512 bytes of garbage at high speed: without the ZLP the gadget's read (16 KiB buffer)
        // would wait for more and the identify after it would not get through.
        let garbage = [UInt8](repeating: 0x55, count: 512)
        try garbage.withUnsafeBytes { (b) throws in try link.send(b) }
        let (identity, _, _) = try identify(link, heartbeats: 5)
        #expect(identity.maxWindow >= 1)
        #expect(link.statistics.zeroLengthPackets >= 1)
        link.close()
    }

    @Test func aHostThatLeftWithoutAcknowledgingLeavesAStaleReplyTheNextHostGetsPast() throws {
        // The first host asks, reads the reply and goes without acknowledging it: the device
        // keeps retransmitting it, and USB keeps it queued for whoever opens the device next.
        let first = try open()
        let wire = ReliableLink(role: .host, now: clock.now().nanoseconds)
        try wire.send(Handshake.request(nonce: 0xDEAD))
        wire.poll(now: clock.now().nanoseconds) { frame in try? first.send(frame) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        var answered = false
        let end = clock.now().nanoseconds + 3_000_000_000
        while !answered && clock.now().nanoseconds < end {
            let n = try first.receive(into: buffer)
            wire.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: clock.now().nanoseconds) { m in
                if case .identifyReply = m { answered = true }
            }
            usleep(200)
        }
        #expect(answered)
        first.close()
        usleep(100_000)  // a few of the device's 20 ms retransmissions pile up

        let next = try open()
        let (identity, _, stale) = try identify(next, heartbeats: 5)
        print("after a host that left its reply unacknowledged: \(stale) stale reply(ies) skipped")
        if let firmwareSerial { #expect(identity.serial == firmwareSerial) }
        next.close()
    }

    @Test func unbindingIsDisconnectedWithin100MillisecondsAndReconnectFindsTheReboundDevice() throws {
        let link = try open()
        _ = try identify(link, heartbeats: 5)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        while try link.receive(into: buffer) > 0 {}

        let t0 = clock.now().nanoseconds
        try bind(false)
        let written = clock.now().nanoseconds
        var seen: UInt64?
        while seen == nil && clock.now().nanoseconds - t0 < 2_000_000_000 {
            do throws(LinkError) { _ = try link.receive(into: buffer) } catch { if error == .disconnected { seen = clock.now().nanoseconds } }
            usleep(500)
        }
        let afterWrite = Double((seen ?? .max / 2) - written) / 1e6
        print("unbind: UDC write took \(Double(written - t0) / 1e6) ms, disconnected seen \(afterWrite) ms after it; \(link.statistics)")
        #expect(seen != nil && afterWrite < 100, "unplug seen after \(afterWrite) ms")
        #expect(throws: USBLinkError.self) { try link.reconnect() }

        try bind(true)
        try reopen(link, seconds: 10)
        let (identity, _, _) = try identify(link, heartbeats: 5)
        if let firmwareSerial { #expect(identity.serial == firmwareSerial) }
        #expect(link.statistics.reconnects >= 2)
        link.close()
    }
}
