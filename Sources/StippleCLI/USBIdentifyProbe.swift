#if canImport(Glibc)
import Glibc
#endif
import StippleControl
import StippleHardware
import StippleLinux
import StippleModel
import StippleWire

/// `stipple devices --identify`: opens one machine over USB and runs the protocol's identify
/// exchange (a host-role `ReliableLink` over `USBDeviceLink`, `Handshake.request`/`check`), so
/// the technician sees which firmware the board runs without starting a session.
struct USBIdentifyProbe {
    struct Answer {
        var identity: DeviceIdentity
        var connection: USBConnection
        /// With `roundTrips` > 0, what they measured.
        var roundTrips: CommandRoundTrips?
    }

    enum Failure: Error, CustomStringConvertible {
        case open(USBLinkError)
        case link(LinkError)
        case handshake(HandshakeError)
        case noAnswer(milliseconds: Int)
        /// A direct-drive machine: no firmware to identify.
        case noControllerBoard(String)

        var description: String {
            switch self {
            case .open(let e): e.description
            case .link(let e): "\(e): re-plug the machine and try again"
            case .handshake(let e): "the firmware's identify reply was refused: \(e)"
            case .noAnswer(let ms):
                "no identify reply within \(ms) ms: the device is not running Stipple's firmware protocol, or its firmware hangs; power-cycle it"
            case .noControllerBoard(let name):
                "\(name) has drive = \"gpio\": no controller board, so no firmware to identify"
            }
        }
    }

    var machine: MachineSpec
    var serialNumber: String?
    var endpointCheck: USBEndpointCheck
    var timeoutNanoseconds: UInt64 = 1_000_000_000
    /// After identify, this many `clock_request` round trips, one at a time.
    var roundTrips = 0
    /// How long a round trip may take before its command counts as lost.
    var roundTripWaitNanoseconds: UInt64 = 1_000_000_000

    func run() -> Result<Answer, Failure> {
        let link: USBDeviceLink
        do {
            // Callers probe only usb machines (devices skips gpio ones); a gpio machine has no
            // board that could answer, which is what `.open` reports.
            guard let usb = machine.usb else { return .failure(.noControllerBoard(machine.name)) }
            link = try USBDeviceLink(identity: usb, serialNumber: serialNumber,
                                     options: .init(endpointCheck: endpointCheck))
        } catch {
            return .failure(.open(error))
        }
        defer { link.close() }
        let clock = SystemMonotonicClock()
        let start = clock.now().nanoseconds
        let wire = ReliableLink(role: .host, configuration: .forMachine(machine), now: start)
        let nonce = UInt32.random(in: 1...UInt32.max)
        do { try wire.send(Handshake.request(nonce: nonce)) } catch {
            return .failure(.link(.io(operation: "queueing identify (\(error))", code: 0)))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        var verdict: Result<DeviceIdentity, HandshakeError>?
        var answeredAt: UInt64?
        var linkError: LinkError?
        var staleReplies = 0
        var discardUntil: UInt64?
        while linkError == nil {
            let now = clock.now().nanoseconds
            if now - start > timeoutNanoseconds { break }
            // Once answered, a few more milliseconds so the reply is acknowledged: a device left
            // retransmitting it would hand it, stale, to the next host.
            if let answeredAt, now - answeredAt > 5_000_000 { break }
            do throws(LinkError) {
                if let until = discardUntil {
                    while try link.receive(into: buffer) > 0 {}
                    if now >= until {
                        // The stale frames are gone; our identify reset the device, which now
                        // retransmits our reply until acknowledged. Start the link afresh for it.
                        discardUntil = nil
                        wire.reset(now: now)
                        try? wire.send(Handshake.request(nonce: nonce))
                    }
                } else {
                    while discardUntil == nil {
                        let n = try link.receive(into: buffer)
                        if n == 0 { break }
                        wire.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: now) { message in
                            guard case .identifyReply(let reply) = message, verdict == nil, discardUntil == nil else { return }
                            if reply.nonce != nonce && staleReplies < 3 {
                                // Another host's reply, left unacknowledged in the device's queue
                                // (USB keeps it across host processes). It took sequence number 0
                                // from ours: drop everything for a while, then listen again.
                                staleReplies += 1
                                discardUntil = now + 60_000_000
                            } else {
                                verdict = Handshake.check(reply, nonce: nonce)
                                answeredAt = now
                            }
                        }
                    }
                }
                var sendError: LinkError?
                wire.poll(now: now) { frame in
                    do throws(LinkError) { try link.send(frame) } catch { sendError = error }
                }
                // A timed-out OUT transfer is retried by the link's retransmission.
                if let e = sendError, e != .timedOut { throw e }
            } catch {
                linkError = error
            }
            usleep(500)
        }
        if let linkError { return .failure(.link(linkError)) }
        switch verdict {
        case .success(let identity):
            guard let connection = link.connection else { return .failure(.link(.disconnected)) }
            var figures: CommandRoundTrips?
            if roundTrips > 0 {
                switch CommandRoundTrips.measure(count: roundTrips, device: link, wire: wire, buffer: buffer,
                                                 waitNanoseconds: roundTripWaitNanoseconds,
                                                 now: { clock.now().nanoseconds }, idle: { sched_yield() }) {
                case .success(let f): figures = f
                case .failure(let e): return .failure(.link(e))
                }
            }
            return .success(Answer(identity: identity, connection: connection, roundTrips: figures))
        case .failure(let e):
            return .failure(.handshake(e))
        case nil:
            return .failure(.noAnswer(milliseconds: Int(timeoutNanoseconds / 1_000_000)))
        }
    }
}
