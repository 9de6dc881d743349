import Foundation
import Synchronization
import StippleControl
import StippleDirectDrive
import StippleHardware
import StippleJournal
import StippleLinux
import StippleModel
import StippleSimulator
import StippleWire

/// Set by SIGINT so a real-time run stops cleanly and gives the terminal back.
private let interrupted = Atomic<Bool>(false)

/// Runs a session against the simulated machine, in virtual time (`--fast`) or in real time,
/// scripted or from the keyboard, and reports the zone passes at the end. The control loop's
/// side lives in `LoopSide`; this class is the main thread's: records in, text out.
final class SimulatedRun {
    /// Which machine the run drives; only the backend differs, the session is the same.
    enum Backend {
        case simulated
        case socket(String)
        case hardware(serial: String?, endpointCheck: USBEndpointCheck)
    }

    let plan: SessionPlan
    let client: String
    let backend: Backend
    let ctx: CLIContext
    /// Where the session is journaled; nil with --no-journal.
    let journal: RunJournal?
    /// The single-use lockout: the journal's in a journaled run, else this process's memory.
    let registry: CartridgeUseRegistry
    /// The built-in simulator's stage-to-needle error (`--sim-error`).
    var depthError: SimulatedDepthError = .none
    /// The built-in simulator's stroke drive error (`--sim-rate-error`).
    var rateError: StrokeRateError = .none
    /// What the run does about the stroke rate (`RunCommand.strokeRateLine`), repeated in the report.
    var strokeRateLine: String?

    /// Settings in the order they are loaded: generation n ran with `loaded[n - 1]`.
    private let loaded: [SessionSettings]
    private var passes: [ReportedPass] = []
    private var openPass: ReportedPass?
    private var events: [String] = []
    private var origin: UInt64 = 0
    private var lastTelemetry: ControlRecord?
    private var state: MachineState = .idle
    private var side: LoopSide?
    private var lastNow: UInt64 = 0

    init(plan: SessionPlan, client: String, backend: Backend, ctx: CLIContext, journal: RunJournal?) {
        self.plan = plan
        self.client = client
        self.backend = backend
        self.ctx = ctx
        self.journal = journal
        registry = journal.map { ClearedCartridges(cleared: $0.clearedCartridges, journal: $0.writer.cartridgeRegistry) }
            ?? InMemoryCartridgeRegistry()
        loaded = plan.loaded
        if let journal, plan.script != nil {
            // One line per pass as soon as it is durable: what a crash cannot take back.
            journal.onCommit = { [ctx] n in ctx.print("journal: pass \(n) committed") }
        }
    }

    /// Everything the ring holds, to the report and the journal, then the ring's drop counts.
    private func drain(_ side: LoopSide, now: UInt64) {
        lastNow = max(lastNow, now)
        while let r = side.records.ring.pop() { absorb(r) }
        guard let journal else { return }
        let wasFine = journal.failure == nil
        journal.noteDrops(telemetry: side.records.droppedTelemetry, critical: side.records.droppedCritical, at: lastNow)
        if wasFine, journal.failure != nil { stopArming(side) }
    }

    /// A session that can no longer be recorded does not go on: disarm, and refuse arming.
    /// Disarm alone is refused while running (the transition table goes through paused), so a
    /// failure mid-pass pauses first: the pass ends even with the pedal still down.
    private func stopArming(_ side: LoopSide) {
        side.armBlocked.store(true, ordering: .relaxed)
        _ = side.keyRequests.tryPush(.pause)
        _ = side.keyRequests.tryPush(.disarm)
    }

    // MARK: - Records

