#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StippleModel
import StippleWire
import StippleProtocolC

/// A virtual needle machine: the controller board's firmware (protocol, refresh deadline, latched
/// faults, limits) and the physics it drives (stroke motor inertia, depth-stage slew, drive
/// current, depth sensor noise), built from a machine file so it behaves like that machine.
///
/// It is driven by its caller's clock: `receiveFromHost` hands it bytes, `advance` integrates the
/// physics up to a time in fixed 100 µs steps and transmits what the firmware has to say. Tests
/// drive it in virtual time (deterministically, far faster than real time); `SimulatorServer`
/// drives it against CLOCK_MONOTONIC.
///
/// Its side of the protocol is framed and packed with the C reference codec (Firmware-Protocol/c),
/// while the host uses the Swift codec, so every exchange between them cross-checks the two.
/// After init it allocates nothing per frame or per step.
///
/// Not thread-safe: one thread drives it (its GPIO chip, which other threads touch, is).
public final class SimulatedMachine {
    /// Physics step: fine against the shortest motor time constant (a few ms) and the 2 ms
    /// telemetry period.
    public static let stepNanoseconds: UInt64 = 100_000
    public static let firmwareVersion: UInt32 = 0x00_01_00
    public static let tickHertz: UInt32 = 1_000_000
    public static let maxWindow = UInt8(FirmwareLink.window)

    public let machine: MachineSpec
    public let cartridge: Cartridge?
    public let serial: UInt64
    public let gpio: SimulatedGPIOChip?
    /// The fitted cartridge's identity, as its ID chip reports it (`cartridge_info`).
    public var cartridgeID: UInt64
    public var cartridgeLot: UInt32 = 0
    /// Counted by the firmware: +1 on the first `start` after the cartridge was fitted.
    public var cartridgeUseCount: UInt16 = 0
    /// Where the needle really lands against the stage position (none by default): what a depth
    /// calibration measures. It does not touch telemetry, which reports the stage's own sensor.
    public var depthError: SimulatedDepthError = .none
    /// The depth calibration the host last wrote (`write_calibration`). The firmware stores it
    /// and reports it back; it does not apply it (the host converts depths: Firmware-Protocol/README.md section 4).
    public var storedCalibration: DeviceCalibration {
        DeviceCalibration(offsetMicrometres: calibration.offset_um, scalePPM: calibration.scale_ppm,
                          quadraticPPM: calibration.quadratic_ppm, cartridgeOffsetMicrometres: calibration.cartridge_offset_um,
                          expiresUnixSeconds: calibration.expires_unix_s)
    }

    private let link = FirmwareLink()
    private let decoder: UnsafeMutablePointer<sp_decoder>
    private var rng: SplitMix64
    /// The gauge's own noise source, apart from the depth sensor's so that reading the gauge does
    /// not change the telemetry a seed produces.
    private var gaugeRNG: SplitMix64
    private var motor: SimulatedStrokeMotor
    private var stage = SimulatedDepthStage()
    private let stepSeconds = Double(SimulatedMachine.stepNanoseconds) / 1e9
    private let clockRate: Double

    // Firmware state.
    private var config: sp_config
    private var calibration = sp_calibration(offset_um: 0, scale_ppm: 1_000_000, quadratic_ppm: 0,
                                             cartridge_offset_um: 0, expires_unix_s: 0)
    private var armed = false
    private var running = false
    private var retractHeld = true
    private var latched: UInt16 = 0
    private var heartbeatFaultAt: UInt64 = 0
    private var targetDepth = 0.0
    private var depthSlew: Double
    private var rampNanoseconds: UInt64
    private var lastHeartbeatAt: UInt64?
    private var deadlineAt: UInt64 = 0
    private var cartridgeInserted: Bool
    private var cartridgeWasPresent: Bool
    private var cartridgeCounted = false
    private var overcurrentSince: UInt64?
    private var stallSince: UInt64?
    private var badFrameWindowStart: UInt64 = 0
    private var badFramesInWindow = 0

