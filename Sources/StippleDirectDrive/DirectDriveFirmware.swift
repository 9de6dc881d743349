import StippleHardware
import StippleModel
import StippleWire

/// The firmware of a direct-drive (`drive = "gpio"`) machine: no controller board, so Stipple's
/// own 1 kHz real-time loop runs the firmware protocol (Firmware-Protocol/README.md) and drives
/// the needle's lines itself. To the host session it is just another `DeviceLink`: the session's
/// frames go in through `send`, the firmware's come out through `receive`, with the same
/// commands, refusals, command results, fault reports and telemetry as a controller board.
///
/// Each control cycle, after the host session's cycle and with the same `now`, the loop calls
/// `service(now:)`, which
/// 1. latches loop-stalled (12) if the loop was silent longer than the charge-pump watchdog's
///    timeout (the watchdog has already dropped the drivers in hardware);
/// 2. executes the commands the host sent since the last call;
/// 3. reads the e-stop and cartridge inputs (e-stop latches 2; a cartridge pulled while armed
///    latches 6) and runs the heartbeat deadline (latches 1);
/// 4. toggles the charge pump on its half-period grid;
/// 5. homes the depth stage after `arm`, or moves it along its motion plan: at most one step per
///    cycle, DIR written before a step that changes it, STEP raised and lowered in the same call;
/// 6. makes any stroke edge already due (recorded as late), then queues telemetry and transmits.
/// Between cycles the loop sleeps to each stroke edge (`TimedEdgeSource`) and fires it on time.
///
/// Faults: every latch stops strokes (an active pulse falls at once), stops stepping, stops the
/// charge pump and drops depth_enable, and disarms, even for the codes a controller board keeps
/// armed (3, 5, 6, 8): with the pump stopped the external watchdog drops both drivers' enable in
/// hardware, and the stage's position is no longer trusted, so the next `arm` homes again.
/// Motor current is not measured on direct drive: telemetry reports 0 mA, and overcurrent (4) is
/// left to the solenoid driver's own hardware current limit.
///
/// The host session owns motor_enable and status_led; the firmware never writes them.
/// `service`, `fireEdge`, `send` and `receive` allocate nothing, take no lock and never block;
/// all must be called from the loop's one thread.
public final class DirectDriveFirmware: DeviceLink, TimedEdgeSource {
    public static let firmwareVersion: UInt32 = 0x00_01_00
    /// Device ticks are the loop's CLOCK_MONOTONIC nanoseconds.
    public static let tickHertz: UInt32 = 1_000_000_000
    public static let window = 8
    /// Telemetry is queued only while fewer messages wait: results and fault reports go first.
    static let telemetryQueueLimit = 8
    static let linkBufferBytes = 16_384
    /// The stepper driver gets this long between depth_enable going active and the first step.
    static let enableSettleNanoseconds: UInt64 = 1_000_000

    public let machine: MachineSpec
    public let parameters: DirectDriveParameters
    public let serial: UInt64
    /// Owed steps beyond this latch stage-lag (11): the machine's calibration tolerance in steps
    /// (0.05 mm, 20 steps on direct-d1). Mid-move the needle may then be further from where the
    /// host believes than a calibration accepts. It is also about what a single stall shorter
    /// than the charge-pump timeout can owe at the maximum step rate (20 ms, 20 steps on
    /// direct-d1), so one late cycle is repaid, while a loop that keeps falling behind latches
    /// before its lag grows any further.
    public let lagBoundSteps: Int
    /// Half the maximum step rate: steps at least two cycles apart, so the home switch is read
    /// after each step settled and before the next, and the trip point is exact to the step.
    public let homingStepRateHertz: Double
    /// Steps closer than 80% of 1/max_step_rate_hz are held back (owed, repaid later): a cycle
    /// that runs early by more than a fifth of a period does not send the stepper a pulse faster
    /// than it can follow. Ordinary jitter passes, so cruising at the maximum rate does not stall.
    public let minimumStepIntervalNanoseconds: UInt64