    func absorb(_ r: ControlRecord) {
        let at = PassReport.clock(r.at, from: origin)
        switch r.kind {
        case .passStarted:
            let s = loaded[max(0, min(loaded.count - 1, Int(r.code) - 1))]
            // A journaled run records uses through the writer (at session begin and pass start).
            if journal == nil { registry.recordUse(ofCartridge: s.cartridgeID, client: client) }
            openPass = ReportedPass(summary: r.summary, zone: s.zone, profile: s.profile.name,
                                    cartridge: s.cartridge.name, cartridgeID: s.cartridgeID,
                                    membraneOffset: s.membraneOffset.millimetres, calibration: s.calibration, fault: nil)
        case .passEnded:
            guard var p = openPass else { return }
            p.summary = r.summary
            if r.summary.faultCode != 0 { p.fault = FaultCode(wire: r.summary.faultCode) }
            passes.append(p)
            openPass = nil
        case .fault:
            let f = FaultCode(wire: r.code)
            events.append("\(at)  \(f): \(f.advice)")
        case .estop:
            events.append("\(at)  e-stop: enable line dropped, machine latched")
        case .reset:
            events.append("\(at)  reset (\(FaultCode(wire: r.code).name))")
        case .requestRefused:
            let reason = RefusalReason(rawValue: r.code).map(\.description) ?? "code \(r.code)"
            events.append("\(at)  request refused: \(reason)")
        case .commandRefused:
            events.append("\(at)  machine refused command 0x\(String(r.code, radix: 16))")
        case .linkRestored:
            events.append("\(at)  link restored: machine identified again (a fault stays latched until reset)")
        case .stateChanged:
            state = r.to
        case .telemetry:
            lastTelemetry = r
        }
        if let journal, let side {
            let wasFine = journal.failure == nil
            journal.take(r, identity: { side.identity }, now: max(lastNow, r.at))
            if wasFine, journal.failure != nil { stopArming(side) }
        }
    }

    // MARK: - Virtual time

    func runVirtual() throws -> ExitStatus {
        let clock = VirtualClock()
        let side = try LoopSide(plan: plan, backend: .simulated, clock: clock, client: client, registry: registry, watchEdges: false,
                                depthError: depthError, rateError: rateError)
        self.side = side
        side.start(at: 0)
        let end = UInt64((plan.script?.durationMilliseconds ?? 0) + 1000) * 1_000_000
        ctx.print("stipple run: \(plan.machine.name) (simulated\(plan.machine.drive == .gpio ? " direct drive" : ""), virtual time), client \(client)")
        let period: UInt64 = 1_000_000
        var now: UInt64 = 0
        while now < end {
            clock.advance(toNanoseconds: now)
            // The script and the USB simulator move even while the host's loop hangs.
            side.cycleWithoutSession(now: now)
            if !side.isHung(at: now) {
                side.hostCycle(now: now)
                // Stroke edges planned before the next cycle, each at its own instant, as the
                // real-time loop sleeps to them.
                if let fw = side.directDrive {
                    while let e = fw.nextEdge(before: now + period) {
                        clock.advance(toNanoseconds: e)
                        fw.fireEdge(planned: e, actual: e)
                    }
                }
            }
            drain(side, now: now)
            now += period
            if journal?.failure != nil { break }
        }
        drain(side, now: now)
        return report(side)
    }

    // MARK: - Real time

