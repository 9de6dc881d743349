import StippleControl
import StippleDirectDrive
import StippleHardware
import StippleModel
import StippleSimulator
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Everything the control loop's thread owns in a simulated run: the session, the simulated
/// machine and chip, the script cursor and the request rings. In a real-time run the main thread
/// only pushes key requests and pops records through the rings, and reads the rest after the loop
/// has stopped — hence `@unchecked Sendable`.
final class LoopSide: @unchecked Sendable {
    /// Where the machine is: simulated in this process, a simulator process behind a socket (GPIO
    /// still simulated here, as a controller's header would be), real GPIO and USB, or (a
    /// direct-drive machine) real GPIO only, with this process's loop as the firmware.
    enum Backend {
        case simulated
        case socket(DeviceLink)
        case hardware(gpio: GPIOLines, device: DeviceLink)
        case directDrive(gpio: GPIOLines)
    }

    /// The run's plan (settings chosen up front, a script); nil in the console, whose settings
    /// are chosen zone by zone at runtime and arrive as `.load` requests on `keyRequests`.
    let plan: SessionPlan?
    let machine: MachineSpec
    /// The simulated GPIO chip, when the lines are simulated (nil on real hardware).
    let chip: SimulatedGPIOChip?
    let gpio: GPIOLines
    let simulated: SimulatedMachine?
    let simulatedLink: SimulatedDeviceLink?
    /// A direct-drive machine's firmware: this loop's own, serviced every cycle before the session.
    let directDrive: DirectDriveFirmware?
    /// The simulated hardware of a direct-drive machine (solenoid, stepper, watchdog), with --sim.
    let directDriveHardware: SimulatedDirectDriveMachine?
    /// The run is in virtual time (`--fast`): the clock is a `VirtualClock`.
    var virtualTime: Bool { clock is VirtualClock }
    private let clock: MonotonicClock
    /// A scripted loop hang: no cycle (session or direct-drive firmware) runs before this instant.
    private(set) var hungUntil: UInt64 = 0
    var session: ControlSession!
    /// Requests from the keyboard (main thread -> loop).
    let keyRequests: SPSCRing<OperatorRequest>
    /// Requests from the script (loop thread only).
    let scriptRequests: SPSCRing<OperatorRequest>
    /// Records to the main thread; telemetry may be dropped, boundaries and faults may not.
    let records: RecordRing<ControlRecord>
    let registry: CartridgeUseRegistry
    let client: String
    /// In real time, the e-stop path: its own thread drops the enable line on the edge.
    let watcher: EdgeWatcher?
    /// Set by the main thread when the session may not go on (its journal failed): the script's
    /// and the keyboard's arm requests are dropped from then on.
    let armBlocked = Atomic<Bool>(false)
    /// The control core's settings generation after the last cycle (how many loads it accepted),
    /// published so a caller that loaded settings at runtime learns which generation they got.
    let loadedGeneration = Atomic<UInt16>(0)
    /// Where the connection is, for other threads: 0 connecting, 1 ready, 2 failed (then
    /// `connectionFailure` says why).
    let connectionCode = Atomic<UInt8>(0)
    /// Why the connection failed, written by the loop once per failure (a rare, terminal event:
    /// the only lock the loop ever takes, never in a steady cycle).
    let connectionFailure = Mutex<String?>(nil)
    private var lastGeneration: UInt16 = 0
    private var lastConnectionCode: UInt8 = 0
    // The identity the machine gave at identify, published once from the loop's thread with
    // atomics (no lock in the loop) so the main thread can begin the journal session with it.
    private let identified = Atomic<Bool>(false)
    private let identifiedSerial = Atomic<UInt64>(0)
    private let identifiedFirmware = Atomic<UInt32>(0)
    private var published = false
    private var nextStep = 0
    private var origin: UInt64 = 0
    private var current: SessionSettings?

    /// A run's loop side: the plan's initial settings are loaded first (generation 1).
    convenience init(plan: SessionPlan, backend: Backend, clock: MonotonicClock, client: String, registry: CartridgeUseRegistry,
                     watchEdges: Bool, reconnect: @escaping () -> Bool = { false }, depthError: SimulatedDepthError = .none,
                     rateError: StrokeRateError = .none) throws {
        try self.init(machine: plan.machine, plan: plan, fitted: plan.initial.cartridge, cartridgeID: plan.initial.cartridgeID,
                      backend: backend, clock: clock, client: client, registry: registry, watchEdges: watchEdges,
                      reconnect: reconnect, depthError: depthError, rateError: rateError)
    }

