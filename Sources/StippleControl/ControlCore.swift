import StippleModel
import StippleWire

/// The control step, a pure function: `(state, inputs, now) -> (state, outputs)`. The real-time
/// driver calls it every millisecond; tests call it in virtual time. It allocates nothing, locks
/// nothing and does no I/O: the shell writes the enable line, sends the commands and journals
/// the records it returns, in that order.
public enum ControlCore {
    /// Telemetry must show the steady rate within this share of the target...
    static let rateTolerance = 0.05
    /// ...and the stage within this of the commanded set depth, beyond per-dot variation.
    static let depthToleranceMicrometres = 100
    /// How long a value may stay out of tolerance before it is a fault.
    static let outOfToleranceGrace: UInt64 = 250_000_000
    /// Clock synchronisation interval (Firmware-Protocol/README.md section 5).
    static let clockInterval: UInt64 = 1_000_000_000

    public static func step(_ s: inout ControlState, _ inputs: ControlInputs, now: UInt64) -> ControlOutputs {
        var out = ControlOutputs()
        absorbTelemetry(&s, inputs, now: now, &out)

        // Safety first, most severe first. E-stop: the enable line drops in this very cycle.
        let estopNow = inputs.estopEdge || (inputs.estopActive && !s.lastEstopActive) || inputs.request == .emergencyStop
        s.lastEstopActive = inputs.estopActive
        if estopNow && s.machine != .eStopped {
            out.commands.append(.estop)
            endPass(&s, reason: .estop, fault: .estop, now: now, &out)
            transition(&s, to: .eStopped, now: now, &out)
            var r = ControlRecord(kind: .estop, at: now)
            r.code = FaultCode.estop.rawValue
            out.records.append(r)
        } else if s.machine.isEngaged && !inputs.linkUp {
            // The firmware stops by its own refresh deadline; nothing can be sent.
            enterFault(&s, .linkLost, reason: .linkLost, now: now, sendStop: false, &out)
        } else if let f = inputs.deviceFault, s.machine != .eStopped, s.machine != .fault {
            let code = FaultCode(wire: f.code)
            if code == .estop {
                // The firmware saw the e-stop first (its own input): same reaction, same record.
                endPass(&s, reason: .estop, fault: .estop, now: now, &out)
                transition(&s, to: .eStopped, now: now, &out)
                var r = ControlRecord(kind: .estop, at: now)
                r.code = FaultCode.estop.rawValue
                out.records.append(r)
            } else {
                enterFault(&s, code, reason: code == .cartridgeRemoved ? .cartridgeRemoved : .fault, now: now, sendStop: true, &out)
            }
        } else if s.machine.isEngaged && !inputs.cartridgePresent {
            enterFault(&s, .cartridgeRemoved, reason: .cartridgeRemoved, now: now, sendStop: true, &out)
        } else if let refused = inputs.refusedCommand, s.machine == .running,
                  refused.command == Message.start.id || refused.command == 0x09 || refused.command == 0x08 {
            var r = ControlRecord(kind: .commandRefused, at: now)
            r.code = UInt16(refused.command)
            out.records.append(r)
            enterFault(&s, .commandRefused, reason: .fault, now: now, sendStop: true, &out)
        } else if s.machine == .running, let fault = toleranceFault(&s, now: now) {
            enterFault(&s, fault, reason: .fault, now: now, sendStop: true, &out)
        }

        if let request = inputs.request { handle(request, &s, inputs, now: now, &out) }
        pedal(&s, inputs, now: now, &out)
        if s.machine == .running { driveDepth(&s, now: now, &out) }
        if let at = s.pendingStopAt, now >= at {
            s.pendingStopAt = nil
            if s.machine != .running { out.commands.append(.stop) }
        }
        housekeeping(&s, inputs, now: now, &out)

        out.motorEnable = s.machine.isEngaged && !inputs.estopActive
        out.statusLED = s.machine == .running || (s.machine.isFaulted && (now / 250_000_000) % 2 == 0)
        return out
    }

