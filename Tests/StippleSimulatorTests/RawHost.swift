import StippleModel
import StippleSimulator
import StippleWire

/// A host that writes frames by hand (Swift encoder) and reads every frame the machine sends
/// (Swift decoder), to check the device's sequencing rules one frame at a time.
final class RawHost {
    struct Sent {
        var at: UInt64
        var seq: UInt8
        var ack: UInt8
        var nak: Bool
        var message: Message?
    }

    let machine: SimulatedMachine
    private(set) var now: UInt64 = 1_000_000
    private(set) var frames: [Sent] = []
    private let decoder = FrameDecoder()
    private var scratch = [UInt8](repeating: 0, count: 64)

    init(machine name: String = "rotary-r1", telemetryHertz: Int = 0) throws {
        let catalog = HardwareCatalog(layers: [.embedded])
        let spec = try catalog.machine(named: name).spec
        let cart = try catalog.cartridge(named: "1RL-0.25").cartridge
        machine = SimulatedMachine(machine: spec, cartridge: cart, cartridgeID: 1, serial: 2, gpio: nil, seed: 3,
                                   telemetryHertz: telemetryHertz)
        machine.advance(to: now) { _ in }
    }

    func data(_ m: Message, seq: UInt8, ack: UInt8 = 0) throws {
        let n = try scratch.withUnsafeMutableBytes { try FrameEncoder.message(m, seq: seq, ack: ack, into: $0) }
        scratch.withUnsafeBytes { machine.receiveFromHost(UnsafeRawBufferPointer(rebasing: $0[0..<n]), now: now) }
    }

    func control(seq: UInt8 = 0, ack: UInt8, nak: Bool = false) throws {
        let n = try scratch.withUnsafeMutableBytes { try FrameEncoder.control(seq: seq, ack: ack, nak: nak, into: $0) }
        scratch.withUnsafeBytes { machine.receiveFromHost(UnsafeRawBufferPointer(rebasing: $0[0..<n]), now: now) }
    }

    func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { machine.receiveFromHost($0, now: now) }
    }

    /// Advances in 100 µs steps, collecting what the machine transmits; returns the new frames.
    @discardableResult
    func run(milliseconds: Double) -> [Sent] {
        let start = frames.count
        let end = now + UInt64(milliseconds * 1_000_000)
        while now < end {
            now += 100_000
            machine.advance(to: now) { bytes in
                decoder.feed(bytes) { event in
                    guard case .frame(let f) = event else { return }
                    let m = f.isControl ? nil : (try? Message.decode(f.payload).get())
                    frames.append(Sent(at: now, seq: f.seq, ack: f.ack, nak: f.nak, message: m))
                }
            }
        }
        return Array(frames[start...])
    }
}