    /// - Parameters:
    ///   - plan: a run's plan, or nil (the console): then nothing is loaded until a `.load` arrives.
    ///   - fitted: the cartridge type the simulated machine has fitted (simulators only).
    init(machine: MachineSpec, plan: SessionPlan?, fitted: Cartridge, cartridgeID: UInt64, backend: Backend, clock: MonotonicClock,
         client: String, registry: CartridgeUseRegistry, watchEdges: Bool, reconnect: @escaping () -> Bool = { false },
         depthError: SimulatedDepthError = .none, rateError: StrokeRateError = .none) throws {
        self.plan = plan
        self.machine = machine
        self.clock = clock
        self.client = client
        self.registry = registry
        current = plan?.initial
        let link: DeviceLink
        let now = clock.now().nanoseconds
        var firmware: DirectDriveFirmware?
        var hardware: SimulatedDirectDriveMachine?
        switch backend {
        case .simulated where machine.drive == .gpio:
            let chip = SimulatedGPIOChip(machine: machine, clock: clock)
            // The hardware first: it sets the home switch input for where the stage starts.
            hardware = try SimulatedDirectDriveMachine(chip: chip, clock: clock)
            let fw = try DirectDriveFirmware(machine: machine, gpio: chip, serial: DirectDriveFirmware.serial(for: machine), now: now)
            firmware = fw
            self.chip = chip
            gpio = chip
            simulated = nil
            simulatedLink = nil
            link = fw
        case .simulated:
            let chip = SimulatedGPIOChip(machine: machine, clock: clock)
            let m = SimulatedMachine(machine: machine, cartridge: fitted,
                                     cartridgeID: cartridgeID, serial: 0x5717_0001,
                                     gpio: chip, seed: 1, telemetryHertz: 500)
            m.depthError = depthError
            m.strokeRateError = rateError
            self.chip = chip
            gpio = chip
            simulated = m
            let l = SimulatedDeviceLink(machine: m)
            simulatedLink = l
            link = l
        case .socket(let device):
            let chip = SimulatedGPIOChip(machine: machine, clock: clock)
            self.chip = chip
            gpio = chip
            simulated = nil
            simulatedLink = nil
            link = device
        case .hardware(let lines, let device):
            chip = nil
            gpio = lines
            simulated = nil
            simulatedLink = nil
            link = device
        case .directDrive(let lines):
            let fw = try DirectDriveFirmware(machine: machine, gpio: lines, serial: DirectDriveFirmware.serial(for: machine), now: now)
            firmware = fw
            chip = nil
            gpio = lines
            simulated = nil
            simulatedLink = nil
            link = fw
        }
        directDrive = firmware
        directDriveHardware = hardware
        firmware?.fitCartridge(maxDepth: (plan?.initial.cartridge ?? fitted).maxDepth)
        keyRequests = try SPSCRing(capacity: 64)
        scriptRequests = try SPSCRing(capacity: 64)
        records = try RecordRing(capacity: 8192, reserve: 512)
        if let plan { _ = scriptRequests.tryPush(.load(plan.initial)) }
        let watcher = watchEdges ? try EdgeWatcher(gpio: gpio, clock: clock) : nil
        self.watcher = watcher
        session = ControlSession(
            machine: machine, device: link, gpio: gpio, now: now,
            nonce: UInt32(truncatingIfNeeded: now | 1),
            linkConfiguration: .forMachine(machine),
            edges: watcher.map { w in { buffer in _ = w.drain(into: &buffer) } },
            enableInhibited: { watcher?.estopLatched ?? false },
            writeEnable: watcher.map { w in { active in (try? w.writeMotorEnable(active: active)) ?? false } },
            reconnectDevice: reconnect,
            requests: { [unowned self] in self.keyRequests.pop() ?? self.scriptRequests.pop() },
            records: { [unowned self] r in
                // A reset the core accepted clears the watcher's latch too.
                if r.kind == .reset { watcher?.resetLatch() }
                _ = self.records.tryPush(r, droppable: r.isDroppable)
            })
    }

    /// One loop iteration at `now`: script steps due, the simulator, the direct-drive firmware,
    /// the control cycle. A scripted hang is this very thread stopping (in real time it sleeps
    /// here: nothing else in the process makes the pulses or the charge pump).
    func cycle(now: UInt64) {
        applyScript(now: now)
        if hungUntil > now {
            var ts = timespec(tv_sec: Int((hungUntil - now) / 1_000_000_000), tv_nsec: Int((hungUntil - now) % 1_000_000_000))
            nanosleep(&ts, nil)
            return
        }
        simulatedLink?.pump(now: now)
        hostCycle(now: now)
    }

    /// The host's part of a cycle: the direct-drive firmware (which is this loop), then the session.
    func hostCycle(now: UInt64) {
        directDrive?.service(now: now)
        session.cycle(now: now)
        publishIdentity()
        publishLoop()
    }

