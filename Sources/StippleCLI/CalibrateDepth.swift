import ArgumentParser
import Foundation
import StippleControl
import StippleDirectDrive
import StippleHardware
import StippleJournal
import StippleLinux
import StippleModel
import StippleSimulator
import StippleWire

/// `stipple calibrate depth`: drives the depth stage across its travel, takes a gauge reading at
/// each position, fits the stage-to-needle mapping, and records the result on the device and,
/// signed, in the journal.
struct CalibrateDepth: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "Calibrate a machine's needle depth against a gauge (or a cartridge type's membrane offset).",
        discussion: """
            The stage visits \(DepthCalibrationPlan.defaultCount) positions across its travel going deeper, then the \
            same positions coming back (backlash shows as hysteresis), stopping at each with the \
            motor still. At each the technician reads the needle tip on the gauge: typed at the \
            prompt in a terminal, or all of them from --measurements FILE (TOML, readings_mm = \
            [...], one per position in the order driven; see Examples/depth-measurements.toml). \
            The fit is offset + scale, plus a second-order term only when an F-test finds it \
            significant at the 1% level; it passes only if every reading lies within the machine \
            file's calibration_tolerance_mm (default 0.05) of the fit. A pass is written to the \
            device (write_calibration, read back) and journaled, signed with the journal's key, \
            valid for calibration_valid_days (default 90); a failure is journaled too (and blocks \
            treatment until a pass). With --cartridge C the same sweep with cartridge type C fitted \
            measures its membrane offset on top of the machine's valid calibration. Exit status 1 \
            when it fails.

            --sim drives the built-in simulated machine; --sim-error sets the depth error it has \
            (\(SimulatedDepthError.syntax)) and --sim-gauge reads its simulated gauge instead of a \
            file or a prompt.
            """)

    @Option(help: "Machine name.") var machine: String
    @Option(help: "Id of the technician calibrating (registered with `stipple operator add`).") var technician: String
    @Option(help: "Id of the gauge or instrument read (as labelled on it).") var gauge: String
    @Option(help: "Measure this cartridge type's membrane offset on top of the machine's calibration.") var cartridge: String?
    @Option(help: "TOML file of gauge readings, one per position in the order driven (scripted use).") var measurements: String?
    @Flag(help: "Use the built-in simulated machine.") var sim = false
    @Option(name: .customLong("sim-error"), help: ArgumentHelp("The simulated machine's depth error.", valueName: "spec"))
    var simError: String?
    @Flag(name: .customLong("sim-gauge"), help: "Read the simulated machine's gauge (with its noise) instead of asking.") var simGauge = false
    @Option(help: "USB serial number of the machine, when several of the same model are plugged in (hardware only).") var serial: String?
    @OptionGroup var journal: JournalOptions
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        if (simError != nil || simGauge) && !sim { throw ValidationError("--sim-error and --sim-gauge need --sim") }
        if simGauge && measurements != nil { throw ValidationError("choose --sim-gauge or --measurements, not both") }
        if serial != nil && sim { throw ValidationError("--serial picks a machine on USB; it has no meaning with --sim") }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        guard OperatorID(technician) != nil else {
            throw CLIError("technician id \"\(technician)\" (--technician) must be 1-64 letters, digits, '-', '_' or '.'")
        }
        guard !gauge.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CLIError("no gauge id (--gauge): the record names the instrument read. Pass --gauge ID as labelled on it")
        }
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let spec = try cat.machine(named: machine).spec
        if spec.drive == .gpio, simError != nil {
            throw CLIError("--sim-error models a controller board's stage-to-needle error; the direct-drive simulator's stage is exactly where its steps put it, so \(spec.name) has none to give (calibrate depth)")
        }
        let cartridgeType = try cartridge.map { try cat.cartridge(named: $0).cartridge }
        let depthError = try simError.map { text in
            switch SimulatedDepthError.parse(text) {
            case .success(let e): return e
            case .failure(let e):
                throw CLIError("bad simulated depth error (--sim-error \(e.item)): it \(e.reason). Write \(SimulatedDepthError.syntax)")
            }
        } ?? .none
        // With a cartridge fitted the device refuses set-points beyond the cartridge's rated depth.
        var travel = spec.limits
        if let cartridgeType { travel.depthMax = min(travel.depthMax, cartridgeType.maxDepth) }
        let plan = DepthCalibrationPlan(limits: travel)
        var fileReadings: [Double]?
        if let measurements {
            let m = try ConfigFile.read(path: measurements).flatMap { DepthMeasurements.decode(text: $0, file: measurements) }.get()
            guard m.readings.count == plan.readings.count else {
                throw CLIError("wrong number of readings (\(measurements)): it has \(m.readings.count), the calibration of \(spec.name) reads \(plan.readings.count) positions (stage mm: "
                    + plan.readings.map { "\($0.stage.plain)\($0.deeper ? "↓" : "↑")" }.joined(separator: " ") + "). Give one reading per position, in that order")
            }
            fileReadings = m.readings
        } else if !simGauge && isatty(STDIN_FILENO) == 0 {
            throw CLIError("no gauge readings (calibrate depth): standard input is not a terminal to prompt on. Pass --measurements FILE, or run it in a terminal")
        }
        // Before the machine moves: the journal must take the record and know the technician.
        let j = try journal.openOrCreate(in: ctx)
        guard try j.operatorRecord(ref: technician) != nil else {
            throw CLIError("unknown technician (\(technician)): no operator with this id is registered in \(j.path). Register them with `stipple operator add \(technician)`")
        }
        let key = try MachineSigningKey.loadOrCreate(at: MachineSigningKey.path(forJournal: j.path))

        // The machine.
        let device: DeviceLink
        var gpio: GPIOLines?
        let now: () -> UInt64
        let idle: () -> Void
        let source: String
        /// The simulated gauge, when --sim-gauge reads one.
        var simulatedGauge: (() -> Double)?
        if spec.drive == .gpio {
            let c = try DirectDriveCalibrationRig(spec: spec, cartridge: cartridgeType, simulated: sim)
            device = c.firmware
            now = c.now
            idle = c.idle
            source = c.source
            simulatedGauge = c.gauge
        } else if sim {
            let m = SimulatedMachine(machine: spec, cartridge: cartridgeType, cartridgeID: 1, serial: Self.simulatorSerial,
                                     gpio: nil, seed: 1, telemetryHertz: 500)
            // A bare calibration needle, or the cartridge measured, is fitted.
            m.setCartridgePresent(true)
            m.depthError = depthError
            let link = SimulatedDeviceLink(machine: m)
            let clock = VirtualClock()
            device = link
            now = { clock.now().nanoseconds }
            idle = {
                clock.advance(toNanoseconds: clock.now().nanoseconds + 1_000_000)
                link.pump(now: clock.now().nanoseconds)
            }
            source = "simulated machine"
            simulatedGauge = { m.gaugeReading() }
        } else {
            let board = try spec.usbDrive(for: "stipple calibrate depth", why: "internal error: a gpio machine takes the direct-drive path")
            let lines: LinuxGPIOLines
            do { lines = try LinuxGPIOLines(machine: spec) } catch {
                throw CLIError("cannot open the GPIO lines of \(spec.name) on \(spec.gpio.chip): \(error)")
            }
            let usb: USBDeviceLink
            do { usb = try USBDeviceLink(identity: board, serialNumber: serial, options: .init()) } catch {
                throw CLIError("cannot open \(spec.name) on USB: \(error)")
            }
            device = usb
            gpio = lines
            let clock = SystemMonotonicClock()
            now = { clock.now().nanoseconds }
            idle = {
                var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
                nanosleep(&ts, nil)
            }
            source = "USB \(String(format: "%04x:%04x", board.vendorID, board.productID))"
        }
        let driver = DepthStageDriver(machine: spec, device: device, now: now, idle: idle)
        let identity: DeviceIdentity
        do { identity = try driver.connect(nonce: UInt32(truncatingIfNeeded: now() | 1)) } catch {
            throw CLIError("machine \(spec.name) (connect): \(error). Check that it is powered and plugged in")
        }
        let machineID = MachineIdentity(model: spec.model, serial: String(identity.serial, radix: 16), firmwareVersion: identity.firmwareVersionText)
        ctx.print("stipple calibrate depth: \(spec.name) (\(source)), serial \(machineID.serial), firmware \(machineID.firmwareVersion)")

        // A membrane measurement stands on the machine's valid calibration.
        var base: CheckedCalibration?
        if let cartridgeType {
            let status = CalibrationStatus.of(try j.calibrations(serial: machineID.serial, model: spec.model),
                                              journalKey: key.publicKeyHex, now: .now())
            guard case .valid(let b) = status else {
                throw CLIError("\(status.refusal(machine: spec.name) ?? "no valid calibration") (--cartridge \(cartridgeType.name)): a membrane offset is measured on top of the machine's own calibration. Run `stipple calibrate depth --machine \(spec.name)` without --cartridge first")
            }
            base = b
        }

        // The sweep.
        try? gpio?.write(.motorEnable, active: true)
        defer { try? gpio?.write(.motorEnable, active: false) }
        var points: [DepthCalibrationPoint] = []
        do {
            try driver.prepare()
            var index = 0
            for move in plan.moves {
                try driver.move(to: move.stage)
                guard move.read else { continue }
                let reading: Double
                if let fileReadings {
                    reading = fileReadings[index]
                } else if let simulatedGauge, simGauge {
                    reading = simulatedGauge()
                } else {
                    guard let r = prompt(ctx, index: index, of: plan.readings.count, move: move) else {
                        driver.finish()
                        throw CLIError("calibration abandoned (calibrate depth): no reading given at stage \(move.stage). Nothing was recorded")
                    }
                    reading = r
                }
                points.append(DepthCalibrationPoint(stageMillimetres: move.stage.millimetres, approachedDeeper: move.deeper, readingMillimetres: reading))
                index += 1
            }
        } catch let e as DepthStageError {
            driver.finish()
            throw CLIError("machine \(spec.name) (calibrate depth): \(e). Nothing was recorded; clear the cause and calibrate again")
        }

        let readingsFrom = fileReadings != nil ? "file \(measurements!)" : simGauge ? "simulated gauge" : "gauge prompt"
        let document: CalibrationDocument
        switch Self.evaluate(points: points, spec: spec, cartridge: cartridgeType, base: base, gauge: gauge, readingsFrom: readingsFrom) {
        case .success(let d): document = d
        case .failure(let e):
            driver.finish()
            throw CLIError("calibration of \(spec.name) cannot be fitted: \(e). Check the readings and calibrate again")
        }
        CalibrationReport.lines(document).forEach(ctx.print)

        // Record: device first (a machine that will not take it is not calibrated), then journal.
        let performed = UTCTimestamp.now()
        let expires = base?.record.expiresAt
            ?? UTCTimestamp(nanosecondsSinceEpoch: performed.nanosecondsSinceEpoch + Int64(spec.calibrationValidDays) * 86_400 * 1_000_000_000)
        if document.passed {
            let c = document.calibration
            let onDevice = DeviceCalibration(
                offsetMicrometres: Int32(clamping: Int((c.offsetMillimetres * 1000).rounded())),
                scalePPM: UInt32(clamping: Int((c.scale * 1_000_000).rounded())),
                quadraticPPM: Int32(clamping: Int((c.quadraticPerMillimetre * 1_000_000).rounded())),
                cartridgeOffsetMicrometres: Int32(clamping: Int(((document.membraneOffsetMillimetres ?? 0) * 1000).rounded())),
                expiresUnixSeconds: UInt64(max(0, expires.nanosecondsSinceEpoch / 1_000_000_000)))
            do { try driver.store(onDevice) } catch {
                driver.finish()
                throw CLIError("machine \(spec.name) (write_calibration): \(error). The calibration passed but is not recorded; calibrate again")
            }
        }
        driver.finish()
        let ref = Self.newRef(serial: machineID.serial, at: performed)
        let body = document.encoded()
        let payload = try SignedCalibration.seal(ref: ref, machine: machineID, performedAt: performed, operatorRef: technician,
                                                 expiresAt: expires, body: body, key: key)
        _ = try j.addCalibration(ref: ref, machine: machineID, performedAt: performed, operatorRef: technician,
                                 expiresAt: expires, payload: payload)
        ctx.print("")
        if document.passed {
            ctx.print("calibration \(ref): PASS, written to the device and journaled in \(j.path), valid until \(expires.day)")
            ctx.print("signed with machine key \(key.publicKeyHex)")
            return .success
        }
        ctx.printError("error: calibration failed (\(spec.name), \(ref)): \(document.failureSummary). The failure is journaled; \(spec.name) may not treat until a calibration passes. Check the stage and the gauge, then calibrate again")
        return .invalidInput
    }

    /// The serial the built-in simulator identifies with (as `stipple run --sim`'s machine).
    static let simulatorSerial: UInt64 = 0x5717_0001

    /// Fits a machine calibration, or (with `cartridge` and `base`) a membrane offset.
    static func evaluate(points: [DepthCalibrationPoint], spec: MachineSpec, cartridge: Cartridge?, base: CheckedCalibration?,
                         gauge: String, readingsFrom: String) -> Result<CalibrationDocument, DepthFitError> {
        let tolerance = spec.calibrationTolerance
        if let cartridge, let base, let b = base.document {
            let c = b.calibration
            let offsets = points.map { c.needleDepth(atStage: $0.stageMillimetres) - $0.readingMillimetres }
            let membrane = offsets.reduce(0, +) / Double(max(offsets.count, 1))
            let residuals = points.map { $0.readingMillimetres - (c.needleDepth(atStage: $0.stageMillimetres) - membrane) }
            let worst = residuals.indices.max { abs(residuals[$0]) < abs(residuals[$1]) } ?? 0
            let inRange = AbsoluteBounds.membraneOffsetMillimetres.contains(membrane)
            var merged = b.cartridgeOffsetsMillimetres
            merged[cartridge.name] = (membrane * 1000).rounded() / 1000
            return .success(CalibrationDocument(
                kind: CalibrationDocument.membraneKind, machineName: spec.name, gauge: gauge, readingsFrom: readingsFrom,
                toleranceMillimetres: tolerance.millimetres,
                passed: inRange && residuals.allSatisfy { abs($0) <= tolerance.millimetres },
                offsetMillimetres: b.offsetMillimetres, scale: b.scale, quadraticPerMillimetre: b.quadraticPerMillimetre,
                quadraticUsed: b.quadraticUsed, fStatistic: nil, fCritical: nil, cartridgeOffsetsMillimetres: merged,
                cartridge: cartridge.name, membraneOffsetMillimetres: membrane, base: base.record.ref, points: points,
                residualsMillimetres: residuals, hysteresisMillimetres: [], meanHysteresisMillimetres: 0,
                noiseMillimetres: standardDeviation(residuals), worstIndex: worst))
        }
        return DepthFit.fit(points, tolerance: tolerance).map { f in
            CalibrationDocument(
                kind: CalibrationDocument.depthKind, machineName: spec.name, gauge: gauge, readingsFrom: readingsFrom,
                toleranceMillimetres: tolerance.millimetres, passed: f.passed,
                offsetMillimetres: f.calibration.offsetMillimetres, scale: f.calibration.scale,
                quadraticPerMillimetre: f.calibration.quadraticPerMillimetre, quadraticUsed: f.quadraticUsed,
                fStatistic: f.fStatistic, fCritical: f.fCritical, cartridgeOffsetsMillimetres: [:], cartridge: nil,
                membraneOffsetMillimetres: nil, base: nil, points: points, residualsMillimetres: f.residuals,
                hysteresisMillimetres: f.hysteresis.map { [$0.stageMillimetres, $0.millimetres] },
                meanHysteresisMillimetres: f.meanHysteresis, noiseMillimetres: f.noise, worstIndex: f.worstIndex)
        }
    }

    private static func standardDeviation(_ v: [Double]) -> Double {
        guard v.count > 1 else { return 0 }
        let mean = v.reduce(0, +) / Double(v.count)
        return (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot()
    }

    /// A journal-unique id: the machine, the second, and a random suffix for two in one second.
    static func newRef(serial: String, at: UTCTimestamp) -> String {
        let stamp = at.iso8601.prefix(19).filter { $0.isNumber || $0 == "T" }
        return "cal-\(serial)-\(stamp)-" + String(UInt16.random(in: 0...UInt16.max), radix: 16)
    }

    /// Asks for one reading on the terminal; nil when the technician gives up (q or end of input).
    private func prompt(_ ctx: CLIContext, index: Int, of count: Int, move: DepthCalibrationPlan.Move) -> Double? {
        while true {
            ctx.print("reading \(index + 1)/\(count): stage at \(move.stage), \(move.deeper ? "going deeper" : "coming back"). Gauge reading in mm (q to stop):")
            guard let line = readLine()?.trimmingCharacters(in: .whitespaces), line != "q" else { return nil }
            if let v = Double(line), v.isFinite, (-0.5...5.0).contains(v) { return v }
            ctx.print("  \"\(line)\" is not a reading in mm (e.g. 0.731); again")
        }
    }
}