    func runRealTime() throws -> ExitStatus {
        let clock = SystemMonotonicClock()
        let side: LoopSide
        let description: String
        var notes: [String] = []
        switch backend {
        case .simulated:
            side = try LoopSide(plan: plan, backend: .simulated, clock: clock, client: client, registry: registry, watchEdges: true,
                                depthError: depthError, rateError: rateError)
            description = "built-in simulator"
        case .socket(let path):
            let device: SocketDeviceLink
            do { device = try SocketDeviceLink(path: path) } catch {
                throw CLIError("cannot connect to the simulator at \(path) (--sim-socket): \(error). Start it with `stipple sim serve --machine \(plan.machine.name) --socket \(path)`")
            }
            side = try LoopSide(plan: plan, backend: .socket(device), clock: clock, client: client, registry: registry, watchEdges: true)
            description = "simulator at \(path)"
        case .hardware(let serial, let endpointCheck):
            let gpio: LinuxGPIOLines
            do { gpio = try LinuxGPIOLines(machine: plan.machine) } catch {
                throw CLIError("cannot open the GPIO lines of \(plan.machine.name) on \(plan.machine.gpio.chip): \(error)")
            }
            if plan.machine.drive == .gpio {
                side = try LoopSide(plan: plan, backend: .directDrive(gpio: gpio), clock: clock, client: client,
                                    registry: registry, watchEdges: true)
                description = "direct drive, GPIO \(plan.machine.gpio.chip)"
                break
            }
            let identity = try plan.machine.usbDrive(for: "stipple run", why: "internal error: a gpio machine takes the direct-drive path")
            let usb: USBDeviceLink
            do {
                usb = try USBDeviceLink(identity: identity, serialNumber: serial, options: .init(endpointCheck: endpointCheck))
            } catch {
                throw CLIError("cannot open \(plan.machine.name) on USB: \(error)")
            }
            side = try LoopSide(plan: plan, backend: .hardware(gpio: gpio, device: usb), clock: clock, client: client,
                                registry: registry, watchEdges: true,
                                reconnect: { (try? usb.reconnect()) != nil })
            description = "USB \(String(format: "%04x:%04x", identity.vendorID, identity.productID)), GPIO \(plan.machine.gpio.chip)"
            notes = usb.connection?.notes ?? []
        }
        self.side = side
        let keys = plan.script == nil ? TerminalKeys() : nil
        if plan.script == nil && keys == nil {
            throw CLIError("an interactive run needs a terminal for the pedal and e-stop keys (run): pass --script FILE, or run it in a terminal")
        }
        defer { keys?.restore() }
        signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
        defer { signal(SIGINT, SIG_DFL) }

        let loop = try RealTimeLoop(configuration: RealTimeConfiguration())
        origin = clock.now().nanoseconds
        side.start(at: origin)
        let end = plan.script.map { origin + UInt64($0.durationMilliseconds + 1000) * 1_000_000 }
        ctx.print("stipple run: \(plan.machine.name) (\(description), real time), client \(client)")
        for note in notes { ctx.print("note: \(note)") }
        if keys != nil {
            ctx.print(side.chip == nil ? "keys: a arm, r reset, c reconnect, d disarm, q quit (pedal and e-stop are the machine's own)"
                                       : "keys: a arm, space pedal, e e-stop, r reset, c reconnect, d disarm, q quit")
        }
        try side.watcher?.start()
        // A direct-drive machine's stroke edges are timed by the loop itself, between cycles.
        try loop.start(edges: side.directDrive) { _, _ in side.cycle(now: clock.now().nanoseconds) }
        for w in loop.warnings + (side.watcher?.warnings ?? []) { ctx.printError("warning: \(w)") }

        var pedal = false, estop = false, lastStatus: UInt64 = 0
        while !interrupted.load(ordering: .relaxed) {
            var ts = timespec(tv_sec: 0, tv_nsec: 20_000_000)
            nanosleep(&ts, nil)
            drain(side, now: clock.now().nanoseconds)
            let now = clock.now().nanoseconds
            if let end, now >= end { break }
            if let keys {
                var quit = false
                while let k = keys.poll() {
                    switch k {
                    case UInt8(ascii: " "):
                        pedal.toggle()
                        try? side.chip?.setInput(.pedal, active: pedal)
                    case UInt8(ascii: "e"):
                        estop.toggle()
                        try? side.chip?.setInput(.estop, active: estop)
                    case UInt8(ascii: "a"):
                        if !side.armBlocked.load(ordering: .relaxed) {
                            _ = side.keyRequests.tryPush(LoopSide.arm(plan.initial, client: client, registry: registry))
                        }
                    case UInt8(ascii: "d"): _ = side.keyRequests.tryPush(.disarm)
                    case UInt8(ascii: "r"): _ = side.keyRequests.tryPush(.reset)
                    case UInt8(ascii: "c"): _ = side.keyRequests.tryPush(.reconnect)
                    case UInt8(ascii: "q"): quit = true
                    default: break
                    }
                }
                if quit { break }
                if now - lastStatus >= 100_000_000 {
                    lastStatus = now
                    printStatus(now: now, pedal: pedal, estop: estop)
                }
            }
        }
        loop.stop()
        // The loop has stopped, so nothing services the firmware: its outputs go safe now, not
        // when the process exits (the rig saw the stage driver enabled ~0.8 s past the pump's end).
        side.directDrive?.shutDown(now: clock.now().nanoseconds)
        side.watcher?.stop()
        drain(side, now: clock.now().nanoseconds)
        if keys != nil { ctx.print("") }
        let s = loop.statistics
        ctx.print(String(format: "control loop: %llu cycles at 1 kHz, wake-up lateness p99 %.0f µs, max %.0f µs, %llu overruns",
                         loop.cycles, Double(s.p99Nanoseconds) / 1000, Double(s.maxNanoseconds) / 1000, loop.overruns))
        // A late loop is bounded by the firmware's deadline, but the record should say it happened.
        if loop.overruns > 0 {
            journal?.note(String(format: "control loop: %llu overrun(s), %llu deadline(s) skipped (none made up in a burst), wake-up lateness max %.0f µs",
                                 loop.overruns, loop.skippedDeadlines, Double(s.maxNanoseconds) / 1000), at: lastNow)
        }
        return report(side)
    }