    private let gpio: GPIOLines
    private let link: ReliableLink
    private let inbound = LinkByteBuffer(capacity: DirectDriveFirmware.linkBufferBytes)
    private let outbound = LinkByteBuffer(capacity: DirectDriveFirmware.linkBufferBytes)
    private let pulses: StrokePulseLine
    private var motion: DepthStageMotion
    private var homing: DepthStageHoming?
    private var pump: ChargePump

    private var config: DeviceConfig
    private var calibration = DeviceCalibration(offsetMicrometres: 0, scalePPM: 1_000_000, quadraticPPM: 0,
                                                cartridgeOffsetMicrometres: 0, expiresUnixSeconds: 0)
    private var identified = false
    private var armed = false
    private var running = false
    private var retractHeld = true
    private var homed = false
    private var latched: UInt16 = 0
    private var targetSteps = 0
    private var slewStepsPerSecond: Double
    private var cartridgeMaxMicrometres: Int?
    private var deadlineAt: UInt64 = 0
    private var lastHeartbeatAt: UInt64?
    private var heartbeatFaultAt: UInt64 = 0
    private var estopInput = false
    private var cartridgePresent: Bool
    private var cartridgeCounted = false
    private var cartridgeUseCount: UInt16 = 0
    private var motorEnableOutput = false
    private var depthEnabled = false
    private var depthEnabledAt: UInt64 = 0
    private var directionDeeper = false
    private var lastServiceAt: UInt64?
    private var nextTelemetryAt: UInt64 = 0
    private var telemetryPeriod: UInt64

    private var stepsEmitted = 0
    private var telemetrySent = 0
    private var faultReportsSent = 0
    private var messagesLost = 0
    private var commandsExecuted = 0
    private var commandsRefused = 0
    private var gpioWriteFailures = 0

    /// Throws if `machine` is not a direct-drive machine with every line the loop needs, or if the
    /// outputs cannot be put in their safe levels (stroke low, no step, stage driver disabled).
    public init(machine: MachineSpec, gpio: GPIOLines, serial: UInt64, now: UInt64) throws(DirectDriveError) {
        guard machine.drive == .gpio else { throw .notDirectDrive(machine: machine.name, drive: machine.drive) }
        guard let p = machine.directDrive else { throw .parametersMissing(machine: machine.name) }
        let needed: [GPIOLineRole] = [.strokePulse, .depthStep, .depthDirection, .depthEnable, .depthHome, .chargePump,
                                      .estop, .cartridgePresent, .motorEnable]
        for role in needed where machine.gpio[role] == nil { throw .lineMissing(machine: machine.name, role: role) }
        self.machine = machine
        parameters = p
        self.serial = serial
        self.gpio = gpio
        let stepRate = Double(p.maxStepRateHertz)
        lagBoundSteps = max(1, Int((machine.calibrationTolerance.millimetres * p.stepsPerMillimetre + 1e-9).rounded(.down)))
        homingStepRateHertz = stepRate / 2
        minimumStepIntervalNanoseconds = UInt64(0.8e9 / stepRate)
        let l = machine.limits
        config = DeviceConfig(
            depthMinMicrometres: UInt32(clamping: l.depthMin.micrometres), depthMaxMicrometres: UInt32(clamping: l.depthMax.micrometres),
            rateMinMillihertz: UInt32(clamping: l.rateMin.millihertz), rateMaxMillihertz: UInt32(clamping: l.rateMax.millihertz),
            depthSlewMicrometresPerSecond: UInt32(clamping: Int((l.depthSlewMillimetresPerSecond * 1000).rounded())),
            heartbeatDeadlineMilliseconds: UInt16(clamping: machine.heartbeatDeadlineMilliseconds), telemetryHertz: 500)
        telemetryPeriod = 1_000_000_000 / 500
        slewStepsPerSecond = min(l.depthSlewMillimetresPerSecond * p.stepsPerMillimetre, stepRate)
        motion = DepthStageMotion(accelerationStepsPerSecondSquared: p.accelerationMillimetresPerSecondSquared * p.stepsPerMillimetre,
                                  maximumStepRateHertz: stepRate, lagBound: lagBoundSteps,
                                  minimumStepIntervalNanoseconds: minimumStepIntervalNanoseconds)
        pulses = StrokePulseLine(
            train: StrokePulseTrain(pulseWidthMicroseconds: p.strokePulseWidthMicroseconds, startRateMillihertz: l.rateMin.millihertz,
                                    rampMilliseconds: l.rampMinMilliseconds),
            gpio: gpio)
        pump = ChargePump(hertz: p.chargePumpHertz, timeoutMilliseconds: p.chargePumpTimeoutMilliseconds,
                          level: (try? gpio.read(.chargePump)) ?? false)
        cartridgePresent = (try? gpio.read(.cartridgePresent)) ?? false
        var linkConfiguration = LinkConfiguration()
        linkConfiguration.window = Self.window
        // The device never gives its link up: the refresh deadline is what stops the needle when
        // the host goes quiet, and a host that comes back reconnects with identify.
        linkConfiguration.linkTimeout = UInt64.max / 4
        link = ReliableLink(role: .device, configuration: linkConfiguration, now: now)
        do {
            for role in [GPIOLineRole.strokePulse, .depthStep, .depthEnable, .depthDirection] {
                try gpio.write(role, active: false)
            }
        } catch {
            throw .gpio(machine: machine.name, error)
        }
    }