    /// A broken firmware, for `stipple selftest` to catch (see `SimulatedFirmwareQuirks`).
    public var quirks = SimulatedFirmwareQuirks()
    /// The stroke drive's error against its set-point, for `stipple calibrate rate` to find.
    public var strokeRateError: StrokeRateError {
        get { motor.driveError }
        set { motor.driveError = newValue }
    }

    // Injected faults.
    private var stallInjected = false
    private var overcurrentInjected = false
    private var driftRate = 0.0
    private var driftOffset = 0.0
    private var unresponsive = false
    private var pulledByInjection = false

    // Time.
    private var powerOnAt: UInt64?
    private var physicsTime: UInt64 = 0
    private var eventTime: UInt64 = 0
    private var nextTelemetryAt: UInt64 = 0
    private var telemetryPeriod: UInt64
    private var lastReading = 0.0

    /// Faults latched, oldest first, at most `latchLogCapacity` (reserved at init: latching never
    /// allocates). See `FirmwareLatchRecord`.
    public private(set) var latchLog: [FirmwareLatchRecord] = []
    public static let latchLogCapacity = 64
    private var awaitingMotorStop = false

    // Counters.
    private var framesReceived = 0
    private var crcErrors = 0
    private var badFrames = 0
    private var messageErrors = 0
    private var commandsExecuted = 0
    private var commandsRefused = 0
    private var telemetrySent = 0
    private var faultReportsSent = 0
    private var bytesIgnored = 0