    /// Publishes the settings generation and the connection's phase when they change; a newly
    /// accepted load also sets the direct-drive stage's soft limit for its cartridge (a run's
    /// script has done so already; the console's loads arrive on `keyRequests`).
    private func publishLoop() {
        let g = session.state.settingsGeneration
        if g != lastGeneration {
            lastGeneration = g
            if let s = session.state.settings { directDrive?.fitCartridge(maxDepth: s.cartridge.maxDepth) }
            loadedGeneration.store(g, ordering: .releasing)
        }
        let code: UInt8
        switch session.phase {
        case .ready: code = 1
        case .failed(let why):
            code = 2
            if lastConnectionCode != 2 { connectionFailure.withLock { $0 = "\(why)" } }
        default: code = 0
        }
        if code != lastConnectionCode {
            lastConnectionCode = code
            connectionCode.store(code, ordering: .releasing)
        }
    }

    /// Whether a scripted loop hang holds the host's cycles at `now` (virtual time skips them).
    func isHung(at now: UInt64) -> Bool { hungUntil > now }

    /// Publishes the machine's identity the first time the connection is ready (loop thread,
    /// or the virtual-time driver's thread).
    func publishIdentity() {
        guard !published, case .ready(let id) = session.phase else { return }
        published = true
        identifiedSerial.store(id.serial, ordering: .relaxed)
        identifiedFirmware.store(id.firmwareVersion, ordering: .relaxed)
        identified.store(true, ordering: .releasing)
    }

    /// The machine's serial (hex) and firmware version once it has identified, from any thread.
    var identity: (serial: String, firmware: String)? {
        guard identified.load(ordering: .acquiring) else { return nil }
        let v = identifiedFirmware.load(ordering: .relaxed)
        // As DeviceIdentity.firmwareVersionText spells it.
        return (String(identifiedSerial.load(ordering: .relaxed), radix: 16), "\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)")
    }

    /// Script and simulator only, for drivers that run the host's cycle themselves.
    func cycleWithoutSession(now: UInt64) {
        applyScript(now: now)
        simulatedLink?.pump(now: now)
    }

    func start(at now: UInt64) { origin = now }

    var scriptFinished: Bool { nextStep >= (plan?.script?.steps.count ?? 0) }

    /// A request on the operator's behalf, with the single-use check done here, off the loop.
    static func arm(_ settings: SessionSettings, client: String, registry: CartridgeUseRegistry) -> OperatorRequest {
        .arm(cartridgeCleared: registry.previousClient(ofCartridge: settings.cartridgeID, notBeing: client) == nil)
    }

    private func applyScript(now: UInt64) {
        guard let plan, let script = plan.script else { return }
        while nextStep < script.steps.count, origin + UInt64(script.steps[nextStep].atMilliseconds) * 1_000_000 <= now {
            let step = script.steps[nextStep]
            switch step.action {
            case .select:
                if let s = plan.selections[nextStep] {
                    current = s
                    // The stage's soft limit follows the cartridge about to be fitted.
                    directDrive?.fitCartridge(maxDepth: s.cartridge.maxDepth)
                    _ = scriptRequests.tryPush(.load(s))
                }
            case .arm:
                if !armBlocked.load(ordering: .relaxed), let current {
                    _ = scriptRequests.tryPush(Self.arm(current, client: client, registry: registry))
                }
            case .disarm: _ = scriptRequests.tryPush(.disarm)
            case .reset: _ = scriptRequests.tryPush(.reset)
            case .pause: _ = scriptRequests.tryPush(.pause)
            case .resume: _ = scriptRequests.tryPush(.resume)
            case .pedalDown: try? chip?.setInput(.pedal, active: true)
            case .pedalUp: try? chip?.setInput(.pedal, active: false)
            case .estopPress: try? chip?.setInput(.estop, active: true)
            case .estopRelease: try? chip?.setInput(.estop, active: false)
            case .cartridgePull: try? chip?.setInput(.cartridgePresent, active: false)
            case .cartridgeInsert: try? chip?.setInput(.cartridgePresent, active: true)
            case .unplug: simulatedLink?.faults.unplugged = true
            case .reconnect: _ = scriptRequests.tryPush(.reconnect)
            case .linkLoss(let rate): simulatedLink?.faults.dropRate = rate
            case .linkStall(let ms): simulatedLink?.faults.stalledUntil = now + UInt64(ms) * 1_000_000
            case .inject(let f):
                switch f {
                case .motorStall: simulated?.inject(.motorStall)
                case .overcurrent: simulated?.inject(.overcurrent)
                case .depthDrift: simulated?.inject(.depthSensorDrift(micrometresPerSecond: 200))
                case .unresponsive: simulated?.inject(.unresponsive)
                case .clear: simulated?.inject(.clear)
                }
            case .loopHang(let ms):
                hungUntil = now + UInt64(ms) * 1_000_000
            }
            nextStep += 1
        }
    }
}
