import Testing
import StippleHardware
import StippleSimulator
import StippleWire

/// The host's ReliableLink against the simulated firmware over the in-memory pipe.
@Suite("Simulated machine: pipe and telemetry")
struct PipeTests {
    @Test(.timeLimit(.minutes(1)), arguments: [(0.05, 0.0), (0.03, 0.01)])
    func aLossyPipeStillDeliversEveryCommandExactlyOnceInOrder(dropRate: Double, corruptRate: Double) throws {
        let h = try HostHarness(seed: 2026)
        h.pipe.faults = LinkFaults(dropRate: dropRate, corruptRate: corruptRate)
        try #require(try h.connect() != nil, "identify gets through the loss too")
        _ = try h.command(.arm)
        let total = 400
        var sent = 0
        let resultsBefore = h.results.count
        let telemetryFrom = h.telemetry.count
        var nextPaced: UInt64 = 0
        // A burst of 200 (more than the device can answer at once: back-pressure), then one
        // every 5 ms as a control loop sends them.
        while h.results.count - resultsBefore < total && h.now < 60_000_000_000 {
            while sent < total && h.host.queued < 16 && (sent < 200 || h.now >= nextPaced) {
                try h.send(.setDepth(depthMicrometres: UInt32(100 + sent), slewMicrometresPerSecond: 0))
                sent += 1
                if sent > 200 { nextPaced = h.now + 5_000_000 }
            }
            h.step()
        }
        let results = h.results.dropFirst(resultsBefore)
        #expect(results.count == total, "one result per command")
        #expect(results.allSatisfy { $0.command == 0x09 && $0.status == 0 })
        #expect(h.machine.status.targetDepthMicrometres == Double(100 + total - 1), "the last command was the last run")
        #expect(h.machine.status.latchedFaults.isEmpty, "heartbeats kept the deadline through the loss: \(h.machine.status.latchedFaults)")
        #expect(h.machine.status.replyOverflows == 0)
        // Telemetry, reliable too: in order and exactly once; only the device's own queue drops
        // samples (oldest first) while the burst's results hold the window.
        let ticks = h.telemetry.dropFirst(telemetryFrom).map(\.sample.deviceTicks)
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 > $0 && ($1 - $0) % 2000 == 0 }, "in order, once")
        let expectedSamples = Int(ticks.last! - ticks.first!) / 2000 + 1
        #expect(ticks.count + h.machine.status.telemetryDropped >= expectedSamples)
        // The faults were real and were repaired.
        let p = h.pipe.statistics
        #expect(p.droppedToMachine > 10 && p.droppedToHost > 10)
        if corruptRate > 0 { #expect(h.machine.status.crcErrors > 0 && h.host.statistics.crcErrors > 0) }
        #expect(h.host.statistics.retransmissions > 0 && h.machine.status.retransmissions > 0)
        #expect(!h.host.isDown)
        print("drop \(dropRate) corrupt \(corruptRate): \(total) commands in \(Double(h.now) / 1e9) s; pipe \(p); host retransmissions \(h.host.statistics.retransmissions), device \(h.machine.status.retransmissions), device NAKs \(h.machine.status.naksSent)")
    }

    @Test func telemetryArrivesAtFiveHundredHertz() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        h.run(milliseconds: 100)
        let from = h.telemetry.count
        h.run(milliseconds: 1000)
        let window = h.telemetry.dropFirst(from)
        #expect(abs(window.count - 500) <= 1, "\(window.count) samples in 1 s")
        let ticks = window.map(\.sample.deviceTicks)
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == 2000 })
        // Arrival spacing at the host: the pipe adds at most a control cycle of jitter.
        let arrivals = window.map(\.at)
        #expect(zip(arrivals, arrivals.dropFirst()).allSatisfy { $1 - $0 >= 1_900_000 && $1 - $0 <= 2_100_000 })
    }

    @Test func setConfigChangesTheTelemetryRate() throws {
        let h = try HostHarness()
        var c = h.machineConfig
        c.telemetryHertz = 100
        try #require(try h.connect(config: c) != nil)
        h.run(milliseconds: 20)
        let from = h.telemetry.count
        h.run(milliseconds: 1000)
        #expect(abs(h.telemetry.count - from - 100) <= 1)
    }

    @Test func anUnpluggedPipeThrowsDisconnectedAndTheMachineStopsByItself() throws {
        let h = try HostHarness()
        try #require(try h.connect() != nil)
        try h.startRunning(rateHertz: 100)
        h.run(milliseconds: 100)
        h.pipe.faults.unplugged = true
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(throws: LinkError.disconnected) { try buffer.withUnsafeMutableBytes { _ = try h.pipe.receive(into: $0) } }
        #expect(throws: LinkError.disconnected) { try buffer.withUnsafeBytes { try h.pipe.send($0) } }
        h.run(milliseconds: 60)
        let s = h.machine.status
        #expect(s.latchedFault == 1 && !s.running && s.retracted)
    }
}
