import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// A control session wired to a simulated machine, stepped in virtual time by the test.
final class SimulatedBench {
    static let ms: UInt64 = 1_000_000
    let clock = VirtualClock()
    let settings: SessionSettings
    let chip: SimulatedGPIOChip
    let machine: SimulatedMachine
    let link: SimulatedDeviceLink
    var session: ControlSession!
    var requests: [OperatorRequest] = []
    var records: [ControlRecord] = []
    var now: UInt64 = 0
    /// When false, the host "hangs": cycles stop, the simulator keeps running.
    var hostAlive = true
    /// Times the session asked to find the machine again.
    var reconnectAttempts = 0

    init(machine machineName: String = "rotary-r1", cartridge: String = "3RL-0.25", profile: String = "crown-vertex",
         zone: Zone = .crown, adjustProfile: (inout DepthProfile) -> Void = { _ in }) throws {
        let cat = HardwareCatalog(layers: [.embedded])
        let m = try cat.machine(named: machineName).spec
        let c = try cat.cartridge(named: cartridge).cartridge
        let p = try cat.profile(named: profile)
        var profile = p.profile
        adjustProfile(&profile)
        settings = try SessionSettings.validated(machine: m, cartridge: c, cartridgeID: 99, profile: profile,
                                                 profileFile: p.file.path, zone: zone).get()
        chip = SimulatedGPIOChip(machine: m, clock: clock)
        machine = SimulatedMachine(machine: m, cartridge: c, cartridgeID: 99, serial: 1, gpio: chip, seed: 3, telemetryHertz: 500)
        link = SimulatedDeviceLink(machine: machine)
        // A reconnect finds the machine when its cable is in: `link.faults.unplugged` is the cable.
        session = ControlSession(machine: m, device: link, gpio: chip, now: 0, nonce: 1234,
                                 reconnectDevice: { [unowned self] in
                                     self.reconnectAttempts += 1
                                     return !self.link.faults.unplugged
                                 },
                                 requests: { [unowned self] in self.requests.isEmpty ? nil : self.requests.removeFirst() },
                                 records: { [unowned self] r in self.records.append(r) })
    }

    /// Advances virtual time by `duration`, one millisecond cycle at a time; `each` runs before
    /// every cycle and may stop the run early by returning true.
    @discardableResult
    func run(for duration: UInt64, each: (UInt64) -> Bool = { _ in false }) -> UInt64 {
        let end = now + duration
        while now < end {
            clock.advance(toNanoseconds: now)
            if each(now) { return now }
            link.pump(now: now)
            if hostAlive { session.cycle(now: now) }
            now += Self.ms
        }
        return now
    }

    /// Connected, settings loaded and armed.
    func armed() {
        requests.append(.load(settings))
        run(for: 20 * Self.ms)
        requests.append(.arm(cartridgeCleared: true))
        run(for: 20 * Self.ms)
    }

    func press(_ role: GPIOLineRole, _ active: Bool) { try? chip.setInput(role, active: active) }
}