    // MARK: - Telemetry

    private static func absorbTelemetry(_ s: inout ControlState, _ inputs: ControlInputs, now: UInt64, _ out: inout ControlOutputs) {
        guard let t = inputs.telemetry else { return }
        s.lastTelemetry = t
        if s.inPass {
            if s.strokesAtStart == nil { s.strokesAtStart = t.strokeCount }
            s.all.add(t)
            if s.machine == .running, let settings = s.settings,
               now >= s.runStartedAt + rampNanoseconds(settings.profile.rampInMilliseconds) + settleNanoseconds(settings) {
                s.steady.add(t)
            }
        }
        var r = ControlRecord(kind: .telemetry, at: now)
        r.rateHertz = Double(t.rateMillihertz) / 1000
        r.depthMillimetres = Double(t.depthMicrometres) / 1000
        r.currentMilliamperes = t.motorCurrentMilliamperes
        out.records.append(r)
    }

    /// A steady-state rate or depth out of tolerance for longer than the grace time, or any
    /// overcurrent, is a fault.
    private static func toleranceFault(_ s: inout ControlState, now: UInt64) -> FaultCode? {
        guard let settings = s.settings, let t = s.lastTelemetry else { return nil }
        if Int(t.motorCurrentMilliamperes) > settings.machine.actuator.motorCurrentMaxMilliamperes { return .overcurrent }
        let steadyFrom = s.runStartedAt + rampNanoseconds(settings.profile.rampInMilliseconds) + settleNanoseconds(settings)
        guard now >= steadyFrom else { return nil }
        // The rate wanted, not the set-point sent: with a stroke-rate correction the two differ,
        // and the needle must stroke at the profile's rate.
        let target = settings.profile.rate.hertz
        let actual = Double(t.rateMillihertz) / 1000
        if abs(actual - target) > max(target * rateTolerance, 2) {
            if s.rateBadSince == nil { s.rateBadSince = now }
            if let since = s.rateBadSince, now - since >= outOfToleranceGrace {
                return actual < target / 2 ? .motorStall : .rateOutOfBounds
            }
        } else {
            s.rateBadSince = nil
        }
        let allowed = 2 * settings.profile.variationAmplitude.micrometres + depthToleranceMicrometres
        if abs(Int(t.depthMicrometres) - s.commandedDepthMicrometres) > allowed {
            if s.depthBadSince == nil { s.depthBadSince = now }
            if let since = s.depthBadSince, now - since >= outOfToleranceGrace { return .depthSensorDrift }
        } else {
            s.depthBadSince = nil
        }
        return nil
    }

    // MARK: - Requests