    /// The serial a direct-drive machine identifies with: FNV-1a 64 of
    /// `direct-drive:<machine name>:<gpio chip>`, stable across runs so calibrations journaled
    /// against it match the next time the same machine is driven from the same header.
    public static func serial(for machine: MachineSpec) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "direct-drive:\(machine.name):\(machine.gpio.chip)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    // MARK: DeviceLink

    /// Bytes from the host, buffered until the next `service`.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError) { inbound.append(bytes) }

    /// Bytes for the host, as `service` transmitted them.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int { outbound.take(into: buffer) }

    // MARK: TimedEdgeSource

    public func nextEdge(before limit: UInt64) -> UInt64? { pulses.nextEdge(before: limit) }

    public func fireEdge(planned: UInt64, actual: UInt64) {
        pulses.fireEdge(planned: planned, actual: actual)
        if pulses.lastWriteFailed { strokeLineFailed(at: actual) }
    }

    // MARK: The host's view

    /// The fitted cartridge's rated depth, a soft limit under the configured maximum (nil: the
    /// machine's limit only). If the stage's target is deeper it is brought back to the new limit:
    /// shallower is the safe way, and the next telemetry shows where the needle is.
    public func fitCartridge(maxDepth: Depth?) {
        cartridgeMaxMicrometres = maxDepth?.micrometres
        let limit = softMaximumSteps
        if targetSteps > limit { targetSteps = limit }
    }

    public var edgeLog: StrokeEdgeLog { pulses.log }

    public var status: DirectDriveFirmwareStatus {
        var s = DirectDriveFirmwareStatus()
        s.identified = identified
        s.armed = armed
        s.running = running
        s.retracted = retractHeld
        s.homing = homing != nil
        s.homed = homed
        s.positionSteps = motion.emitted
        s.targetSteps = motion.target
        s.stepsOwed = motion.owed
        s.stepsEmitted = stepsEmitted
        s.strokes = pulses.train.strokes
        s.skippedStrokes = pulses.train.skippedStrokes
        s.strokeRateMillihertz = pulses.meter.millihertz(now: lastServiceAt ?? 0)
        s.chargePumpRunning = pump.isRunning
        s.latchedFaultMask = latched
        s.strokeEdges = pulses.edgesFired
        s.lateStrokeEdges = pulses.lateEdges
        s.maximumStrokeEdgeLatenessNanoseconds = pulses.maximumLatenessNanoseconds
        s.telemetrySent = telemetrySent
        s.faultReportsSent = faultReportsSent
        s.messagesLost = messagesLost
        s.commandsExecuted = commandsExecuted
        s.commandsRefused = commandsRefused
        s.bytesDropped = inbound.droppedBytes
        s.gpioWriteFailures = gpioWriteFailures + pulses.writeFailures
        return s
    }

    // MARK: The cycle

