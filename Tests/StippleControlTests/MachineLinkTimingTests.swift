import Testing
import StippleControl
import StippleModel
import StippleWire

@Suite("Link timing per machine")
struct MachineLinkTimingTests {
    static func machine(deadline: Int) throws -> MachineSpec {
        var m = try HardwareCatalog(layers: [.embedded]).machine(named: "rotary-r1").spec
        m.heartbeatDeadlineMilliseconds = deadline
        return m
    }

    @Test(arguments: [(30, 100), (50, 100), (80, 160), (500, 1000)])
    func theLinkIsDownAfterTwiceTheHeartbeatDeadlineAndNeverSoonerThan100ms(deadline: Int, timeoutMs: UInt64) throws {
        let c = LinkConfiguration.forMachine(try Self.machine(deadline: deadline))
        #expect(c.linkTimeout == timeoutMs * 1_000_000)
        #expect(c.maximumRTO < c.linkTimeout, "a lost frame is retried before the link is declared down")
    }

    @Test func shippedMachinesKeepTheProtocols100msTimeout() throws {
        for entry in HardwareCatalog(layers: [.embedded]).machines() {
            let m = try entry.result.get()
            #expect(LinkConfiguration.forMachine(m).linkTimeout == 100_000_000, "\(m.name)")
        }
    }
}
