import Testing
import StippleSafetyEvidence
import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// How long the session waits for the machine to answer identify: five link timeouts, at least
/// 500 ms, so a machine file that grants a patient link (the emulated rig's) also gets a patient
/// handshake.
@Suite("Connect timeout", .timeLimit(.minutes(1)))
struct ConnectTimeoutTests {
    static let ms: UInt64 = 1_000_000

    /// A device whose link layer acknowledges every frame (so the link stays up) but whose
    /// firmware never answers identify.
    final class MuteFirmware: DeviceLink {
        var now: UInt64 = 0
        let link = ReliableLink(role: .device, now: 0)
        var outbound: [UInt8] = []

        func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError) {
            link.receive(bytes, now: now) { _ in }
        }

        func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int {
            link.poll(now: now) { frame in outbound.append(contentsOf: frame) }
            let n = min(buffer.count, outbound.count)
            for i in 0..<n { buffer[i] = outbound[i] }
            outbound.removeFirst(n)
            return n
        }
    }

    /// When the session gives up on identify, in virtual time, with the given link timing.
    static func gaveUpAt(_ configuration: LinkConfiguration, within limit: UInt64) throws -> (UInt64, ConnectionPhase)? {
        let m = try HardwareCatalog(layers: [.embedded]).machine(named: "rotary-r1").spec
        let clock = VirtualClock()
        let device = MuteFirmware()
        let session = ControlSession(machine: m, device: device, gpio: SimulatedGPIOChip(machine: m, clock: clock),
                                     now: 0, nonce: 9, linkConfiguration: configuration, requests: { nil }, records: { _ in })
        var now: UInt64 = 0
        while now < limit {
            clock.advance(toNanoseconds: now)
            device.now = now
            session.cycle(now: now)
            if case .failed = session.phase { return (now, session.phase) }
            now += ms
        }
        return nil
    }

    @Test func theProtocolsLinkGivesIdentifyHalfASecond() throws {
        let (at, phase) = try #require(try Self.gaveUpAt(LinkConfiguration(), within: 3000 * Self.ms))
        #expect(at > 500 * Self.ms && at <= 502 * Self.ms, "gave up at \(at / Self.ms) ms")
        SafetyEvidence.record(hazard: "firmware-silent", what: "gave up on identify", measured: Double(at) / 1e6, bound: 502, unit: "ms")
        #expect(phase == .failed(.noAnswer(phase: "identify", milliseconds: 500)))
    }

    @Test func aPatientLinkGetsFiveOfItsTimeouts() throws {
        var patient = LinkConfiguration()
        patient.linkTimeout = 1000 * Self.ms
        let (at, phase) = try #require(try Self.gaveUpAt(patient, within: 8000 * Self.ms))
        #expect(at > 5000 * Self.ms && at <= 5002 * Self.ms, "gave up at \(at / Self.ms) ms")
        #expect(phase == .failed(.noAnswer(phase: "identify", milliseconds: 5000)))
    }
}
