#if canImport(Glibc)
import Glibc
#endif
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
    }

    enum Failure: Error, CustomStringConvertible {
        case open(USBLinkError)
        case link(LinkError)
        case handshake(HandshakeError)
        case noAnswer(milliseconds: Int)

        var description: String {
            switch self {
            case .open(let e): e.description
            case .link(let e): "\(e): re-plug the machine and try again"
            case .handshake(let e): "the firmware's identify reply was refused: \(e)"
            case .noAnswer(let ms):
                "no identify reply within \(ms) ms: the device is not running Stipple's firmware protocol, or its firmware hangs; power-cycle it"
            }
        }
    }

    var machine: MachineSpec
    var serialNumber: String?
    var endpointCheck: USBEndpointCheck
    var timeoutNanoseconds: UInt64 = 1_000_000_000

    func run() -> Result<Answer, Failure> {
        let link: USBDeviceLink
        do {
            link = try USBDeviceLink(identity: machine.usb, serialNumber: serialNumber,
                                     options: .init(endpointCheck: endpointCheck))
        } catch {
            return .failure(.open(error))
        }
        defer { link.close() }
        let clock = SystemMonotonicClock()
        let start = clock.now().nanoseconds
        let wire = ReliableLink(role: .host, now: start)
        let nonce = UInt32.random(in: 1...UInt32.max)
        do { try wire.send(Handshake.request(nonce: nonce)) } catch {
            return .failure(.link(.io(operation: "queueing identify (\(error))", code: 0)))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        var verdict: Result<DeviceIdentity, HandshakeError>?
        var linkError: LinkError?
        while verdict == nil && linkError == nil {
            let now = clock.now().nanoseconds
            if now - start > timeoutNanoseconds { break }
            do throws(LinkError) {
                while true {
                    let n = try link.receive(into: buffer)
                    if n == 0 { break }
                    wire.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: now) { message in
                        if case .identifyReply(let reply) = message, verdict == nil {
                            verdict = Handshake.check(reply, nonce: nonce)
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
            return .success(Answer(identity: identity, connection: connection))
        case .failure(let e):
            return .failure(.handshake(e))
        case nil:
            return .failure(.noAnswer(milliseconds: Int(timeoutNanoseconds / 1_000_000)))
        }
    }
}