    private static func handle(_ request: OperatorRequest, _ s: inout ControlState, _ inputs: ControlInputs, now: UInt64, _ out: inout ControlOutputs) {
        switch request {
        case .load(let settings):
            guard s.machine.allowsSettingsChange else { return refuse(.settingsLockedWhileRunning, now: now, &out) }
            s.settings = settings
            s.settingsGeneration &+= 1
            s.variation = DotVariation(seed: settings.profile.variationSeed)
        case .arm(let cleared):
            guard s.machine.canTransition(to: .armed), s.machine == .idle else { return refuse(.transitionNotAllowed, now: now, &out) }
            guard let settings = s.settings else { return refuse(.noSettingsLoaded, now: now, &out) }
            guard inputs.linkUp else { return refuse(.linkDown, now: now, &out) }
            guard inputs.cartridgePresent else { return refuse(.cartridgeMissing, now: now, &out) }
            guard cleared else { return refuse(.cartridgeReused, now: now, &out) }
            guard !inputs.pedalDown else { return refuse(.pedalDown, now: now, &out) }
            out.commands.append(.arm)
            out.commands.append(.retract)
            // The corrected set-point (the profile's rate through the machine's drive curve).
            out.commands.append(.setStrokeRate(rateMillihertz: UInt32(settings.rateSetPoint.millihertz),
                                               rampMilliseconds: UInt16(clamping: settings.profile.rampInMilliseconds)))
            s.commandedDepthMicrometres = 0
            transition(&s, to: .armed, now: now, &out)
        case .disarm:
            guard s.machine == .armed || s.machine == .paused else { return refuse(.transitionNotAllowed, now: now, &out) }
            if s.machine == .paused {
                // The pass ends here; leaving goes through armed, as the transition table says.
                endPass(&s, reason: .disarmed, fault: nil, now: now, &out)
                transition(&s, to: .armed, now: now, &out)
            }
            out.commands.append(.stop)
            out.commands.append(.retract)
            out.commands.append(.disarm)
            s.pendingStopAt = nil
            transition(&s, to: .idle, now: now, &out)
        case .pause:
            guard s.machine == .running else { return refuse(.transitionNotAllowed, now: now, &out) }
            out.commands.append(.retract)
            out.commands.append(.stop)
            s.commandedDepthMicrometres = 0
            transition(&s, to: .paused, now: now, &out)
        case .resume:
            guard s.machine == .paused, inputs.pedalDown, let settings = s.settings else {
                return refuse(.transitionNotAllowed, now: now, &out)
            }
            startMotor(&s, settings, now: now, &out)
            transition(&s, to: .running, now: now, &out)
        case .reconnect:
            // The session handles reconnection before the step; reaching here means it could not.
            return refuse(.linkDown, now: now, &out)
        case .emergencyStop:
            // Taken with the e-stop above, before any other request; nothing more to do here.
            break
        case .reset:
            guard s.machine == .fault || s.machine == .eStopped else { return refuse(.transitionNotAllowed, now: now, &out) }
            guard !inputs.estopActive, inputs.cartridgePresent, inputs.linkUp else {
                return refuse(.causeStillPresent, now: now, &out)
            }
            let code = s.machine == .eStopped ? FaultCode.estop : (s.latchedFault ?? .firmwareInternal)
            if code.rawValue < 100 {
                out.commands.append(.resetFault(code: code.rawValue))
            } else if code == .linkLost {
                // While the host was gone the firmware's refresh deadline tripped and latched
                // heartbeat-timeout; its fault_report was lost with the link. Acknowledge it, or
                // the next start is refused. If the link came back within the deadline the
                // firmware refuses this reset as not latched, which is harmless.
                out.commands.append(.resetFault(code: FaultCode.heartbeatTimeout.rawValue))
            }
            s.latchedFault = nil
            var r = ControlRecord(kind: .reset, at: now)
            r.code = code.rawValue
            out.records.append(r)
            transition(&s, to: .idle, now: now, &out)
        }
    }

    private static func refuse(_ reason: RefusalReason, now: UInt64, _ out: inout ControlOutputs) {
        var r = ControlRecord(kind: .requestRefused, at: now)
        r.code = reason.rawValue
        out.records.append(r)
    }

    // MARK: - Pedal and passes

