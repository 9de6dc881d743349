import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// A host in virtual time: StippleWire's `ReliableLink(role: .host)` over a `SimulatedDeviceLink`
/// to a `SimulatedMachine`, with a GPIO chip, heartbeats and a log of everything the machine said.
/// Every frame between them goes Swift codec -> C codec and back, so these tests cross-check both.
final class HostHarness {
    /// One control cycle of virtual time.
    static let tick: UInt64 = 100_000

    let spec: MachineSpec
    let clock = VirtualClock()
    let chip: SimulatedGPIOChip?
    let machine: SimulatedMachine
    let pipe: SimulatedDeviceLink
    let host: ReliableLink
    private(set) var now: UInt64 = 0

    var heartbeating = false
    var heartbeatPeriod: UInt64 = 10_000_000
    private var nextHeartbeat: UInt64 = 0
    private var heartbeatCounter: UInt32 = 0
    private(set) var lastHeartbeatSentAt: UInt64?

    private(set) var messages: [(at: UInt64, message: Message)] = []
    private(set) var telemetry: [(at: UInt64, sample: Telemetry)] = []
    private(set) var faults: [(at: UInt64, code: UInt16, detail: Int32)] = []
    private(set) var results: [(at: UInt64, command: UInt8, status: UInt16, detail: Int32)] = []
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    init(machine name: String = "rotary-r1", cartridge: String? = "1RL-0.25", gpio: Bool = true,
         seed: UInt64 = 7, telemetryHertz: Int = 500, clockDriftPPM: Double = 0) throws {
        let catalog = HardwareCatalog(layers: [.embedded])
        spec = try catalog.machine(named: name).spec
        let cart = try cartridge.map { try catalog.cartridge(named: $0).cartridge }
        chip = gpio ? SimulatedGPIOChip(machine: spec, clock: clock) : nil
        machine = SimulatedMachine(machine: spec, cartridge: cart, cartridgeID: 0xCA27_0001, serial: 0x5717_0042,
                                   gpio: chip, seed: seed, telemetryHertz: telemetryHertz, clockDriftPPM: clockDriftPPM)
        pipe = SimulatedDeviceLink(machine: machine, seed: seed ^ 0xABCD)
        host = ReliableLink(role: .host, now: 0)
    }

    /// The device config matching the machine file, as the control core sends it.
    var machineConfig: DeviceConfig {
        DeviceConfig(depthMinMicrometres: UInt32(spec.limits.depthMin.micrometres),
                     depthMaxMicrometres: UInt32(spec.limits.depthMax.micrometres),
                     rateMinMillihertz: UInt32(spec.limits.rateMin.millihertz),
                     rateMaxMillihertz: UInt32(spec.limits.rateMax.millihertz),
                     depthSlewMicrometresPerSecond: UInt32((spec.limits.depthSlewMillimetresPerSecond * 1000).rounded()),
                     heartbeatDeadlineMilliseconds: UInt16(spec.heartbeatDeadlineMilliseconds), telemetryHertz: 500)
    }

    /// One control cycle: the pipe and machine run to `now`, the host reads, heartbeats, polls.
    func step() {
        now += Self.tick
        clock.advance(toNanoseconds: now)
        pipe.pump(now: now)
        while let n = try? buffer.withUnsafeMutableBytes({ try pipe.receive(into: $0) }), n > 0 {
            buffer.withUnsafeBytes { b in
                host.receive(UnsafeRawBufferPointer(rebasing: b[0..<n]), now: now) { record($0) }
            }
        }
        if heartbeating, now >= nextHeartbeat {
            nextHeartbeat = now + heartbeatPeriod
            heartbeatCounter &+= 1
            if (try? host.send(.heartbeat(counter: heartbeatCounter))) != nil { lastHeartbeatSentAt = now }
        }
        host.poll(now: now) { frame in try? pipe.send(frame) }
    }

    private func record(_ m: Message) {
        messages.append((now, m))
        switch m {
        case .telemetry(let t): telemetry.append((now, t))
        case .faultReport(_, let code, let detail): faults.append((now, code, detail))
        case .commandResult(let id, let status, let detail): results.append((now, id, status, detail))
        default: break
        }
    }

    func run(milliseconds: Double) {
        let end = now + UInt64(milliseconds * 1_000_000)
        while now < end { step() }
    }

    /// Steps until `done` or the limit; returns whether `done` became true.
    @discardableResult
    func run(untilMilliseconds limit: Double, _ done: () -> Bool) -> Bool {
        let end = now + UInt64(limit * 1_000_000)
        while now < end {
            step()
            if done() { return true }
        }
        return done()
    }

    func send(_ m: Message) throws {
        try host.send(m)
    }

    /// Sends a command and waits for its command_result.
    func command(_ m: Message, limitMilliseconds: Double = 200) throws -> (status: UInt16, detail: Int32)? {
        let before = results.count
        try host.send(m)
        let id = m.id
        guard run(untilMilliseconds: limitMilliseconds, { results.dropFirst(before).contains { $0.command == id } }) else { return nil }
        let r = results.dropFirst(before).first { $0.command == id }!
        return (r.status, r.detail)
    }

    /// Sends a query and waits for the first reply that `match` accepts.
    func query<T>(_ m: Message, limitMilliseconds: Double = 200, _ match: (Message) -> T?) throws -> T? {
        let before = messages.count
        try host.send(m)
        var found: T?
        run(untilMilliseconds: limitMilliseconds) {
            for (_, msg) in messages.dropFirst(before) { if let v = match(msg) { found = v; return true } }
            return false
        }
        return found
    }

    /// identify + set_config as a host connects; heartbeats start; returns the identify reply.
    @discardableResult
    func connect(nonce: UInt32 = 0x1234_5678, config: DeviceConfig? = nil) throws -> IdentifyReply? {
        let reply = try query(Handshake.request(nonce: nonce)) { m -> IdentifyReply? in
            if case .identifyReply(let r) = m { return r } else { return nil }
        }
        guard reply != nil else { return nil }
        _ = try query(.setConfig(config ?? machineConfig)) { m -> DeviceConfig? in
            if case .config(let c) = m { return c } else { return nil }
        }
        heartbeating = true
        try chip?.write(.motorEnable, active: true)
        return reply
    }

    /// Arms, sets rate and depth, starts.
    func startRunning(rateHertz: Double, rampMilliseconds: UInt16 = 100, depthMicrometres: UInt32 = 1000) throws {
        _ = try command(.arm)
        _ = try command(.setDepth(depthMicrometres: depthMicrometres, slewMicrometresPerSecond: 0))
        _ = try command(.setStrokeRate(rateMillihertz: UInt32(rateHertz * 1000), rampMilliseconds: rampMilliseconds))
        _ = try command(.start)
    }
}