    public func service(now: UInt64) {
        if let last = lastServiceAt, now > last {
            let silent = now - last
            if silent > pump.timeoutNanoseconds || pump.watchdogExpired(now: now) {
                latch(.loopStalled, detail: Int32(clamping: silent / 1_000_000), at: now)
            }
        }
        lastServiceAt = now

        inbound.drain { bytes in
            link.receive(bytes, now: now) { message in execute(message, now: now) }
        }

        readInputs(now: now)
        if armed, now > deadlineAt, latched & DirectDriveFault.heartbeatTimeout.bit == 0 {
            let silent = lastHeartbeatAt.map { now &- $0 } ?? (now &- deadlineAt &+ deadlineNanoseconds)
            latch(.heartbeatTimeout, detail: Int32(clamping: silent / 1_000_000), at: now)
        }

        if latched == 0, !pump.isRunning { pump.start(now: now) }
        if let level = pump.toggle(now: now) {
            write(.chargePump, level, at: now)
        }

        serviceStage(now: now)

        pulses.fireDue(now: now)
        if pulses.lastWriteFailed { strokeLineFailed(at: now) }

        if telemetryPeriod > 0, now >= nextTelemetryAt {
            if identified, link.queued < Self.telemetryQueueLimit { sendTelemetry(now: now) }
            nextTelemetryAt &+= telemetryPeriod
            if nextTelemetryAt <= now { nextTelemetryAt = now + telemetryPeriod }
        }

        link.poll(now: now) { frame in outbound.append(frame) }
    }

    private func readInputs(now: UInt64) {
        // A failed read of the e-stop counts as pressed, as a broken normally-closed wire does.
        estopInput = (try? gpio.read(.estop)) ?? true
        if estopInput, latched & DirectDriveFault.estop.bit == 0 {
            latch(.estop, detail: 1, at: now)
        }
        let present = (try? gpio.read(.cartridgePresent)) ?? false
        if present != cartridgePresent {
            cartridgePresent = present
            if !present, armed || running {
                latch(.cartridgeRemoved, detail: 0, at: now)
            } else if present {
                cartridgeCounted = false
            }
        }
        motorEnableOutput = (try? gpio.read(.motorEnable)) ?? false
    }

    private func serviceStage(now: UInt64) {
        motion.advance(to: now)
        guard latched == 0 else { return }
        if var h = homing {
            let switchActive = (try? gpio.read(.depthHome)) ?? false
            let ready = pump.driversEnabled && depthEnabled && now >= depthEnabledAt &+ Self.enableSettleNanoseconds
            switch h.update(switchActive: switchActive, driversEnabled: ready, motion: &motion) {
            case .inProgress:
                homing = h
            case .homed:
                homing = nil
                homed = true
            case .notFound(let travelled):
                homing = nil
                latch(.homeNotFound, detail: Int32(clamping: travelled), at: now)
                return
            }
        } else if homed {
            let goal = armed && !retractHeld ? targetSteps : 0
            let speed = armed && !retractHeld ? slewStepsPerSecond : min(machine.limits.depthSlewMillimetresPerSecond * parameters.stepsPerMillimetre,
                                                                          Double(parameters.maxStepRateHertz))
            if goal != motion.target || speed != motion.speedLimit { motion.move(to: goal, speed: speed) }
        } else {
            return
        }

        let direction = motion.stepDue(now: now)
        if direction != 0, depthEnabled, pump.driversEnabled {
            let next = motion.emitted + direction
            if homed, (direction > 0 && next > softMaximumSteps) || (direction < 0 && next < 0) {
                // Defence in depth: set_depth refuses out-of-limit targets, so a plan that leads
                // here is a firmware bug. Stop rather than step.
                latch(.internal, detail: Int32(clamping: next), at: now)
                return
            }
            let deeper = direction > 0
            if deeper != directionDeeper {
                write(.depthDirection, deeper, at: now)
                directionDeeper = deeper
            }
            write(.depthStep, true, at: now)
            write(.depthStep, false, at: now)
            guard latched == 0 else { return }
            motion.didStep(direction, at: now)
            stepsEmitted += 1
        }
        if motion.owed > lagBoundSteps {
            latch(.stageLag, detail: Int32(clamping: motion.owed), at: now)
        }
    }

    private var softMaximumSteps: Int {
        var um = Int(config.depthMaxMicrometres)
        if let c = cartridgeMaxMicrometres { um = min(um, c) }
        return Int((Double(um) * parameters.stepsPerMillimetre / 1000 + 1e-9).rounded(.down))
    }

