import Testing
@testable import StippleCLI
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The round-trip count behind `stipple devices --identify --round-trips`, against the simulated
/// firmware over its in-process link, in virtual time (the rig runs it over real USB).
@Suite("Command round trips", .timeLimit(.minutes(1)))
struct CommandRoundTripsTests {
    final class Bench {
        var t: UInt64 = 0
        let machine: SimulatedMachine
        let link: SimulatedDeviceLink
        let wire: ReliableLink
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)

        init() throws {
            let cat = HardwareCatalog(layers: [.embedded])
            machine = SimulatedMachine(machine: try cat.machine(named: "rotary-r1").spec,
                                       cartridge: try cat.cartridge(named: "1RL-0.25").cartridge,
                                       cartridgeID: 1, serial: 7, gpio: nil, seed: 2)
            link = SimulatedDeviceLink(machine: machine)
            wire = ReliableLink(role: .host, now: 0)
            try wire.send(Handshake.request(nonce: 99))
            var identified = false
            for _ in 0..<200 where !identified {
                t += 100_000
                link.pump(now: t)
                let n = try link.receive(into: buffer)
                if n > 0 {
                    wire.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: t) { m in
                        if case .identifyReply = m { identified = true }
                    }
                }
                wire.poll(now: t) { frame in try? link.send(frame) }
            }
            guard identified else { throw LinkError.timedOut }
        }

        deinit { buffer.deallocate() }

        func measure(_ count: Int, wait: UInt64 = 1_000_000_000) -> Result<CommandRoundTrips, LinkError> {
            CommandRoundTrips.measure(count: count, device: link, wire: wire, buffer: buffer, waitNanoseconds: wait,
                                      now: { self.t }, idle: {
                                          self.t += 50_000
                                          self.link.pump(now: self.t)
                                      })
        }
    }

    @Test func everyCommandIsAnsweredByItsOwnReplyAndTimed() throws {
        let b = try Bench()
        let r = try b.measure(2000).get()
        #expect(r.sent == 2000 && r.answered == 2000 && r.lost == 0 && r.mismatched == 0 && r.clean)
        #expect(r.times.count == 2000)
        #expect(r.percentile(0.5) > 0 && r.percentile(0.5) <= r.percentile(0.99))
        #expect(r.summary.hasPrefix("2000 round trips: 2000 answered, 0 lost, 0 mismatched; RTT p50 "))
    }

    @Test func framesLostOnTheWireAreRetransmittedNotLostCommands() throws {
        let b = try Bench()
        b.link.faults.dropRate = 0.05
        let r = try b.measure(500).get()
        #expect(r.clean, "\(r.summary)")
        #expect(r.retransmissions > 0, "the link resent what the wire dropped: \(r.summary)")
    }

    @Test func aFirmwareThatStopsAnsweringLosesCommandsAndSaysSo() throws {
        let b = try Bench()
        b.machine.inject(.unresponsive)
        let r = try b.measure(3, wait: 20_000_000).get()
        #expect(r.sent == 3 && r.answered == 0 && r.lost == 3 && !r.clean)
        #expect(r.summary.contains("0 answered, 3 lost"))
    }

    @Test func anUnpluggedDeviceEndsTheMeasurementWithTheLinkError() throws {
        let b = try Bench()
        b.link.faults.unplugged = true
        #expect(throws: LinkError.disconnected) { try b.measure(10).get() }
    }

    @Test func percentilesAreNearestRank() {
        var r = CommandRoundTrips()
        r.times = (1...100).map { UInt64($0) }.shuffled()
        #expect(r.percentile(0.5) == 51)
        #expect(r.percentile(0.99) == 99)
        #expect(CommandRoundTrips().percentile(0.5) == 0)
    }
}
