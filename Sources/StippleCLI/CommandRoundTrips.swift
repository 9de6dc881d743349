import Foundation
import StippleHardware
import StippleWire

/// Commands sent one at a time through the protocol's reliable link, each a `clock_request`
/// answered by a `clock_reply` carrying its nonce, so every time is a whole round trip: host link,
/// transport, firmware and back. A command is lost when no reply comes within the wait; the
/// link's retransmissions (which hide lost frames) and CRC errors are counted beside.
/// `stipple devices --identify --round-trips N` runs it over USB.
struct CommandRoundTrips: Sendable, Equatable {
    var sent = 0
    var answered = 0
    var lost = 0
    /// Replies that carried another command's nonce (a late answer to a command counted lost).
    var mismatched = 0
    var retransmissions = 0
    var crcErrors = 0
    /// Round-trip times in nanoseconds, in the order measured.
    var times: [UInt64] = []

    /// Sends `count` commands over an identified link. `now` is the clock; `idle` runs while a
    /// reply is awaited (a yield on hardware; tests move virtual time and the simulator there).
    static func measure(count: Int, device: DeviceLink, wire: ReliableLink, buffer: UnsafeMutableRawBufferPointer,
                        waitNanoseconds: UInt64, firstNonce: UInt32 = 0x5000_0000,
                        now: () -> UInt64, idle: () -> Void) -> Result<CommandRoundTrips, LinkError> {
        var figures = CommandRoundTrips()
        figures.times.reserveCapacity(count)
        let before = wire.statistics
        for i in 0..<count {
            let nonce = firstNonce &+ UInt32(truncatingIfNeeded: i)
            let sentAt = now()
            do { try wire.send(.clockRequest(nonce: nonce)) } catch {
                return .failure(.io(operation: "queueing clock_request (\(error))", code: 0))
            }
            figures.sent += 1
            var answeredAt: UInt64?
            while answeredAt == nil {
                let t = now()
                if t - sentAt > waitNanoseconds { figures.lost += 1; break }
                do throws(LinkError) {
                    while true {
                        let n = try device.receive(into: buffer)
                        if n == 0 { break }
                        wire.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: t) { message in
                            guard case .clockReply(let got, _) = message else { return }
                            if got == nonce, answeredAt == nil { answeredAt = now() } else { figures.mismatched += 1 }
                        }
                    }
                    var sendError: LinkError?
                    wire.poll(now: t) { frame in
                        do throws(LinkError) { try device.send(frame) } catch { sendError = error }
                    }
                    // A timed-out OUT transfer is retried by the link's retransmission.
                    if let e = sendError, e != .timedOut { throw e }
                } catch {
                    return .failure(error)
                }
                if answeredAt == nil { idle() }
            }
            if let at = answeredAt {
                figures.answered += 1
                figures.times.append(at - sentAt)
            }
        }
        let after = wire.statistics
        figures.retransmissions = after.retransmissions - before.retransmissions
        figures.crcErrors = after.crcErrors - before.crcErrors
        return .success(figures)
    }

    /// The nearest-rank percentile of the round-trip times (0 when none).
    func percentile(_ p: Double) -> UInt64 {
        guard !times.isEmpty else { return 0 }
        let sorted = times.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    var summary: String {
        func ms(_ ns: UInt64) -> String { String(format: "%.2f", Double(ns) / 1e6) }
        return "\(sent) round trips: \(answered) answered, \(lost) lost, \(mismatched) mismatched; "
            + "RTT p50 \(ms(percentile(0.5))) ms, p99 \(ms(percentile(0.99))) ms, max \(ms(times.max() ?? 0)) ms; "
            + "link \(retransmissions) retransmissions, \(crcErrors) CRC errors"
    }

    /// Every command answered by its own reply.
    var clean: Bool { lost == 0 && mismatched == 0 && answered == sent }
}