    private func steps(micrometres: UInt32) -> Int {
        Int((Double(micrometres) * parameters.stepsPerMillimetre / 1000).rounded())
    }

    private var deadlineNanoseconds: UInt64 { UInt64(config.heartbeatDeadlineMilliseconds) * 1_000_000 }

    // MARK: Lines and faults

    private func write(_ role: GPIOLineRole, _ active: Bool, at now: UInt64) {
        do {
            try gpio.write(role, active: active)
        } catch {
            gpioWriteFailures += 1
            latch(.internal, detail: Int32(role.ordinal), at: now)
        }
    }

    private func strokeLineFailed(at now: UInt64) {
        latch(.internal, detail: Int32(GPIOLineRole.strokePulse.ordinal), at: now)
    }

    private func setDepthEnable(_ active: Bool, at now: UInt64) {
        if active && !depthEnabled { depthEnabledAt = now }
        depthEnabled = active
        do { try gpio.write(.depthEnable, active: active) } catch { gpioWriteFailures += 1 }
    }

    /// The loop is about to stop for good (the run or console ends): every output to its safe
    /// level at once (a pulse under way falls, no step, the stage driver disabled, the pump
    /// stopped), rather than leaving them as last written until the process exits and the lines
    /// are released, or until the watchdog notices. Latches nothing; the loop must not call
    /// `service` after it.
    public func shutDown(now: UInt64) {
        stopEverything(at: now)
        setDepthEnable(false, at: now)
    }

    /// What both a latch and a shut-down do: no stroke (a pulse under way falls now), no step,
    /// no pump, home forgotten. The stage driver's enable is each caller's to drop.
    private func stopEverything(at now: UInt64) {
        running = false
        armed = false
        retractHeld = true
        pulses.train.stopNow(now: now)
        pulses.fireDue(now: now)
        homing = nil
        homed = false
        motion.halt()
        pump.stop()
    }

    private func latch(_ fault: DirectDriveFault, detail: Int32, at now: UInt64) {
        stopEverything(at: now)
        if depthEnabled || fault == .internal { setDepthEnable(false, at: now) }
        guard latched & fault.bit == 0 else { return }
        latched |= fault.bit
        if fault == .heartbeatTimeout { heartbeatFaultAt = now }
        if transmit(.faultReport(deviceTicks: now, code: fault.rawValue, detail: detail)) { faultReportsSent += 1 }
    }

    private func isLatched(_ fault: DirectDriveFault) -> Bool { latched & fault.bit != 0 }

    private var firstLatched: UInt16? {
        // A bit scan, not `allCases` (which builds an array): this runs in the loop.
        guard latched != 0 else { return nil }
        return UInt16(latched.trailingZeroBitCount)
    }

    // MARK: Messages

    @discardableResult
    private func transmit(_ message: Message) -> Bool {
        guard identified else { return false }
        do {
            try link.send(message)
            return true
        } catch {
            messagesLost += 1
            return false
        }
    }

    private func result(_ id: UInt8, _ status: CommandStatus, detail: Int32 = 0) {
        if status == .ok { commandsExecuted += 1 } else { commandsRefused += 1 }
        transmit(.commandResult(commandID: id, status: status.rawValue, detail: detail))
    }

    private var stateFlags: UInt16 {
        var f: UInt16 = 0
        if armed { f |= 1 << 0 }
        if running { f |= 1 << 1 }
        if retractHeld { f |= 1 << 2 }
        if isLatched(.estop) { f |= 1 << 3 }
        if latched & ~DirectDriveFault.estop.bit != 0 { f |= 1 << 4 }
        if cartridgePresent { f |= 1 << 5 }
        // The solenoid driver is enabled only through the watchdog's AND gate.
        if armed && motorEnableOutput && pump.driversEnabled { f |= 1 << 6 }
        if armed { f |= 1 << 7 }
        if homing != nil { f |= 1 << 8 }
        return f
    }