    /// - Parameters:
    ///   - cartridge: the fitted cartridge type, nil for none (then cartridge_present reads inactive).
    ///   - gpio: the machine's GPIO lines, when the host drives them (e-stop input, cartridge
    ///     input and the motor-enable output then act on the machine).
    ///   - seed: for the depth sensor's noise.
    ///   - telemetryHertz: until `set_config` says otherwise (0 sends none; at most 1000).
    ///   - clockDriftPPM: how fast the device's tick clock runs against the caller's clock, for
    ///     exercising the host's clock fit.
    public init(machine: MachineSpec, cartridge: Cartridge?, cartridgeID: UInt64, serial: UInt64,
                gpio: SimulatedGPIOChip?, seed: UInt64, telemetryHertz: Int = 500, clockDriftPPM: Double = 0) {
        self.machine = machine
        self.cartridge = cartridge
        self.cartridgeID = cartridgeID
        self.serial = serial
        self.gpio = gpio
        rng = SplitMix64(seed: seed)
        gaugeRNG = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C908)
        clockRate = 1 + clockDriftPPM / 1_000_000
        latchLog.reserveCapacity(Self.latchLogCapacity)
        decoder = .allocate(capacity: 1)
        decoder.initialize(to: sp_decoder())
        sp_decoder_init(decoder)
        let limits = machine.limits
        motor = SimulatedStrokeMotor(
            timeConstantMilliseconds: machine.actuator.motorTimeConstantMilliseconds,
            nominalMilliamperes: machine.actuator.motorCurrentNominalMilliamperes,
            maximumMilliamperes: machine.actuator.motorCurrentMaxMilliamperes,
            rateMaxHertz: limits.rateMax.hertz, stepNanoseconds: Self.stepNanoseconds)
        let hz = UInt16(clamping: min(max(telemetryHertz, 0), 1000))
        config = sp_config(
            depth_min_um: UInt32(clamping: limits.depthMin.micrometres),
            depth_max_um: UInt32(clamping: limits.depthMax.micrometres),
            rate_min_mhz: UInt32(clamping: limits.rateMin.millihertz),
            rate_max_mhz: UInt32(clamping: limits.rateMax.millihertz),
            depth_slew_um_per_s: UInt32(clamping: Int((limits.depthSlewMillimetresPerSecond * 1000).rounded())),
            heartbeat_deadline_ms: UInt16(clamping: machine.heartbeatDeadlineMilliseconds),
            telemetry_hz: hz)
        telemetryPeriod = hz == 0 ? 0 : 1_000_000_000 / UInt64(hz)
        depthSlew = Double(config.depth_slew_um_per_s)
        rampNanoseconds = UInt64(max(limits.rampMinMilliseconds, 0)) * 1_000_000
        cartridgeInserted = cartridge != nil
        cartridgeWasPresent = cartridge != nil
        if let gpio { try? gpio.setInput(.cartridgePresent, active: cartridge != nil) }
    }

    deinit {
        decoder.deinitialize(count: 1)
        decoder.deallocate()
    }

    // MARK: Driving it

    /// Bytes from the host, arriving at `now` (ns on the caller's monotonic clock). Commands take
    /// effect at once; replies leave with the next `advance`.
    public func receiveFromHost(_ bytes: UnsafeRawBufferPointer, now: UInt64) {
        integrate(to: now)
        guard !unresponsive else {
            bytesIgnored += bytes.count
            return
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        eventTime = max(now, physicsTime)
        sp_decoder_feed(decoder, base.assumingMemoryBound(to: UInt8.self), bytes.count,
                        SimulatedMachine.onDecoderEvent, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Integrates the physics up to `now` in fixed steps (telemetry, the refresh deadline and
    /// fault detection run on the same steps), then transmits what is due: new frames within the
    /// window, retransmissions, NAK, ACK. `transmit` gets one frame per call.
    public func advance(to now: UInt64, transmit: (UnsafeRawBufferPointer) -> Void) {
        integrate(to: now)
        guard !unresponsive else { return }
        link.poll(now: now, transmit: transmit)
    }

    /// The host went away (socket closed, USB reset): forget the connection, so nothing is sent
    /// until the next `identify`. The machine keeps its state and its refresh deadline.
    public func hostDisconnected() {
        link.disconnect()
        sp_decoder_init(decoder)
    }

    /// Injects a machine-side fault (see `SimulatedFault`).
    public func inject(_ fault: SimulatedFault) {
        switch fault {
        case .motorStall: stallInjected = true
        case .overcurrent: overcurrentInjected = true
        case .depthSensorDrift(let rate): driftRate = rate
        case .cartridgePulled:
            pulledByInjection = true
            setCartridgeInput(false)
        case .unresponsive: unresponsive = true
        case .clear:
            stallInjected = false
            overcurrentInjected = false
            driftRate = 0
            driftOffset = 0
            unresponsive = false
            if pulledByInjection {
                pulledByInjection = false
                setCartridgeInput(true)
            }
        }
    }

    /// Fits or removes the cartridge (the cartridge-present input, on the GPIO chip if attached).
    public func setCartridgePresent(_ present: Bool) {
        setCartridgeInput(present)
    }

    private func setCartridgeInput(_ present: Bool) {
        if let gpio, gpio.level(.cartridgePresent) != nil {
            try? gpio.setInput(.cartridgePresent, active: present)
        } else {
            cartridgeInserted = present
        }
    }

    // MARK: Observation

    /// The true needle depth (mm) now: the depth error applied to the stage position, less the
    /// fitted cartridge's true membrane offset (none without a cartridge type, as with the bare
    /// calibration needle a technician fits to calibrate the machine itself).
    public var needleDepthMillimetres: Double {
        let machineDepth = depthError.needleDepth(atStage: stage.positionMicrometres / 1000, lastMovedDeeper: stage.lastMovedDeeper)
        guard let cartridge else { return machineDepth }
        return machineDepth - cartridge.membraneOffset.millimetres - depthError.membraneErrorMillimetres
    }

    /// What a dial gauge on the needle reads now (mm): the true depth plus the gauge's noise.
    public func gaugeReading() -> Double {
        let u1 = 1 - gaugeRNG.unit()
        let u2 = gaugeRNG.unit()
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return needleDepthMillimetres + depthError.gaugeNoiseMillimetres * normal
    }

    public var status: Status {
        var s = Status()
        s.identified = link.connected
        s.armed = armed
        s.running = running
        s.retracted = retractHeld
        s.estopLatched = latched & FirmwareFault.estop.bit != 0
        s.latchedFaults = FirmwareFault.allCases.filter { latched & $0.bit != 0 }.map(\.rawValue)
        s.latchedFault = s.latchedFaults.first
        s.cartridgePresent = cartridgePresent
        s.motorEnabled = drivePowered
        s.actualRateHertz = motor.rateHertz
        s.rateSetpointHertz = motor.targetHertz
        s.stagePositionMicrometres = stage.positionMicrometres
        s.targetDepthMicrometres = targetDepth
        s.depthReadingMicrometres = lastReading
        s.strokes = motor.strokes
        s.motorCurrentMilliamperes = motor.currentMilliamperes
        s.lastHeartbeatAt = lastHeartbeatAt
        s.deviceTicks = ticks(at: physicsTime)
        s.stateFlags = stateFlags
        s.depthMinMicrometres = config.depth_min_um
        s.depthMaxMicrometres = config.depth_max_um
        s.rateMinMillihertz = config.rate_min_mhz
        s.rateMaxMillihertz = config.rate_max_mhz
        s.depthSlewMicrometresPerSecond = config.depth_slew_um_per_s
        s.heartbeatDeadlineMilliseconds = config.heartbeat_deadline_ms
        s.telemetryHertz = config.telemetry_hz
        s.framesReceived = framesReceived
        s.crcErrors = crcErrors
        s.badFrames = badFrames
        s.messageErrors = messageErrors
        s.commandsExecuted = commandsExecuted
        s.commandsRefused = commandsRefused
        s.telemetrySent = telemetrySent
        s.faultReportsSent = faultReportsSent
        s.bytesIgnored = bytesIgnored
        let l = link.statistics
        s.dataFramesSent = l.dataFramesSent
        s.retransmissions = l.retransmissions
        s.naksSent = l.naksSent
        s.acksSent = l.acksSent
        s.duplicatesReceived = l.duplicatesReceived
        s.gapsReceived = l.gapsReceived
        s.telemetryDropped = l.telemetryDropped
        s.framesBeforeIdentify = l.framesBeforeIdentify
        s.commandsHeldBack = l.refusedForRoom
        s.replyOverflows = l.queueOverflows
        s.framesInFlight = link.inFlight
        return s
    }

    // MARK: Physics and the firmware's own checks

    private func integrate(to now: UInt64) {
        guard powerOnAt != nil else {
            powerOnAt = now
            physicsTime = now
            nextTelemetryAt = now
            return
        }
        while now >= physicsTime &+ Self.stepNanoseconds {
            physicsTime += Self.stepNanoseconds
            step(at: physicsTime)
        }
    }

    private var cartridgePresent: Bool {
        gpio?.level(.cartridgePresent) ?? cartridgeInserted
    }

    /// The drive has power: armed, and the host's motor-enable output active when there is one.
    private var drivePowered: Bool {
        guard armed else { return false }
        guard let gpio else { return true }
        return gpio.level(.motorEnable) ?? true
    }

    private func step(at t: UInt64) {
        if gpio?.level(.estop) == true, latched & FirmwareFault.estop.bit == 0 {
            latch(.estop, detail: 1, at: t)
        }
        let present = cartridgePresent
        if present != cartridgeWasPresent {
            cartridgeWasPresent = present
            if !present, armed || running {
                latch(.cartridgeRemoved, detail: 0, at: t)
            } else if present {
                cartridgeCounted = false
            }
        }
        if armed, t > deadlineAt, !quirks.ignoresRefreshDeadline, latched & FirmwareFault.heartbeatTimeout.bit == 0 {
            let silent = lastHeartbeatAt.map { t &- $0 } ?? 0
            latch(.heartbeatTimeout, detail: Int32(clamping: silent / 1_000_000), at: t)
        }

        let powered = drivePowered
        motor.step(at: t, driven: running && powered, powered: powered,
                   stalled: stallInjected, overcurrent: overcurrentInjected)
        if awaitingMotorStop, motor.rateHertz < 0.5, let last = latchLog.indices.last {
            awaitingMotorStop = false
            latchLog[last].motorStoppedAt = t
        }
        let holdBack = retractHeld || !armed
        stage.step(toward: holdBack ? 0 : targetDepth,
                   slewMicrometresPerSecond: holdBack ? machine.limits.depthSlewMillimetresPerSecond * 1000 : depthSlew,
                   seconds: stepSeconds)
        driftOffset += driftRate * stepSeconds

        if motor.currentMilliamperes > motor.maximumMilliamperes {
            let since = overcurrentSince ?? t
            overcurrentSince = since
            if t - since >= 1_000_000 {
                latch(.overcurrent, detail: Int32(motor.currentMilliamperes.rounded()), at: t)
            }
        } else {
            overcurrentSince = nil
        }
        if running && motor.stallIndicated {
            let since = stallSince ?? t
            stallSince = since
            if t - since >= 20_000_000 {
                latch(.motorStall, detail: Int32((motor.rateHertz * 1000).rounded()), at: t)
            }
        } else {
            stallSince = nil
        }

        if telemetryPeriod > 0, t >= nextTelemetryAt {
            if link.connected, !quirks.telemetryStalled { sendTelemetry(at: t) }
            nextTelemetryAt += telemetryPeriod
            if nextTelemetryAt <= t { nextTelemetryAt = t + telemetryPeriod }
        }
    }

    private func latch(_ fault: FirmwareFault, detail: Int32, at t: UInt64) {
        running = false
        retractHeld = true
        if fault.disablesDrive { armed = false }
        overcurrentSince = nil
        stallSince = nil
        guard latched & fault.bit == 0 else { return }
        latched |= fault.bit
        if fault == .heartbeatTimeout { heartbeatFaultAt = t }
        if latchLog.count < Self.latchLogCapacity {
            latchLog.append(FirmwareLatchRecord(code: fault.rawValue, detail: detail, at: t, rateAtLatchHertz: motor.rateHertz))
            awaitingMotorStop = true
        }
        var m = sp_fault_report(device_ticks: ticks(at: t), code: fault.rawValue, detail: detail)
        if link.enqueue({ sp_pack_fault_report($0, $1, &m) }) { faultReportsSent += 1 }
    }

    private func isLatched(_ fault: FirmwareFault) -> Bool { latched & fault.bit != 0 }

    private var stateFlags: UInt16 {
        var f: UInt16 = 0
        if armed { f |= 1 << 0 }
        if running { f |= 1 << 1 }
        if retractHeld { f |= 1 << 2 }
        if isLatched(.estop) { f |= 1 << 3 }
        if latched & ~FirmwareFault.estop.bit != 0 { f |= 1 << 4 }
        if cartridgePresent { f |= 1 << 5 }
        if drivePowered { f |= 1 << 6 }
        if armed { f |= 1 << 7 }
        return f
    }

    private func sendTelemetry(at t: UInt64) {
        let noise = Double(machine.actuator.depthSensorNoiseMicrometres) * gaussian()
        lastReading = stage.positionMicrometres + noise + driftOffset
        var m = sp_telemetry(
            device_ticks: ticks(at: t),
            rate_mhz: UInt32(clamping: Int((motor.rateHertz * 1000).rounded())),
            depth_um: Int32(clamping: Int(lastReading.rounded())),
            motor_current_ma: UInt16(clamping: Int(motor.currentMilliamperes.rounded())),
            stroke_count: UInt32(truncatingIfNeeded: Int(motor.strokes)),
            state_flags: stateFlags)
        if link.enqueue(isTelemetry: true, { sp_pack_telemetry($0, $1, &m) }) { telemetrySent += 1 }
    }

    /// Standard normal (Box-Muller), from the seeded generator.
    private func gaussian() -> Double {
        let u1 = 1 - rng.unit()
        let u2 = rng.unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    private func ticks(at t: UInt64) -> UInt64 {
        guard let origin = powerOnAt, t > origin else { return 0 }
        let elapsed = t - origin
        if clockRate == 1 { return elapsed / 1000 }
        return UInt64(Double(elapsed) * clockRate / 1000)
    }

    // MARK: Receiving

    private static let onDecoderEvent: sp_event_fn = { event, context in
        guard let event, let context else { return }
        Unmanaged<SimulatedMachine>.fromOpaque(context).takeUnretainedValue().handle(event.pointee)
    }

    private func handle(_ event: sp_event) {
        guard event.kind == SP_EV_FRAME else {
            if event.kind == SP_EV_BAD_CRC { crcErrors += 1 }
            if event.kind != SP_EV_GARBAGE { noteBadFrame() }
            return
        }
        framesReceived += 1
        let payload: UnsafePointer<UInt8> = event.payload
        let length = Int(event.payload_len)
        let isData = length > 0
        var identifyNonce: UInt32?
        if isData, Int32(payload[0]) == SP_ID_IDENTIFY {
            var m = sp_identify()
            if sp_unpack_identify(payload, length, &m) { identifyNonce = m.nonce }
        }
        let fresh = link.accept(seq: event.seq, ack: event.ack, nak: event.nak, isData: isData,
                                identifyNonce: identifyNonce, now: eventTime)
        guard fresh, isData else { return }
        guard event.message_check == SP_MSG_OK else {
            // Counted for sequencing (above), dropped here: section 2.1.
            messageErrors += 1
            return
        }
        execute(payload, length)
    }

    /// Spec section 7: more than 20 bad frames within a second latches link-errors.
    private func noteBadFrame() {
        badFrames += 1
        let t = eventTime
        if t &- badFrameWindowStart >= 1_000_000_000 {
            badFrameWindowStart = t
            badFramesInWindow = 0
        }
        badFramesInWindow += 1
        if badFramesInWindow > 20, !isLatched(.linkErrors) {
            latch(.linkErrors, detail: Int32(badFramesInWindow), at: physicsTime)
        }
    }

    // MARK: Commands

    private func execute(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let id = Int32(p[0])
        let now = eventTime
        switch id {
        case SP_ID_IDENTIFY:
            var m = sp_identify()
            guard sp_unpack_identify(p, n, &m) else { return }
            var r = sp_identify_reply(protocol_version: UInt16(SP_PROTOCOL_VERSION), table_hash: SP_TABLE_HASH,
                                      nonce: m.nonce, firmware_version: Self.firmwareVersion, serial: serial,
                                      tick_hz: Self.tickHertz, max_window: Self.maxWindow)
            link.enqueue { sp_pack_identify_reply($0, $1, &r) }

        case SP_ID_GET_CONFIG:
            sendConfig()

        case SP_ID_SET_CONFIG:
            var m = sp_set_config()
            guard sp_unpack_set_config(p, n, &m) else { return }
            if armed {
                result(id, .refusedInThisState)
            } else if let field = invalidConfigField(m) {
                result(id, .outsideLimits, detail: field)
            } else {
                config = sp_config(depth_min_um: m.depth_min_um, depth_max_um: m.depth_max_um,
                                   rate_min_mhz: m.rate_min_mhz, rate_max_mhz: m.rate_max_mhz,
                                   depth_slew_um_per_s: m.depth_slew_um_per_s,
                                   heartbeat_deadline_ms: m.heartbeat_deadline_ms, telemetry_hz: m.telemetry_hz)
                telemetryPeriod = m.telemetry_hz == 0 ? 0 : 1_000_000_000 / UInt64(m.telemetry_hz)
                nextTelemetryAt = physicsTime
                depthSlew = min(depthSlew, Double(m.depth_slew_um_per_s))
                if depthSlew <= 0 { depthSlew = Double(m.depth_slew_um_per_s) }
                result(id, .ok)
            }
            // The limits in force, accepted or not, so the host can compare (section 5).
            sendConfig()

        case SP_ID_ARM:
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if !cartridgePresent {
                result(id, .refusedInThisState, detail: Int32(FirmwareFault.cartridgeRemoved.rawValue))
            } else {
                if !armed { deadlineAt = now + deadlineNanoseconds }
                armed = true
                result(id, .ok)
            }

        case SP_ID_DISARM:
            armed = false
            running = false
            retractHeld = true
            result(id, .ok)

        case SP_ID_SET_STROKE_RATE:
            var m = sp_set_stroke_rate()
            guard sp_unpack_set_stroke_rate(p, n, &m) else { return }
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if m.rate_mhz < config.rate_min_mhz {
                result(id, .outsideLimits, detail: Int32(clamping: config.rate_min_mhz))
            } else if m.rate_mhz > config.rate_max_mhz {
                result(id, .outsideLimits, detail: Int32(clamping: config.rate_max_mhz))
            } else {
                rampNanoseconds = UInt64(m.ramp_ms) * 1_000_000
                motor.command(rateHertz: Double(m.rate_mhz) / 1000, rampNanoseconds: rampNanoseconds,
                              at: now, running: running)
                result(id, .ok)
            }

        case SP_ID_SET_DEPTH:
            var m = sp_set_depth()
            guard sp_unpack_set_depth(p, n, &m) else { return }
            let cartridgeMax = cartridge.map { UInt32(clamping: $0.maxDepth.micrometres) } ?? UInt32.max
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if m.depth_um < config.depth_min_um {
                result(id, .outsideLimits, detail: Int32(clamping: config.depth_min_um))
            } else if m.depth_um > config.depth_max_um {
                result(id, .outsideLimits, detail: Int32(clamping: config.depth_max_um))
            } else if m.depth_um > cartridgeMax {
                result(id, .outsideLimits, detail: Int32(clamping: cartridgeMax))
            } else {
                targetDepth = Double(m.depth_um)
                let limit = Double(config.depth_slew_um_per_s)
                depthSlew = m.slew_um_per_s == 0 ? limit : min(Double(m.slew_um_per_s), limit)
                result(id, .ok)
            }

        case SP_ID_START:
            if let code = firstLatched {
                result(id, .faultLatched, detail: Int32(code))
            } else if !armed {
                result(id, .refusedInThisState)
            } else if !cartridgePresent {
                result(id, .refusedInThisState, detail: Int32(FirmwareFault.cartridgeRemoved.rawValue))
            } else {
                if !running { motor.startRamp(at: now, rampNanoseconds: rampNanoseconds) }
                running = true
                retractHeld = false
                if !cartridgeCounted {
                    cartridgeCounted = true
                    cartridgeUseCount &+= 1
                }
                result(id, .ok)
            }

        case SP_ID_STOP:
            running = false
            result(id, .ok)

        case SP_ID_RETRACT:
            retractHeld = true
            result(id, .ok)

        case SP_ID_HEARTBEAT:
            guard sp_unpack_heartbeat(p, n, nil) else { return }
            lastHeartbeatAt = now
            deadlineAt = now + deadlineNanoseconds

        case SP_ID_ESTOP:
            latch(.estop, detail: 0, at: now)
            result(id, .ok)

        case SP_ID_RESET_FAULT:
            var m = sp_reset_fault()
            guard sp_unpack_reset_fault(p, n, &m) else { return }
            resetFault(code: m.code)

        case SP_ID_READ_CALIBRATION:
            var c = calibration
            link.enqueue { sp_pack_calibration($0, $1, &c) }

        case SP_ID_WRITE_CALIBRATION:
            var m = sp_write_calibration()
            guard sp_unpack_write_calibration(p, n, &m) else { return }
            if running {
                result(id, .refusedInThisState)
            } else {
                calibration = sp_calibration(offset_um: m.offset_um, scale_ppm: m.scale_ppm, quadratic_ppm: m.quadratic_ppm,
                                             cartridge_offset_um: m.cartridge_offset_um, expires_unix_s: m.expires_unix_s)
                result(id, .ok)
            }

        case SP_ID_GET_CARTRIDGE:
            let present = cartridgePresent
            var r = sp_cartridge_info(cartridge_id: present ? cartridgeID : 0, lot: present ? cartridgeLot : 0,
                                      use_count: present ? cartridgeUseCount : 0, present: present ? 1 : 0)
            link.enqueue { sp_pack_cartridge_info($0, $1, &r) }

        case SP_ID_CLOCK_REQUEST:
            var m = sp_clock_request()
            guard sp_unpack_clock_request(p, n, &m) else { return }
            var r = sp_clock_reply(nonce: m.nonce, device_ticks: ticks(at: now))
            link.enqueue { sp_pack_clock_reply($0, $1, &r) }

        default:
            // A device-to-host message sent to the device: not a command it knows.
            result(id, .unknownCommand)
        }
    }

    private var deadlineNanoseconds: UInt64 { UInt64(config.heartbeat_deadline_ms) * 1_000_000 }

    private var firstLatched: UInt16? {
        guard latched != 0 else { return nil }
        return FirmwareFault.allCases.first { latched & $0.bit != 0 }?.rawValue
    }

    /// Clears a latched fault only if the host names it and its cause is gone.
    private func resetFault(code: UInt16) {
        let id = SP_ID_RESET_FAULT
        guard let fault = FirmwareFault(rawValue: code), isLatched(fault) else {
            result(id, .refusedInThisState, detail: Int32(code))
            return
        }
        let causePresent: Bool
        switch fault {
        case .heartbeatTimeout: causePresent = (lastHeartbeatAt ?? 0) <= heartbeatFaultAt
        case .estop: causePresent = gpio?.level(.estop) == true
        case .motorStall: causePresent = stallInjected
        case .overcurrent: causePresent = overcurrentInjected
        case .cartridgeRemoved: causePresent = !cartridgePresent
        case .linkErrors: causePresent = eventTime &- badFrameWindowStart < 1_000_000_000 && badFramesInWindow > 20
        case .depthSensorDrift, .limitViolation, .internal: causePresent = false
        }
        if causePresent {
            result(id, .refusedInThisState, detail: Int32(code))
        } else {
            latched &= ~fault.bit
            result(id, .ok)
        }
    }

    /// The 1-based index of the first `set_config` field outside what this machine can do.
    private func invalidConfigField(_ m: sp_set_config) -> Int32? {
        let l = machine.limits
        if m.depth_min_um < UInt32(clamping: l.depthMin.micrometres) { return 1 }
        if m.depth_max_um > UInt32(clamping: l.depthMax.micrometres) || m.depth_max_um <= m.depth_min_um { return 2 }
        if m.rate_min_mhz < UInt32(clamping: l.rateMin.millihertz) { return 3 }
        if m.rate_max_mhz > UInt32(clamping: l.rateMax.millihertz) || m.rate_max_mhz <= m.rate_min_mhz { return 4 }
        let slewMax = UInt32(clamping: Int((l.depthSlewMillimetresPerSecond * 1000).rounded()))
        if m.depth_slew_um_per_s == 0 || m.depth_slew_um_per_s > slewMax { return 5 }
        if !(10...500).contains(m.heartbeat_deadline_ms) { return 6 }
        if m.telemetry_hz > 1000 { return 7 }
        return nil
    }

    private func sendConfig() {
        var c = config
        link.enqueue { sp_pack_config($0, $1, &c) }
    }

    private func result(_ id: Int32, _ status: CommandStatus, detail: Int32 = 0) {
        if status == .ok { commandsExecuted += 1 } else { commandsRefused += 1 }
        var r = sp_command_result(command_id: UInt8(truncatingIfNeeded: id), status: status.rawValue, detail: detail)
        link.enqueue { sp_pack_command_result($0, $1, &r) }
    }
}
