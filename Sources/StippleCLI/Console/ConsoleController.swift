import Foundation
import Synchronization
import StippleControl
import StippleDirectDrive
import StippleHardware
import StippleJournal
import StippleLinux
import StippleModel
import StippleSimulator
#if canImport(Glibc)
import Glibc
#endif

/// One machine driven from the console: the real-time loop (as `stipple run` runs it, on
/// `LoopSide`), a drain thread that every 20 ms empties the loop's record ring into the live state
/// and, while a treatment session is open, into the journal, and the only producer of the loop's
/// request ring (`keyRequests` is single-producer: every push goes through `requestLock`).
///
/// Locks: `requestLock` (pushes to the loop), `journalLock` (the session's journal and the pass
/// list, shared by the drain thread and the HTTP handlers), `live` (the published state). The
/// loop's thread takes none of them.
final class ConsoleController: @unchecked Sendable {
    let machine: MachineSpec
    let catalog: HardwareCatalog
    let journalPath: String
    let simulated: Bool
    let side: LoopSide
    /// Where the console logs what the operator should know (warnings, recovered sessions).
    let log: @Sendable (String) -> Void

    /// One zone pass as `GET /api/session` lists it.
    struct PassView: Codable, Equatable, Sendable {
        var pass: Int
        var zone: String
        var profile: String
        var seconds: Double
        var strokes: Int
        var rateMeanHz: Double
        /// The needle's mean depth (mm), not the stage's.
        var depthMeanMm: Double
        var stop: String
        var fault: String?
    }

    private let clock = SystemMonotonicClock()
    private let loop: RealTimeLoop
    private let live: Mutex<(state: ConsoleLiveState, version: UInt64)>
    private let requestLock = NSLock()
    private let journalLock = NSLock()
    private let armLock = NSLock()
    private var arming = false
    private let stopping = Atomic<Bool>(false)
    private let drainFinished = DispatchSemaphore(value: 0)
    private var started = false

    // Guarded by journalLock.
    private var journal: ConsoleJournal?
    private var passes: [PassView] = []
    private var zonePasses: [String: Int] = [:]
    private var generations: [UInt16: SessionSettings] = [:]
    // Drain thread only (and shutdown after it stopped).
    private let refusalCount = Atomic<Int>(0)
    private let lastRefusal = Mutex<String?>(nil)
    /// The console's STOP was sent and its e-stop record not yet seen: that record then says so,
    /// rather than giving the button's advice ("release the e-stop button") for a tap on a screen.
    private let softwareStopPending = Atomic<Bool>(false)
    private var passStartedAt: UInt64?
    private var strokeEstimate = 0.0
    private var lastTelemetryAt: UInt64?

    /// Opens the machine (the built-in simulator with `simulated`) and readies its loop; `start`
    /// runs it.
    init(machine: MachineSpec, catalog: HardwareCatalog, journalPath: String, simulated: Bool,
         log: @escaping @Sendable (String) -> Void) throws {
        self.machine = machine
        self.catalog = catalog
        self.journalPath = journalPath
        self.simulated = simulated
        self.log = log
        // The simulated machine has a cartridge fitted from the start (its type only shapes the
        // simulator's physics; the session's cartridge is what the record and the limits use).
        guard let fitted = catalog.cartridges().compactMap({ try? $0.result.get() }).sorted(by: { $0.name < $1.name }).first else {
            throw CLIError("no cartridge types (console): the catalog has none. Add one under cartridges/ (`stipple cartridge list`)")
        }
        let registry = InMemoryCartridgeRegistry()
        if simulated {
            side = try LoopSide(machine: machine, plan: nil, fitted: fitted, cartridgeID: 1, backend: .simulated, clock: clock,
                                client: "", registry: registry, watchEdges: true)
        } else {
            let gpio: LinuxGPIOLines
            do { gpio = try LinuxGPIOLines(machine: machine) } catch {
                throw CLIError("cannot open the GPIO lines of \(machine.name) on \(machine.gpio.chip): \(error)")
            }
            if machine.drive == .gpio {
                side = try LoopSide(machine: machine, plan: nil, fitted: fitted, cartridgeID: 1, backend: .directDrive(gpio: gpio),
                                    clock: clock, client: "", registry: registry, watchEdges: true)
            } else {
                let identity = try machine.usbDrive(for: "stipple console", why: "internal error: a gpio machine takes the direct-drive path")
                let usb: USBDeviceLink
                do { usb = try USBDeviceLink(identity: identity, serialNumber: nil, options: .init(endpointCheck: .strict)) } catch {
                    throw CLIError("cannot open \(machine.name) on USB: \(error)")
                }
                side = try LoopSide(machine: machine, plan: nil, fitted: fitted, cartridgeID: 1,
                                    backend: .hardware(gpio: gpio, device: usb), clock: clock, client: "", registry: registry,
                                    watchEdges: true, reconnect: { (try? usb.reconnect()) != nil })
            }
        }
        loop = try RealTimeLoop(configuration: RealTimeConfiguration())
        live = Mutex((ConsoleLiveState(machine: machine.name, simulated: simulated), 0))
    }

