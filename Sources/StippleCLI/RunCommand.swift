import ArgumentParser
import StippleDirectDrive
import StippleModel
import StippleSimulator

/// `stipple run`: one treatment session on a machine: the built-in simulator (`--sim`), a
/// simulator process (`--sim-socket`), or the real machine over GPIO and USB (neither).
struct RunCommand: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a treatment session: needle a zone with a depth profile.",
        discussion: """
            With a terminal: space presses/releases the pedal, a arms, d disarms, e presses/releases \
            the e-stop, r resets a fault, q quits. With --script, a TOML timeline drives the session \
            and every zone pass is summarised at the end; --fast runs it in virtual time. Exit status \
            1 when the session could not start or ended faulted or e-stopped (not reset).

            The session is journaled (--journal, default $STIPPLE_HOME/journal.sqlite): it needs \
            --client (added with `stipple client add`, with a consent on file), --operator (added \
            with `stipple operator add`), at least one --pigment and --cartridge-lot. Before the \
            machine is touched the journal refuses an unknown client or operator, a missing consent, \
            an expired pigment lot and a single-use cartridge id already used (every cartridge id the \
            script fits is checked), and then nothing is written. Each zone pass and each fault is \
            committed to disk as it happens; at the end the session is sealed with the machine's \
            key and the seal is printed. --pigment takes a lot registered with `stipple pigment add` \
            (e.g. --pigment LOT-77) or a whole ink passport: \
            --pigment brand=B,name=N,batch=X,lot=L,expiry=YYYY-MM-DD,dilution=D (values without \
            commas); repeat it for each pigment used. --no-journal runs a simulator without a record \
            (for trying things out); a session on a real machine is always journaled.

            A journaled run also needs the machine's depth calibration (`stipple calibrate depth`): \
            the newest one journaled for the machine must have passed, carry this journal's \
            signature and not have expired, or the run is refused before the machine is opened. \
            It is applied to every depth set-point and named on the session. \
            --override-calibration --technician ID runs without one and journals the override as an \
            event on the session. --sim-error SPEC gives the built-in simulator a stage-to-needle \
            error (see `stipple calibrate depth --help`).

            The stroke-rate calibration (`stipple calibrate rate`) is optional: when the newest one \
            journaled for the machine (same serial matching as depth) passed, carries this journal's \
            signature and has not expired, every profile rate is sent through its correction (the \
            tolerance check still holds telemetry to the profile's rate); a corrected set-point outside \
            the machine's rate limits refuses the run before the machine is opened. Without one the \
            rate is sent uncorrected and the report says so. --sim-rate-error gives the built-in \
            simulator a stroke drive error (as `stipple calibrate rate --sim-rate-error`).
            """)

    @Option(help: "Machine name.") var machine: String
    @Option(help: "Cartridge type name.") var cartridge: String
    @Option(help: "Depth profile name.") var profile: String
    @Option(help: "Scalp zone, e.g. crown or frontal-hairline.") var zone: String
    @Option(name: .customLong("cartridge-id"), help: "The fitted cartridge's unique id (single-use lockout).") var cartridgeID: UInt64 = 1
    @Option(help: "Pseudonymous client id the session is for (must be in the journal, with a consent).") var client: String?
    @Option(name: .customLong("operator"), help: "Id of the practitioner doing the session (see `stipple operator add`).") var operatorRef: String?
    @Option(help: ArgumentHelp("A pigment used: a registered lot, or brand=B,name=N,batch=X,lot=L,expiry=YYYY-MM-DD,dilution=D. Repeatable.",
                               valueName: "lot|passport"))
    var pigment: [String] = []
    @Option(name: .customLong("cartridge-lot"), help: "Lot printed on the fitted cartridges' packs (every cartridge the session fits).") var cartridgeLot: String?
    @Flag(name: .customLong("keep-telemetry"), help: "Also journal every pass's raw telemetry, compressed.") var keepTelemetry = false
    @Flag(name: .customLong("no-journal"), help: "Do not journal the session (simulators only: --sim or --sim-socket).") var noJournal = false
    @OptionGroup var journal: JournalOptions
    @Flag(help: "Use the built-in simulated machine.") var sim = false
    @Option(name: .customLong("sim-socket"), help: "Talk to a simulator started with `stipple sim serve` on this Unix socket.") var simSocket: String?
    @Option(help: "USB serial number of the machine, when several of the same model are plugged in (hardware only).") var serial: String?
    @Flag(name: .customLong("adopt-endpoints"), help: "Use the bulk endpoints the device lists when they differ from the machine file (hardware only; test rigs whose gadget controller renumbers them).")
    var adoptEndpoints = false
    @Option(help: "A TOML timeline of pedal, e-stop, zone and fault events (see Examples/demo-session.toml).") var script: String?
    @Flag(help: "Run in virtual time, as fast as possible (scripted runs only).") var fast = false
    @Flag(name: .customLong("override-calibration"), help: "Run a machine without a valid depth calibration (needs --technician; journaled on the session).")
    var overrideCalibration = false
    @Option(help: "Id of the technician authorising --override-calibration (registered with `stipple operator add`).") var technician: String?
    @Option(name: .customLong("sim-error"), help: ArgumentHelp("The built-in simulator's depth error: \(SimulatedDepthError.syntax).", valueName: "spec"))
    var simError: String?
    @Option(name: .customLong("sim-rate-error"), help: ArgumentHelp(
        "The built-in simulator's stroke drive error, achieved = offset + gain x set-point + quadratic x set-point^2 (Hz).",
        valueName: "gain=G,offset=HZ,quadratic=Q"))
    var simRateError: String?
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        if sim && simSocket != nil { throw ValidationError("choose --sim or --sim-socket, not both") }
        if fast && script == nil { throw ValidationError("--fast needs --script: an interactive session runs in real time") }
        if fast && simSocket != nil { throw ValidationError("--fast runs the built-in simulator in virtual time; it cannot drive a separate simulator process") }
        if noJournal && !sim && simSocket == nil {
            throw ValidationError("--no-journal is for simulators (--sim, --sim-socket): a session on a real machine is always journaled")
        }
        if overrideCalibration != (technician != nil) {
            throw ValidationError("--override-calibration and --technician go together: the technician authorising the override is journaled with it")
        }
        if simError != nil && !sim { throw ValidationError("--sim-error sets the built-in simulator's depth error; it needs --sim") }
        if simRateError != nil && !sim { throw ValidationError("--sim-rate-error sets the built-in simulator's stroke drive error; it needs --sim") }
        if let e = simRateError, SimulatedBenchSetup.parseRateError(e) == nil {
            throw ValidationError("--sim-rate-error \"\(e)\": give gain=G,offset=HZ,quadratic=Q (any of them), e.g. gain=1.03,offset=-1.5")
        }
        if noJournal && overrideCalibration {
            throw ValidationError("--no-journal runs without a record, so nothing checks or applies a calibration: --override-calibration has no meaning with it")
        }
        if noJournal && (operatorRef != nil || !pigment.isEmpty || cartridgeLot != nil || keepTelemetry || journal.path != nil) {
            throw ValidationError("--no-journal runs without a record: --operator, --pigment, --cartridge-lot, --keep-telemetry and --journal have no meaning with it")
        }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        if serial != nil && (sim || simSocket != nil) {
            throw CLIError("--serial picks a machine on USB; it has no meaning with --sim or --sim-socket (run)")
        }
        if adoptEndpoints && (sim || simSocket != nil) {
            throw CLIError("--adopt-endpoints is about a USB device's endpoints; it has no meaning with --sim or --sim-socket (run)")
        }
        guard let zone = Zone(name: zone) else {
            throw CLIError("unknown zone \"\(self.zone)\" (--zone): use one of \(Zone.standard.map(\.name).joined(separator: ", ")) or custom:NAME")
        }
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        var plan = try SessionPlan(catalog: cat, machine: machine, cartridge: cartridge, cartridgeID: cartridgeID,
                                   profile: profile, zone: zone, scriptPath: script)
        if plan.machine.drive == .gpio {
            try Self.checkDirectDrive(plan.machine, socket: simSocket != nil, serial: serial != nil, adoptEndpoints: adoptEndpoints,
                                      simError: simError != nil, simRateError: simRateError != nil)
        }
        let backend: SimulatedRun.Backend = sim ? .simulated : simSocket.map { .socket($0) } ?? .hardware(serial: serial, endpointCheck: adoptEndpoints ? .adoptDevice : .strict)
        if case .hardware = backend, let script = plan.script {
            let simulatedOnly = script.steps.enumerated().filter { SessionScript.needsSimulator($0.element.action) }
            if let (i, step) = simulatedOnly.first {
                throw CLIError("script \(self.script!) step[\(i)] at \(step.atMilliseconds) ms (\(step.action)) drives a simulated input, link or fault; on real hardware the pedal, e-stop and cable are real. Use --sim, or drive the inputs from outside (the rig does it through gpio-sim)")
            }
        }
        // Without a journal the lockout only needs some client to compare against.
        let client = self.client ?? (noJournal ? "demo-client" : "")
        guard let clientID = ClientID(client) else {
            if self.client == nil {
                throw CLIError("no client (--client): a journaled session is for a client. Pass --client ID (add one with `stipple client add`), or --no-journal on a simulator")
            }
            throw CLIError("client id \"\(client)\" (--client) must be 1-64 letters, digits, '-', '_' or '.'")
        }
        var request: RunJournal.Request?
        if !noJournal {
            guard let op = operatorRef else {
                throw CLIError("no operator (--operator): the record names who needled. Pass --operator ID (add one with `stipple operator add`)")
            }
            guard OperatorID(op) != nil else {
                throw CLIError("operator id \"\(op)\" (--operator) must be 1-64 letters, digits, '-', '_' or '.'")
            }
            guard !pigment.isEmpty else {
                throw CLIError("no pigment (--pigment): the record names every pigment used (ink passport). Pass --pigment LOT for a lot registered with `stipple pigment add`, or --pigment \(PigmentChoice.syntax)")
            }
            guard let lot = cartridgeLot, !lot.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw CLIError("no cartridge lot (--cartridge-lot): the record names the needle cartridge's lot. Pass --cartridge-lot LOT as printed on the pack")
            }
            if let technician, OperatorID(technician) == nil {
                throw CLIError("technician id \"\(technician)\" (--technician) must be 1-64 letters, digits, '-', '_' or '.'")
            }
            request = RunJournal.Request(path: try journal.resolve(in: ctx), client: clientID.rawValue, operatorRef: op,
                                         pigments: try pigment.map(PigmentChoice.parse), cartridgeLot: lot, keepTelemetry: keepTelemetry,
                                         expectedSerial: sim ? String(plan.machine.drive == .gpio ? DirectDriveFirmware.serial(for: plan.machine)
                                                                                                  : CalibrateDepth.simulatorSerial, radix: 16) : nil,
                                         overrideTechnician: technician)
        }
        let depthError = try simError.map { text in
            switch SimulatedDepthError.parse(text) {
            case .success(let e): return e
            case .failure(let e):
                throw CLIError("bad simulated depth error (--sim-error \(e.item)): it \(e.reason). Write \(SimulatedDepthError.syntax)")
            }
        } ?? .none
        // One driver per machine (a console or another run): refused before anything is opened.
        // A virtual-time run drives no machine; a simulator run without a journal or a home has
        // nowhere to keep the lock and nothing real to protect.
        let lockFolder = MachineLock.folder(environment: ctx.environment, journal: request?.path)
        let machineLock = try fast ? nil : lockFolder.map { try MachineLock(machine: plan.machine.name, command: "run", folder: $0) }
        defer { machineLock?.release() }
        // Every refusal of the journal comes here, before a device is opened or a cycle runs.
        let runJournal = try request.map { try RunJournal($0, plan: &plan, ctx: ctx) }
        if let c = runJournal?.calibration {
            ctx.print("calibration \(c.record.ref) applied (valid until \(c.record.expiresAt.day))")
        } else if noJournal {
            ctx.print("note: --no-journal: no depth calibration is read or applied (the stage position is taken as the needle depth)")
        }
        let rateLine = Self.strokeRateLine(runJournal?.rateStatus, plan: plan)
        ctx.print(rateLine)
        let runner = SimulatedRun(plan: plan, client: clientID.rawValue, backend: backend, ctx: ctx, journal: runJournal)
        runner.depthError = depthError
        runner.rateError = simRateError.flatMap(SimulatedBenchSetup.parseRateError) ?? .none
        runner.strokeRateLine = rateLine
        return try fast ? runner.runVirtual() : runner.runRealTime()
    }

    /// What the run does about the stroke rate, for the report: the calibration applied with the
    /// set-point it sends for the profile's rate, or why the rate goes uncorrected.
    static func strokeRateLine(_ status: RateCalibrationStatus?, plan: SessionPlan) -> String {
        guard let status else { return "stroke rate: uncorrected (--no-journal: no rate calibration is read)" }
        guard let (c, k) = status.active else { return "stroke rate: uncorrected (\(status.whyUncorrected ?? "no valid rate calibration"))" }
        let s = plan.initial
        return String(format: "stroke rate: calibration %@ applied (achieved = %.5f x commanded %@ %.3f Hz, valid until %@): profile %@ Hz sent as %@ Hz",
                      c.record.ref, k.gain, k.offsetHertz < 0 ? "-" : "+", abs(k.offsetHertz), c.record.expiresAt.day,
                      s.profile.rate.plain, String(format: "%.3f", s.rateSetPoint.hertz))
    }

    /// What a direct-drive (`drive = "gpio"`) machine cannot be asked: it has no USB device and no
    /// separate simulator process (its firmware is this process's loop), and the built-in
    /// direct-drive simulator has no drive-error model (its strokes are the loop's own pulses).
    static func checkDirectDrive(_ machine: MachineSpec, socket: Bool, serial: Bool, adoptEndpoints: Bool,
                                 simError: Bool, simRateError: Bool) throws {
        let why = "\(machine.name) is a direct-drive machine (drive = \"gpio\"): this process's loop drives its lines, there is no controller board"
        if socket { throw CLIError("--sim-socket talks to a simulated controller board; \(why). Use --sim (run)") }
        if serial || adoptEndpoints { throw CLIError("--serial and --adopt-endpoints pick a USB device; \(why) and no USB device (run)") }
        if simRateError {
            throw CLIError("--sim-rate-error models a controller board's stroke drive; \(why), whose strokes are the loop's own pulses (run)")
        }
        if simError {
            throw CLIError("--sim-error models a controller board's stage-to-needle error; the direct-drive simulator's stage is exactly where its steps put it, so \(machine.name) has none to give (run)")
        }
    }
}
