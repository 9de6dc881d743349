import Testing
import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// A device that still holds an identify_reply for a previous host (USB keeps its queue across
/// host processes) must not stop the next host from connecting.
@Suite struct StaleIdentifyReplyTests {
    /// A scripted device: a `ReliableLink` in device role that answers identify and set_config.
    final class ScriptedDevice: DeviceLink {
        let link = ReliableLink(role: .device, now: 0)
        var now: UInt64 = 0
        var toHost: [UInt8] = []
        var identifies = 0

        init(staleNonce: UInt32) throws {
            try link.send(.identifyReply(Self.reply(nonce: staleNonce)))
            link.poll(now: 0) { toHost += $0 }
        }

        static func reply(nonce: UInt32) -> IdentifyReply {
            IdentifyReply(protocolVersion: 1, tableHash: MessageTable.tableHash, nonce: nonce, firmwareVersion: 0x000100,
                          serial: 9, tickHertz: 1_000_000, maxWindow: 8)
        }

        func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError) {
            link.receive(bytes, now: now) { m in
                switch m {
                case .identify(_, _, let nonce):
                    identifies += 1
                    try? link.send(.identifyReply(Self.reply(nonce: nonce)))
                case .setConfig(let c): try? link.send(.config(c))
                default: break
                }
            }
            link.poll(now: now) { toHost += $0 }
        }

        func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int {
            link.poll(now: now) { toHost += $0 }
            let n = min(buffer.count, toHost.count)
            for i in 0..<n { buffer[i] = toHost[i] }
            toHost.removeFirst(n)
            return n
        }
    }

    @Test func aReplyWithAnotherHostsNonceIsSkippedAndTheHandshakeCompletes() throws {
        let cat = HardwareCatalog(layers: [.embedded])
        let machine = try cat.machine(named: "rotary-r1").spec
        let device = try ScriptedDevice(staleNonce: 0xDEAD)
        let chip = SimulatedGPIOChip(machine: machine, clock: VirtualClock())
        let session = ControlSession(machine: machine, device: device, gpio: chip, now: 0, nonce: 0xBEEF,
                                     requests: { nil }, records: { _ in })
        for t in 0..<100 as Range<UInt64> {
            device.now = t * 1_000_000
            session.cycle(now: t * 1_000_000)
        }
        guard case .ready(let id) = session.phase else {
            Issue.record("not connected: \(session.phase)")
            return
        }
        #expect(id.serial == 9)
        // The stale reply arrived before our identify went out; the restart replaced the queued one.
        #expect(device.identifies == 1)
    }
}