    /// Starts the loop and the drain thread.
    func start() throws {
        guard !started else { return }
        started = true
        side.start(at: clock.now().nanoseconds)
        try side.watcher?.start()
        let side = self.side, clock = self.clock
        try loop.start(edges: side.directDrive) { _, _ in side.cycle(now: clock.now().nanoseconds) }
        for w in loop.warnings + (side.watcher?.warnings ?? []) { log("warning: \(w)") }
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
                nanosleep(&ts, nil)
                drain()
            }
            drainFinished.signal()
        }
        thread.name = "stipple-console-drain"
        thread.start()
    }

    // MARK: - Live state

    /// The live state now, and a version that changes whenever it does.
    var state: (state: ConsoleLiveState, version: UInt64) { live.withLock { $0 } }

    private func publish(_ change: (inout ConsoleLiveState) -> Void) {
        live.withLock { v in
            var s = v.state
            change(&s)
            if s != v.state {
                v.state = s
                v.version &+= 1
            }
        }
    }

    /// Every record the ring holds, to the live state and the open session's journal.
    private func drain() {
        let now = clock.now().nanoseconds
        var records: [ControlRecord] = []
        while let r = side.records.ring.pop() { records.append(r) }
        let connection: String
        switch side.connectionCode.load(ordering: .acquiring) {
        case 1: connection = "ready"
        case 2: connection = "failed: " + (side.connectionFailure.withLock { $0 } ?? "the machine did not answer")
        default: connection = "connecting"
        }
        journalLock.lock()
        let wasFine = journal?.failure == nil
        for r in records {
            journal?.take(r)
            absorb(r)
        }
        journal?.noteDrops(telemetry: side.records.droppedTelemetry, critical: side.records.droppedCritical, at: now)
        let failed = wasFine && journal != nil && journal?.failure != nil
        let sessionOpen = journal != nil
        let passCount = passes.count
        journalLock.unlock()
        if failed {
            // A session that can no longer be recorded does not go on: disarm, and refuse arming.
            // Mid-pass, disarm alone would be refused (running goes through paused): pause first.
            side.armBlocked.store(true, ordering: .relaxed)
            _ = send([.pause, .disarm])
            log("error: the journal failed mid-session; arming stopped. Run `stipple journal verify` once the cause is fixed")
        }
        publish { s in
            s.connection = connection
            s.session = .init(open: sessionOpen, passes: passCount)
            if let since = passStartedAt { s.passSeconds = Double(now &- since) / 1e9 }
        }
        drainedAt.store(now, ordering: .releasing)
    }

    /// One record into the live state (journalLock held: the pass list is updated here too).
    private func absorb(_ r: ControlRecord) {
        switch r.kind {
        case .stateChanged:
            publish { s in
                s.state = r.to.description
                if r.to != .fault && r.to != .eStopped { s.fault = nil }
                if r.to != .running && r.to != .paused { s.rateHz = 0 }
            }
        case .telemetry:
            if passStartedAt != nil, let last = lastTelemetryAt, r.at > last {
                strokeEstimate += r.rateHertz * Double(r.at - last) / 1e9
            }
            lastTelemetryAt = r.at
            let settings = currentSettings
            publish { s in
                s.rateHz = r.rateHertz
                if let settings {
                    s.depthMm = max(0, settings.calibration.needleDepth(atStage: r.depthMillimetres) - settings.membraneOffset.millimetres)
                } else {
                    s.depthMm = r.depthMillimetres
                }
                if self.passStartedAt != nil { s.strokes = Int(self.strokeEstimate) }
            }
        case .passStarted:
            passStartedAt = r.at
            strokeEstimate = 0
            lastTelemetryAt = nil
            publish { s in
                s.strokes = 0
                s.passSeconds = 0
            }
        case .passEnded:
            passStartedAt = nil
            let settings = generations[loadedGenerationAtLastPass] ?? currentSettings
            let sum = r.summary
            let zone = settings?.zone.name ?? "unknown"
            if journal != nil {
                passes.append(PassView(pass: passes.count + 1, zone: zone, profile: settings?.profile.name ?? "unknown",
                                       seconds: Double(sum.durationNanoseconds) / 1e9, strokes: Int(sum.strokes),
                                       rateMeanHz: sum.rateMeanHertz,
                                       // The needle's depth, as the live panel and `run`'s report
                                       // give it: the stage's mean through the calibration, less
                                       // the membrane.
                                       depthMeanMm: settings.map {
                                           max(0, $0.calibration.needleDepth(atStage: sum.depthMeanMillimetres) - $0.membraneOffset.millimetres)
                                       } ?? sum.depthMeanMillimetres,
                                       stop: "\(sum.stopReason)", fault: sum.faultCode != 0 ? "\(FaultCode(wire: sum.faultCode))" : nil))
                zonePasses[zone, default: 0] += 1
            }
            publish { s in
                s.strokes = Int(sum.strokes)
                s.passSeconds = Double(sum.durationNanoseconds) / 1e9
            }
        case .fault:
            let f = FaultCode(wire: r.code)
            publish { s in s.fault = .init(code: Int(f.rawValue), name: f.name, advice: f.advice) }
        case .estop:
            let advice = softwareStopPending.exchange(false, ordering: .acquiringAndReleasing)
                ? "STOP was pressed on the console: the needle is stopped and the machine latched; make the area safe, then reset (it asks to confirm)"
                : FaultCode.estop.advice
            publish { s in s.fault = .init(code: Int(FaultCode.estop.rawValue), name: FaultCode.estop.name, advice: advice) }
        case .requestRefused:
            let reason = RefusalReason(rawValue: r.code)
            lastRefusal.withLock { $0 = reason?.description ?? "code \(r.code)" }
            refusalCount.add(1, ordering: .releasing)
        case .reset, .commandRefused, .linkRestored:
            break
        }
        if r.kind == .passStarted { loadedGenerationAtLastPass = r.code }
    }

    private var loadedGenerationAtLastPass: UInt16 = 0
    /// The settings of the latest accepted load (journalLock held).
    private var currentSettings: SessionSettings? { generations[side.loadedGeneration.load(ordering: .acquiring)] }

    // MARK: - Requests to the loop

    /// Pushes requests to the loop in order, from whichever thread asks: the lock makes this the
    /// ring's one producer. False when the ring was full (the loop is not taking requests).
    @discardableResult
    func send(_ requests: [OperatorRequest]) -> Bool {
        requestLock.lock()
        defer { requestLock.unlock() }
        for r in requests { guard side.keyRequests.tryPush(r) else { return false } }
        return true
    }

    /// Waits (polling the published state, never the loop) until `done` holds or a request is
    /// refused after `refusalsBefore`, for at most `seconds`. Returns the refusal's words, if any.
    private func wait(seconds: Double, refusalsBefore: Int, until done: () -> Bool) async -> (done: Bool, refusal: String?) {
        let deadline = clock.now().nanoseconds + UInt64(seconds * 1e9)
        while clock.now().nanoseconds < deadline {
            // The drain thread publishes every 20 ms; a little more than that between looks.
            if done() { return (true, nil) }
            if refusalCount.load(ordering: .acquiring) > refusalsBefore { return (done(), lastRefusal.withLock { $0 }) }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return (done(), nil)
    }

    private var machineState: String { state.state.state }

    // MARK: - Operations (the API's verbs)

    /// Begins a treatment session: every check `run` makes, then the session is open.
    func beginSession(_ r: ConsoleJournal.Request) throws -> (sessionID: Int64, client: String, operatorRef: String) {
        guard let identity = side.identity else {
            throw ConsoleRefusal(409, "machine \(machine.name) has not identified yet (\(state.state.connection)); wait until it is ready, then start the session")
        }
        journalLock.lock()
        defer { journalLock.unlock() }
        if let j = journal {
            throw ConsoleRefusal(409, "a session is already open (session \(j.sessionID), client \(j.clientRef)); end it first (POST /api/session/end)")
        }
        let j = try ConsoleJournal(r, machine: machine, identity: identity, catalog: catalog, path: journalPath, now: clock.now().nanoseconds)
        j.recoveryNotes.forEach(log)
        journal = j
        passes = []
        zonePasses = [:]
        side.armBlocked.store(false, ordering: .relaxed)
        publish { s in s.session = .init(open: true, passes: 0) }
        return (j.sessionID, j.clientRef, j.operatorRef)
    }

    /// The open session as `GET /api/session` shows it.
    func sessionView() -> (open: Bool, sessionID: Int64?, client: String?, operatorRef: String?,
                           cartridge: (type: String, id: UInt64, lot: String)?, passes: [PassView],
                           notes: [(at: UTCTimestamp, text: String)], zones: [String: Int]) {
        journalLock.lock()
        defer { journalLock.unlock() }
        guard let j = journal else { return (false, nil, nil, nil, nil, [], [], [:]) }
        return (true, j.sessionID, j.clientRef, j.operatorRef, (j.cartridge.name, j.cartridgeID, j.cartridgeLot), passes, j.notes, zonePasses)
    }

    /// The session's cartridge (for listing the profiles valid with it), if a session is open.
    func sessionCartridge() -> Cartridge? {
        journalLock.lock()
        defer { journalLock.unlock() }
        return journal?.cartridge
    }

    func addNote(_ text: String) throws {
        journalLock.lock()
        defer { journalLock.unlock() }
        guard let j = journal else { throw ConsoleRefusal(409, "no session is open; start one before adding notes") }
        try j.note(text, at: clock.now().nanoseconds)
    }

    /// Disarms, then ends, seals and verifies the open session.
    func endSession() async throws -> (seal: SessionSeal, verified: Bool, problem: String?) {
        guard journalOpen else { throw ConsoleRefusal(409, "no session is open") }
        let s = machineState
        if s == "armed" || s == "paused" || s == "running" {
            let before = refusalCount.load(ordering: .acquiring)
            send([.disarm])
            _ = await wait(seconds: 1, refusalsBefore: before) { machineState == "idle" }
        }
        // Let the drain journal what the loop recorded up to now (the pass the disarm ended).
        let target = clock.now().nanoseconds
        _ = await wait(seconds: 0.5, refusalsBefore: Int.max) { lastDrainAt >= target }
        return try journalLock.withLock {
            guard let j = journal else { throw ConsoleRefusal(409, "no session is open") }
            journal = nil
            generations = [:]
            publish { s in s.session = .init(open: false, passes: 0) }
            return try j.end(at: clock.now().nanoseconds)
        }
    }

    private var journalOpen: Bool {
        journalLock.lock()
        defer { journalLock.unlock() }
        return journal != nil
    }

    private var lastDrainAt: UInt64 { drainedAt.load(ordering: .acquiring) }
    private let drainedAt = Atomic<UInt64>(0)

    /// Validates `profile` for the session's cartridge in `zone`, loads it, then arms.
    func arm(zone zoneName: String, profile: String) async throws {
        guard let zone = Zone(name: zoneName) else {
            throw ConsoleRefusal(400, "unknown zone \"\(zoneName)\": use one of \(Zone.standard.map(\.name).joined(separator: ", ")) or custom:NAME")
        }
        let busy = armLock.withLock {
            defer { arming = true }
            return arming
        }
        if busy { throw ConsoleRefusal(409, "another arm request is being handled; wait for it") }
        defer { armLock.withLock { arming = false } }

        let (chosen, registry, client, failure): ((SessionSettings, String), CartridgeUseRegistry, String, JournalError?) = try journalLock.withLock {
            guard let j = journal else {
                throw ConsoleRefusal(409, "no session is open: start the treatment session (client, operator, pigments, cartridge) before arming")
            }
            return (try j.settings(profile: profile, zone: zone, machine: machine, catalog: catalog), j.registry, j.clientRef, j.failure)
        }
        if let failure { throw ConsoleRefusal(500, "the journal failed, so arming is stopped: \(failure.description)") }

        switch machineState {
        case "e-stopped": throw ConsoleRefusal(409, "the machine is e-stopped: reset it first (POST /api/reset with confirm), once the cause is cleared")
        case "fault": throw ConsoleRefusal(409, "the machine is faulted (\(state.state.fault?.name ?? "fault")): reset it first, once the cause is cleared")
        case "running", "paused": throw ConsoleRefusal(409, "the needle is engaged: release the pedal and disarm before choosing another profile")
        default: break
        }
        guard state.state.connection == "ready" else {
            throw ConsoleRefusal(409, "machine \(machine.name) is not connected (\(state.state.connection))")
        }
        var before = refusalCount.load(ordering: .acquiring)
        if machineState == "armed" {
            send([.disarm])
            let r = await wait(seconds: 1, refusalsBefore: before) { machineState == "idle" }
            if !r.done { throw ConsoleRefusal(409, "could not disarm to change the profile: \(r.refusal ?? "the machine did not answer in time")") }
        }
        before = refusalCount.load(ordering: .acquiring)
        let generation = side.loadedGeneration.load(ordering: .acquiring)
        guard send([.load(chosen.0)]) else { throw ConsoleRefusal(409, "the control loop is not taking requests; try again") }
        let loaded = await wait(seconds: 1, refusalsBefore: before) { side.loadedGeneration.load(ordering: .acquiring) != generation }
        guard loaded.done else {
            throw ConsoleRefusal(409, "the machine did not take the settings: \(loaded.refusal ?? "no answer from the control loop in time")")
        }
        let g = side.loadedGeneration.load(ordering: .acquiring)
        journalLock.withLock {
            generations[g] = chosen.0
            journal?.register(chosen.0, profileText: chosen.1, generation: g)
        }
        publish { s in
            s.zone = zone.name
            s.profile = chosen.0.profile.name
            s.rateSetHz = chosen.0.profile.rate.hertz
            s.depthSetMm = chosen.0.profile.depthTarget.millimetres
        }
        guard !side.armBlocked.load(ordering: .relaxed) else { throw ConsoleRefusal(500, "arming is stopped: the journal failed") }
        before = refusalCount.load(ordering: .acquiring)
        send([LoopSide.arm(chosen.0, client: client, registry: registry)])
        let armed = await wait(seconds: 1, refusalsBefore: before) { machineState == "armed" }
        guard armed.done else {
            throw ConsoleRefusal(409, "the machine refused to arm: \(armed.refusal ?? "no answer from the control loop in time")")
        }
    }

    func disarm() async throws {
        let before = refusalCount.load(ordering: .acquiring)
        send([.disarm])
        let r = await wait(seconds: 1, refusalsBefore: before) { machineState == "idle" || machineState == "fault" || machineState == "e-stopped" }
        if !r.done { throw ConsoleRefusal(409, "cannot disarm now (\(machineState)): \(r.refusal ?? "no answer from the control loop in time")") }
    }

    /// The software e-stop: latched until a confirmed reset.
    func emergencyStop() async throws {
        if machineState != "e-stopped" { softwareStopPending.store(true, ordering: .releasing) }
        guard send([.emergencyStop]) else { throw ConsoleRefusal(500, "the control loop is not taking requests: use the machine's e-stop button") }
        let r = await wait(seconds: 1, refusalsBefore: Int.max) { machineState == "e-stopped" }
        if !r.done { throw ConsoleRefusal(500, "the stop was sent but the machine did not report e-stopped in time: use the machine's e-stop button") }
    }

    func reset() async throws {
        let s = machineState
        guard s == "e-stopped" || s == "fault" else { throw ConsoleRefusal(409, "nothing to reset: the machine is \(s)") }
        let before = refusalCount.load(ordering: .acquiring)
        send([.reset])
        let r = await wait(seconds: 1, refusalsBefore: before) { machineState == "idle" }
        if !r.done { throw ConsoleRefusal(409, "reset refused: \(r.refusal ?? "no answer from the control loop in time")") }
    }

    /// The simulated pedal (`--sim` only).
    func setSimulatedPedal(_ down: Bool) throws {
        guard simulated, let chip = side.chip else { throw ConsoleRefusal(404, "no simulated pedal: the console drives a real machine (start it with --sim)") }
        requestLock.lock()
        defer { requestLock.unlock() }
        do { try chip.setInput(.pedal, active: down) } catch { throw ConsoleRefusal(500, "cannot set the simulated pedal: \(error)") }
    }

    // MARK: - Shutdown

    /// Disarms, ends and seals an open session, stops the loop and the drain thread. Returns what
    /// it did, one line each, for the log.
    func shutdown() async -> [String] {
        guard started else { return [] }
        var lines: [String] = []
        if journalOpen {
            do {
                let (seal, verified, problem) = try await endSession()
                lines.append("console: session \(seal.sessionID) ended and sealed (\(seal.passes) pass(es)), journal \(verified ? "verified" : "NOT verified: \(problem ?? "")")")
            } catch {
                lines.append("error: could not end the open session: \(ConsoleRefusal.from(error).message)")
            }
        } else {
            send([.disarm])
        }
        stopping.store(true, ordering: .releasing)
        drainFinished.wait()
        loop.stop()
        side.watcher?.stop()
        started = false
        journalLock.withLock {
            while let r = side.records.ring.pop() { absorb(r) }
            journal?.abandon()
        }
        return lines
    }
}