    private func sendTelemetry(now: UInt64) {
        let micrometres = (Double(motion.emitted) * 1000 / parameters.stepsPerMillimetre).rounded()
        let t = Telemetry(deviceTicks: now, rateMillihertz: pulses.meter.millihertz(now: now),
                          depthMicrometres: Int32(clamping: Int(micrometres)),
                          motorCurrentMilliamperes: 0,
                          strokeCount: UInt32(truncatingIfNeeded: pulses.train.strokes), stateFlags: stateFlags)
        if transmit(.telemetry(t)) { telemetrySent += 1 }
    }

    private func execute(_ message: Message, now: UInt64) {
        if case .identify(_, _, let nonce) = message {
            identified = true
            transmit(.identifyReply(IdentifyReply(
                protocolVersion: MessageTable.protocolVersion, tableHash: MessageTable.tableHash, nonce: nonce,
                firmwareVersion: Self.firmwareVersion, serial: serial, tickHertz: Self.tickHertz, maxWindow: UInt8(Self.window))))
            return
        }
        // Nothing is acted on before the first identify (section 4).
        guard identified else { return }
        let id = message.id
        switch message {
        case .identify:
            break

        case .getConfig:
            transmit(.config(config))

        case .setConfig(let c):
            if armed {
                result(id, .refusedInThisState)
            } else if let field = invalidConfigField(c) {
                result(id, .outsideLimits, detail: field)
            } else {
                config = c
                telemetryPeriod = c.telemetryHertz == 0 ? 0 : 1_000_000_000 / UInt64(c.telemetryHertz)
                nextTelemetryAt = now
                let limit = min(Double(c.depthSlewMicrometresPerSecond) / 1000 * parameters.stepsPerMillimetre,
                                Double(parameters.maxStepRateHertz))
                slewStepsPerSecond = min(slewStepsPerSecond, limit)
                let limitSteps = softMaximumSteps
                if targetSteps > limitSteps { targetSteps = limitSteps }
                result(id, .ok)
            }
            transmit(.config(config))

        case .arm:
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if !cartridgePresent {
                result(id, .refusedInThisState, detail: Int32(DirectDriveFault.cartridgeRemoved.rawValue))
            } else {
                if !armed {
                    deadlineAt = now + deadlineNanoseconds
                    armed = true
                    startHoming(now: now)
                }
                result(id, .ok)
            }

        case .disarm:
            armed = false
            running = false
            retractHeld = true
            pulses.train.stop()
            if homing != nil {
                // Homing abandoned: the stage stops where it is, its zero still unknown.
                homing = nil
                motion.halt()
            }
            result(id, .ok)

        case .setStrokeRate(let rate, let ramp):
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if rate < config.rateMinMillihertz {
                result(id, .outsideLimits, detail: Int32(clamping: config.rateMinMillihertz))
            } else if rate > config.rateMaxMillihertz {
                result(id, .outsideLimits, detail: Int32(clamping: config.rateMaxMillihertz))
            } else {
                pulses.train.setRate(millihertz: Int(rate), rampMilliseconds: Int(ramp), now: now)
                result(id, .ok)
            }

        case .setDepth(let depth, let slew):
            let cartridgeMax = cartridgeMaxMicrometres.map { UInt32(clamping: $0) } ?? UInt32.max
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if homing != nil {
                result(id, .refusedInThisState)
            } else if depth < config.depthMinMicrometres {
                result(id, .outsideLimits, detail: Int32(clamping: config.depthMinMicrometres))
            } else if depth > config.depthMaxMicrometres {
                result(id, .outsideLimits, detail: Int32(clamping: config.depthMaxMicrometres))
            } else if depth > cartridgeMax {
                result(id, .outsideLimits, detail: Int32(clamping: cartridgeMax))
            } else {
                targetSteps = steps(micrometres: depth)
                let limit = config.depthSlewMicrometresPerSecond
                let umPerSecond = slew == 0 ? limit : min(slew, limit)
                slewStepsPerSecond = min(Double(umPerSecond) / 1000 * parameters.stepsPerMillimetre, Double(parameters.maxStepRateHertz))
                result(id, .ok)
            }

        case .start:
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if homing != nil || !armed {
                result(id, .refusedInThisState)
            } else if !cartridgePresent {
                result(id, .refusedInThisState, detail: Int32(DirectDriveFault.cartridgeRemoved.rawValue))
            } else {
                if !running { pulses.train.start(now: now) }
                running = true
                retractHeld = false
                if !cartridgeCounted {
                    cartridgeCounted = true
                    cartridgeUseCount &+= 1
                }
                result(id, .ok)
            }

        case .stop:
            running = false
            pulses.train.stop()
            result(id, .ok)

        case .retract:
            // While homing a no-op: homing ends at home zero, the retracted position.
            retractHeld = true
            result(id, .ok)

        case .heartbeat:
            lastHeartbeatAt = now
            deadlineAt = now + deadlineNanoseconds

        case .estop:
            latch(.estop, detail: 0, at: now)
            result(id, .ok)

        case .resetFault(let code):
            resetFault(code: code, now: now)

        case .readCalibration:
            transmit(.calibration(calibration))

        case .writeCalibration(let c):
            if running {
                result(id, .refusedInThisState)
            } else {
                calibration = c
                result(id, .ok)
            }

        case .getCartridge:
            // No ID chip on a direct-drive cartridge: presence and the firmware's use count only.
            transmit(.cartridgeInfo(cartridgeID: 0, lot: 0, useCount: cartridgePresent ? cartridgeUseCount : 0,
                                    present: cartridgePresent ? 1 : 0))

        case .clockRequest(let nonce):
            transmit(.clockReply(nonce: nonce, deviceTicks: now))

        case .identifyReply, .config, .calibration, .cartridgeInfo, .telemetry, .faultReport, .logMessage,
             .clockReply, .commandResult:
            result(id, .unknownCommand)
        }
    }