    private func printStatus(now: UInt64, pedal: Bool, estop: Bool) {
        let rate = lastTelemetry?.rateHertz ?? 0
        let depth = lastTelemetry?.depthMillimetres ?? 0
        let set = openPass.map { _ in "running" } ?? "-"
        // \u{1B}[K clears the rest of the line, so a shorter status leaves no stale characters.
        let line = String(format: "\r%@  %-10@ pedal %@  e-stop %@  rate %6.1f Hz  stage %6.3f mm  pass %@\u{1B}[K",
                          PassReport.clock(now, from: origin), state.description, pedal ? "down" : "up  ",
                          estop ? "PRESSED" : "ok     ", rate, depth, set)
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    // MARK: - Report

    func report(_ side: LoopSide) -> ExitStatus {
        let session = side.session!
        if case .failed(let why) = session.phase {
            ctx.printError("error: machine \(plan.machine.name) (connect): \(why)")
            _ = reportJournal()
            return .invalidInput
        }
        if case .ready(let id) = session.phase {
            ctx.print("machine serial \(String(id.serial, radix: 16)), firmware \(id.firmwareVersionText), protocol 1, table 0x\(String(MessageTable.tableHash, radix: 16))")
        }
        if let strokeRateLine { ctx.print(strokeRateLine) }
        ctx.print("")
        PassReport.lines(passes, origin: origin).forEach(ctx.print)
        if !events.isEmpty {
            ctx.print("")
            ctx.print("events")
            events.forEach { ctx.print("  " + $0) }
        }
        let s = session.link.statistics
        ctx.print("")
        ctx.print("link: \(s.dataFramesSent) frames sent, \(s.framesReceived) received, \(s.retransmissions) retransmitted, \(s.crcErrors) CRC errors, RTT \(String(format: "%.2f", Double(s.smoothedRTT) / 1e6)) ms")
        if let fw = side.directDrive {
            DirectDriveReport.lines(firmware: fw, hardware: side.directDriveHardware, virtualTime: side.virtualTime).forEach(ctx.print)
        }
        let dropped = side.records.droppedTelemetry
        if dropped > 0 || side.records.droppedCritical > 0 {
            ctx.print("journal ring: \(dropped) telemetry records dropped, \(side.records.droppedCritical) critical records dropped")
        }
        let final = session.state.machine
        if let f = session.state.latchedFault, final == .fault {
            ctx.print("final state: fault (\(f.name)): \(f.advice)")
        } else {
            ctx.print("final state: \(final)")
        }
        let journaled = reportJournal()
        // A session left faulted or e-stopped did not end cleanly: scripts and CI must see that.
        if final.isFaulted || !journaled { return .invalidInput }
        return side.records.droppedCritical == 0 ? .success : .invalidInput
    }
}

extension SimulatedRun {
    /// Ends and seals the journaled session and says where it is; false when the journal failed.
    func reportJournal() -> Bool {
        guard let journal else { return true }
        let seal = journal.finish(at: lastNow)
        if let failure = journal.failure {
            ctx.printError(failure.description)
            ctx.printError("error: session not fully journaled (\(journal.path)): the journal failed mid-session, so arming was stopped. "
                + "Passes committed before the failure are kept; run `stipple journal verify` once the cause is fixed")
            return false
        }
        ctx.print("")
        guard let seal else {
            ctx.print("journal: no session recorded in \(journal.path) (the machine never identified)")
            return true
        }
        ctx.print("journal: session \(seal.sessionID) \(seal.status), \(seal.passes) zone pass(es), in \(journal.path)")
        ctx.print("seal: ledger seq \(seal.headSeq) hash \(seal.headHash)")
        ctx.print("      Ed25519 signature \(seal.signature)")
        ctx.print("      machine key \(seal.publicKey)")
        return true
    }
}