    private static func pedal(_ s: inout ControlState, _ inputs: ControlInputs, now: UInt64, _ out: inout ControlOutputs) {
        guard let settings = s.settings else { return }
        switch s.machine {
        case .armed where inputs.pedalDown && !stageHoming(s):
            // A direct-drive stage still homing after arm holds the pass until it has found zero
            // (its firmware would refuse the start); the pass begins on the first cycle after.
            s.passIndex += 1
            s.inPass = true
            s.passStartedAt = now
            s.strokesAtStart = nil
            s.all = PassAccumulator()
            s.steady = PassAccumulator()
            s.pendingStopAt = nil
            startMotor(&s, settings, now: now, &out)
            transition(&s, to: .running, now: now, &out)
            var r = ControlRecord(kind: .passStarted, at: now)
            r.code = s.settingsGeneration
            r.summary.pass = s.passIndex
            r.summary.startedAt = now
            out.records.append(r)
        case .running where !inputs.pedalDown, .paused where !inputs.pedalDown:
            // Needle out first; the motor then slows over the ramp-out instead of jerking to a stop.
            out.commands.append(.retract)
            s.commandedDepthMicrometres = 0
            if s.machine == .running {
                // Deliberately uncorrected: the ramp-out only slows the motor before the stop, no
                // rate is held or checked after the pass ends, and the machine's own minimum is
                // the one set-point its firmware always accepts (a corrected one could fall below it).
                out.commands.append(.setStrokeRate(rateMillihertz: UInt32(settings.machine.limits.rateMin.millihertz),
                                                   rampMilliseconds: UInt16(clamping: settings.profile.rampOutMilliseconds)))
                s.pendingStopAt = now + rampNanoseconds(settings.profile.rampOutMilliseconds)
            }
            endPass(&s, reason: .pedalReleased, fault: nil, now: now, &out)
            transition(&s, to: .armed, now: now, &out)
        default:
            break
        }
    }

    /// Telemetry `state_flags` bit 8 (Firmware-Protocol/README.md section 4).
    static let homingFlag: UInt16 = 1 << 8

    private static func stageHoming(_ s: ControlState) -> Bool {
        (s.lastTelemetry?.stateFlags ?? 0) & homingFlag != 0
    }

    private static func startMotor(_ s: inout ControlState, _ settings: SessionSettings, now: UInt64, _ out: inout ControlOutputs) {
        s.runStartedAt = now
        s.rateBadSince = nil
        s.depthBadSince = nil
        s.nextDotAt = now
        s.lastDepthSentAt = 0
        out.commands.append(.setStrokeRate(rateMillihertz: UInt32(settings.rateSetPoint.millihertz),
                                           rampMilliseconds: UInt16(clamping: settings.profile.rampInMilliseconds)))
        out.commands.append(.start)
    }

    /// Depth follows a ramp from retracted to the target over ramp-in, then varies dot by dot.
    /// A new dot depth is chosen no faster than the stage can reach it.
    private static func driveDepth(_ s: inout ControlState, now: UInt64, _ out: inout ControlOutputs) {
        guard let settings = s.settings else { return }
        let p = settings.profile
        let rampIn = rampNanoseconds(p.rampInMilliseconds)
        let elapsed = now - s.runStartedAt
        var wanted: Int
        if elapsed < rampIn {
            guard now - s.lastDepthSentAt >= 5_000_000 else { return }
            wanted = Int(Double(p.depthTarget.micrometres) * Double(elapsed) / Double(rampIn))
            wanted = min(wanted, p.depthTarget.micrometres)
        } else {
            guard now >= s.nextDotAt else { return }
            let dotPeriod = 1e9 / p.rate.hertz
            let slewPeriod = Double(2 * p.variationAmplitude.micrometres) / (settings.machine.limits.depthSlewMillimetresPerSecond * 1000) * 1e9
            s.nextDotAt = now + UInt64(max(dotPeriod, slewPeriod))
            wanted = s.variation.depth(targetMicrometres: p.depthTarget.micrometres, amplitudeMicrometres: p.variationAmplitude.micrometres)
            wanted = min(max(wanted, p.depthMin.micrometres), p.depthMax.micrometres)
        }
        // Through the calibration and the membrane offset: the needle, not the stage, lands at `wanted`.
        let set = settings.setDepth(for: Depth(micrometres: wanted)).micrometres
        guard set != s.commandedDepthMicrometres else { return }
        s.commandedDepthMicrometres = set
        s.lastDepthSentAt = now
        let slew = UInt32(settings.machine.limits.depthSlewMillimetresPerSecond * 1000)
        out.commands.append(.setDepth(depthMicrometres: UInt32(set), slewMicrometresPerSecond: slew))
    }

