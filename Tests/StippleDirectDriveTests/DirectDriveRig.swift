import StippleDirectDrive
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// The direct-drive firmware on the simulated direct-drive hardware, with a host link sending it
/// commands, stepped in 1 ms cycles of virtual time the way the real-time loop runs it: the host's
/// cycle, then `service(now:)`, then each stroke edge before the next cycle fired at its planned
/// instant. Tests judge the firmware by what the simulated hardware counted.
final class DirectDriveRig {
    static let ms: UInt64 = 1_000_000

    let clock = VirtualClock()
    let spec: MachineSpec
    let chip: SimulatedGPIOChip
    let hardware: SimulatedDirectDriveMachine
    let firmware: DirectDriveFirmware
    let host: ReliableLink
    var now: UInt64 = 1_000 * DirectDriveRig.ms
    /// The host refreshes the deadline every deadline/5 (4 ms on direct-d1) while this is set.
    var heartbeats = false
    /// Every message from the firmware, with the cycle it arrived in.
    private(set) var received: [(at: UInt64, message: Message)] = []
    private var outgoing: [Message] = []
    private let rx = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    private var heartbeatCounter: UInt32 = 0
    private var nextHeartbeatAt: UInt64 = 0

    init(tolerances: SimulatedDirectDriveTolerances = .standard, configure: (inout MachineSpec) -> Void = { _ in }) throws {
        var spec = try HardwareCatalog(layers: [.embedded]).machine(named: "direct-d1").spec
        configure(&spec)
        self.spec = spec
        clock.advance(toNanoseconds: now)
        chip = SimulatedGPIOChip(machine: spec, clock: clock)
        hardware = try SimulatedDirectDriveMachine(chip: chip, clock: clock, tolerances: tolerances)
        firmware = try DirectDriveFirmware(machine: spec, gpio: chip, serial: DirectDriveFirmware.serial(for: spec), now: now)
        host = ReliableLink(role: .host, now: now)
    }

    deinit { rx.deallocate() }

    var parameters: DirectDriveParameters { spec.directDrive! }
    var stepsPerMillimetre: Int { Int(parameters.stepsPerMillimetre) }

    /// The limits a host session sends (ControlSession.deviceConfig).
    var deviceConfig: DeviceConfig {
        let l = spec.limits
        return DeviceConfig(
            depthMinMicrometres: UInt32(l.depthMin.micrometres), depthMaxMicrometres: UInt32(l.depthMax.micrometres),
            rateMinMillihertz: UInt32(l.rateMin.millihertz), rateMaxMillihertz: UInt32(l.rateMax.millihertz),
            depthSlewMicrometresPerSecond: UInt32(l.depthSlewMillimetresPerSecond * 1000),
            heartbeatDeadlineMilliseconds: UInt16(spec.heartbeatDeadlineMilliseconds), telemetryHertz: 500)
    }

    func send(_ message: Message) { outgoing.append(message) }

    /// One 1 ms control cycle at `now`.
    func cycle() {
        clock.advance(toNanoseconds: now)
        while true {
            let n = try! firmware.receive(into: rx)
            if n == 0 { break }
            let at = now
            host.receive(UnsafeRawBufferPointer(rebasing: rx[0..<n]), now: now) { m in received.append((at, m)) }
        }
        if heartbeats, now >= nextHeartbeatAt {
            heartbeatCounter &+= 1
            outgoing.append(.heartbeat(counter: heartbeatCounter))
            nextHeartbeatAt = now + UInt64(spec.heartbeatDeadlineMilliseconds) * Self.ms / 5
        }
        for m in outgoing { try! host.send(m) }
        outgoing.removeAll()
        let firmware = firmware
        host.poll(now: now) { frame in try! firmware.send(frame) }
        firmware.service(now: now)
        let limit = now + Self.ms
        while let t = firmware.nextEdge(before: limit) {
            clock.advance(toNanoseconds: t)
            firmware.fireEdge(planned: t, actual: t)
        }
        now += Self.ms
        clock.advance(toNanoseconds: now)
    }

    func run(milliseconds n: Int) { for _ in 0..<n { cycle() } }

    /// Cycles until `condition` holds (checked after each cycle); false if `milliseconds` pass first.
    @discardableResult
    func run(milliseconds limit: Int, until condition: () -> Bool) -> Bool {
        for _ in 0..<limit {
            cycle()
            if condition() { return true }
        }
        return false
    }

    /// The loop hangs: time passes with no cycle, no edge, no host.
    func hang(milliseconds n: Int) {
        now += UInt64(n) * Self.ms
        clock.advance(toNanoseconds: now)
    }

    /// Sends `message` and cycles until its command_result arrives.
    func command(_ message: Message, within limit: Int = 50) -> (status: UInt16, detail: Int32)? {
        let seen = received.count
        send(message)
        var answer: (UInt16, Int32)?
        run(milliseconds: limit) {
            for (_, m) in received[seen...] {
                if case .commandResult(let id, let status, let detail) = m, id == message.id { answer = (status, detail) }
            }
            return answer != nil
        }
        return answer
    }

    /// identify and set_config, as a host session connects; heartbeats from then on.
    func connect() -> IdentifyReply? {
        send(Handshake.request(nonce: 0x5EED))
        var reply: IdentifyReply?
        run(milliseconds: 50) {
            for (_, m) in received { if case .identifyReply(let r) = m { reply = r } }
            return reply != nil
        }
        send(.setConfig(deviceConfig))
        run(milliseconds: 50) { configs.contains(deviceConfig) }
        heartbeats = true
        return reply
    }

    /// Arms and cycles until homed; returns the milliseconds homing took (nil if it did not).
    func armAndHome(within limit: Int = 5_000) -> Int? {
        guard let r = command(.arm), r.status == 0 else { return nil }
        var elapsed = 0
        let homed = run(milliseconds: limit) {
            elapsed += 1
            return firmware.status.homed
        }
        return homed ? elapsed : nil
    }

    var configs: [DeviceConfig] { received.compactMap { if case .config(let c) = $0.message { c } else { nil } } }
    var faults: [(code: UInt16, detail: Int32)] {
        received.compactMap { if case .faultReport(_, let code, let detail) = $0.message { (code, detail) } else { nil } }
    }
    var telemetry: [Telemetry] { received.compactMap { if case .telemetry(let t) = $0.message { t } else { nil } } }
}
