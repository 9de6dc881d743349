import Foundation
import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator
import StippleWire

/// Runs a session against the simulated machine: in virtual time (`--fast`) or in real time,
/// scripted or from the keyboard. Collects the records the control loop emits and reports the
/// zone passes at the end.
final class SimulatedRun {
    let plan: SessionPlan
    let client: String
    let socketPath: String?
    let ctx: CLIContext
    let registry = InMemoryCartridgeRegistry()

    /// What ran when: the settings in force at each pass start, for the report.
    private var current: SessionSettings
    private var passes: [ReportedPass] = []
    private var openPass: ReportedPass?
    private var events: [String] = []
    private var origin: UInt64 = 0
    private var pendingRequests: [OperatorRequest] = []
    private var nextStep = 0

    init(plan: SessionPlan, client: String, socketPath: String?, ctx: CLIContext) {
        self.plan = plan
        self.client = client
        self.socketPath = socketPath
        self.ctx = ctx
        self.current = plan.initial
    }

    // MARK: - Records

    func absorb(_ r: ControlRecord) {
        switch r.kind {
        case .passStarted:
            registry.recordUse(ofCartridge: current.cartridgeID, client: client)
            openPass = ReportedPass(summary: r.summary, zone: current.zone, profile: current.profile.name,
                                    cartridge: current.cartridge.name, cartridgeID: current.cartridgeID, fault: nil)
        case .passEnded:
            var p = openPass ?? ReportedPass(summary: r.summary, zone: current.zone, profile: current.profile.name,
                                             cartridge: current.cartridge.name, cartridgeID: current.cartridgeID, fault: nil)
            p.summary = r.summary
            if r.summary.faultCode != 0 { p.fault = FaultCode(wire: r.summary.faultCode) }
            passes.append(p)
            openPass = nil
        case .fault:
            let f = FaultCode(wire: r.code)
            events.append("\(PassReport.clock(r.at, from: origin))  \(f): \(f.advice)")
        case .estop:
            events.append("\(PassReport.clock(r.at, from: origin))  e-stop: enable line dropped, machine latched")
        case .reset:
            events.append("\(PassReport.clock(r.at, from: origin))  reset (\(FaultCode(wire: r.code).name))")
        case .requestRefused:
            let reason = RefusalReason(rawValue: r.code).map(\.description) ?? "code \(r.code)"
            events.append("\(PassReport.clock(r.at, from: origin))  request refused: \(reason)")
        case .commandRefused:
            events.append("\(PassReport.clock(r.at, from: origin))  machine refused command 0x\(String(r.code, radix: 16))")
        case .stateChanged, .telemetry:
            break
        }
    }

    // MARK: - Script

    /// Applies every script step due at `now` (milliseconds from the start).
    func applyScript(now: UInt64, chip: SimulatedGPIOChip, machine: SimulatedMachine?, link: SimulatedDeviceLink?) {
        guard let script = plan.script else { return }
        while nextStep < script.steps.count, UInt64(script.steps[nextStep].atMilliseconds) * 1_000_000 + origin <= now {
            let step = script.steps[nextStep]
            switch step.action {
            case .select:
                if let s = plan.selections[nextStep] {
                    current = s
                    pendingRequests.append(.load(s))
                }
            case .arm:
                let other = registry.previousClient(ofCartridge: current.cartridgeID, notBeing: client)
                pendingRequests.append(.arm(cartridgeCleared: other == nil))
            case .disarm: pendingRequests.append(.disarm)
            case .reset: pendingRequests.append(.reset)
            case .pause: pendingRequests.append(.pause)
            case .resume: pendingRequests.append(.resume)
            case .pedalDown: try? chip.setInput(.pedal, active: true)
            case .pedalUp: try? chip.setInput(.pedal, active: false)
            case .estopPress: try? chip.setInput(.estop, active: true)
            case .estopRelease: try? chip.setInput(.estop, active: false)
            case .cartridgePull: try? chip.setInput(.cartridgePresent, active: false)
            case .cartridgeInsert: try? chip.setInput(.cartridgePresent, active: true)
            case .unplug: link?.faults.unplugged = true
            case .linkLoss(let rate): link?.faults.dropRate = rate
            case .linkStall(let ms): link?.faults.stalledUntil = now + UInt64(ms) * 1_000_000
            case .inject(let f):
                switch f {
                case .motorStall: machine?.inject(.motorStall)
                case .overcurrent: machine?.inject(.overcurrent)
                case .depthDrift: machine?.inject(.depthSensorDrift(micrometresPerSecond: 200))
                case .unresponsive: machine?.inject(.unresponsive)
                case .clear: machine?.inject(.clear)
                }
            }
            nextStep += 1
        }
    }

    func nextRequest() -> OperatorRequest? {
        pendingRequests.isEmpty ? nil : pendingRequests.removeFirst()
    }

    // MARK: - Virtual time

    func runVirtual() throws -> ExitStatus {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(machine: plan.machine, clock: clock)
        let machine = SimulatedMachine(machine: plan.machine, cartridge: plan.initial.cartridge,
                                       cartridgeID: plan.initial.cartridgeID, serial: 0x5717_0001,
                                       gpio: chip, seed: 1, telemetryHertz: 500)
        let link = SimulatedDeviceLink(machine: machine)
        pendingRequests.append(.load(plan.initial))
        let session = ControlSession(machine: plan.machine, device: link, gpio: chip, now: 0, nonce: 0x5EED,
                                     requests: { [unowned self] in self.nextRequest() },
                                     records: { [unowned self] r in self.absorb(r) })
        let end = UInt64((plan.script?.durationMilliseconds ?? 0) + 1000) * 1_000_000
        ctx.print("stipple run: \(plan.machine.name) (simulated, virtual time), client \(client)")
        VirtualTimeDriver.run(session, from: 0, until: end, beforeCycle: { now in
            clock.advance(toNanoseconds: now)
            applyScript(now: now, chip: chip, machine: machine, link: link)
            link.pump(now: now)
        })
        return report(session)
    }

    // MARK: - Report

    func report(_ session: ControlSession) -> ExitStatus {
        if case .failed(let why) = session.phase {
            ctx.printError("error: machine \(plan.machine.name) (connect): \(why)")
            return .invalidInput
        }
        if case .ready(let id) = session.phase {
            ctx.print("machine serial \(String(id.serial, radix: 16)), firmware \(id.firmwareVersionText), protocol 1, table 0x\(String(MessageTable.tableHash, radix: 16))")
        }
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
        ctx.print("final state: \(session.state.machine)")
        return .success
    }

    func runRealTime() throws -> ExitStatus {
        throw CLIError("real-time simulated runs are not wired up yet (run): add --fast to run the script in virtual time")
    }
}