    private static func endPass(_ s: inout ControlState, reason: StopReason, fault: FaultCode?, now: UInt64, _ out: inout ControlOutputs) {
        guard s.inPass else { return }
        s.inPass = false
        var r = ControlRecord(kind: .passEnded, at: now)
        r.summary.pass = s.passIndex
        r.summary.startedAt = s.passStartedAt
        r.summary.endedAt = now
        if let start = s.strokesAtStart, let t = s.lastTelemetry {
            r.summary.strokes = t.strokeCount &- start
        }
        (s.steady.count > 0 ? s.steady : s.all).fill(&r.summary)
        r.summary.stopReason = reason
        r.summary.faultCode = fault?.rawValue ?? 0
        out.records.append(r)
    }

    private static func enterFault(_ s: inout ControlState, _ code: FaultCode, reason: StopReason, now: UInt64, sendStop: Bool, _ out: inout ControlOutputs) {
        if sendStop {
            out.commands.append(.stop)
            out.commands.append(.retract)
            out.commands.append(.disarm)
        }
        s.commandedDepthMicrometres = 0
        s.pendingStopAt = nil
        endPass(&s, reason: reason, fault: code, now: now, &out)
        s.latchedFault = code
        var r = ControlRecord(kind: .fault, at: now)
        r.code = code.rawValue
        out.records.append(r)
        transition(&s, to: .fault, now: now, &out)
    }

    private static func transition(_ s: inout ControlState, to next: MachineState, now: UInt64, _ out: inout ControlOutputs) {
        guard s.machine != next else { return }
        // Every internal transition is in the table; a refused one would be a bug, recorded, not run.
        guard s.machine.canTransition(to: next) else {
            var r = ControlRecord(kind: .requestRefused, at: now)
            r.from = s.machine
            r.to = next
            r.code = RefusalReason.transitionNotAllowed.rawValue
            out.records.append(r)
            return
        }
        var r = ControlRecord(kind: .stateChanged, at: now)
        r.from = s.machine
        r.to = next
        out.records.append(r)
        s.machine = next
    }

    // MARK: - Heartbeat and clock

    private static func housekeeping(_ s: inout ControlState, _ inputs: ControlInputs, now: UInt64, _ out: inout ControlOutputs) {
        guard inputs.linkUp else { return }
        let deadline = UInt64(s.settings?.machine.heartbeatDeadlineMilliseconds ?? 50) * 1_000_000
        if s.lastHeartbeatAt.map({ now - $0 >= deadline / 5 }) ?? true {
            s.heartbeatCounter &+= 1
            s.lastHeartbeatAt = now
            out.commands.append(.heartbeat(counter: s.heartbeatCounter))
        }
        if let reply = inputs.clockReply, reply.nonce == s.clockNonce, let sent = s.clockSentAt {
            if s.clockSync == nil { s.clockSync = DeviceClockSync(tickHertz: max(1, s.deviceTickHertz)) }
            s.clockSync?.add(deviceTicks: reply.deviceTicks, hostSent: sent, hostReceived: now)
            s.clockSentAt = nil
        }
        if s.lastClockRequestAt.map({ now - $0 >= clockInterval }) ?? true {
            s.clockNonce &+= 1
            s.clockSentAt = now
            s.lastClockRequestAt = now
            out.commands.append(.clockRequest(nonce: s.clockNonce))
        }
    }

    static func rampNanoseconds(_ ms: Int) -> UInt64 { UInt64(ms) * 1_000_000 }

    /// Five motor time constants plus a margin: when the rate may be held to its tolerance.
    static func settleNanoseconds(_ settings: SessionSettings) -> UInt64 {
        UInt64(settings.machine.actuator.motorTimeConstantMilliseconds * 5 * 1_000_000) + 100_000_000
    }
}

extension MachineState {
    /// The drive is enabled: armed, needling or paused mid-pass.
    public var isEngaged: Bool { self == .armed || self == .running || self == .paused }
    public var isFaulted: Bool { self == .fault || self == .eStopped }
}