    private func startHoming(now: UInt64) {
        homed = false
        running = false
        retractHeld = true
        motion.halt()
        setDepthEnable(true, at: now)
        let p = parameters
        homing = DepthStageHoming(
            seekSign: p.homeDirection == .up ? -1 : 1,
            travelSteps: Int((p.homeTravel.millimetres * p.stepsPerMillimetre).rounded()),
            offsetSteps: Int((p.homeOffset.millimetres * p.stepsPerMillimetre).rounded()),
            speedStepsPerSecond: homingStepRateHertz)
    }

    /// Clears a latched fault only if the host names it and its cause is gone.
    private func resetFault(code: UInt16, now: UInt64) {
        let id = Message.resetFault(code: code).id
        guard let fault = DirectDriveFault(rawValue: code), isLatched(fault) else {
            result(id, .refusedInThisState, detail: Int32(code))
            return
        }
        let causePresent: Bool
        switch fault {
        case .heartbeatTimeout: causePresent = (lastHeartbeatAt ?? 0) <= heartbeatFaultAt
        case .estop: causePresent = (try? gpio.read(.estop)) ?? true
        case .cartridgeRemoved: causePresent = !((try? gpio.read(.cartridgePresent)) ?? false)
        default: causePresent = false
        }
        if causePresent {
            result(id, .refusedInThisState, detail: Int32(code))
        } else {
            latched &= ~fault.bit
            result(id, .ok)
        }
    }

    /// The 1-based index of the first `set_config` field outside what this machine can do.
    private func invalidConfigField(_ m: DeviceConfig) -> Int32? {
        let l = machine.limits
        if m.depthMinMicrometres < UInt32(clamping: l.depthMin.micrometres) { return 1 }
        if m.depthMaxMicrometres > UInt32(clamping: l.depthMax.micrometres) || m.depthMaxMicrometres <= m.depthMinMicrometres { return 2 }
        if m.rateMinMillihertz < UInt32(clamping: l.rateMin.millihertz) { return 3 }
        if m.rateMaxMillihertz > UInt32(clamping: l.rateMax.millihertz) || m.rateMaxMillihertz <= m.rateMinMillihertz { return 4 }
        let slewMax = UInt32(clamping: Int((l.depthSlewMillimetresPerSecond * 1000).rounded()))
        if m.depthSlewMicrometresPerSecond == 0 || m.depthSlewMicrometresPerSecond > slewMax { return 5 }
        if !(10...500).contains(m.heartbeatDeadlineMilliseconds) { return 6 }
        if m.telemetryHertz > 1000 { return 7 }
        return nil
    }
}
