import ArgumentParser
import StippleModel

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
            """)

    @Option(help: "Machine name.") var machine: String
    @Option(help: "Cartridge type name.") var cartridge: String
    @Option(help: "Depth profile name.") var profile: String
    @Option(help: "Scalp zone, e.g. crown or frontal-hairline.") var zone: String
    @Option(name: .customLong("cartridge-id"), help: "The fitted cartridge's unique id (single-use lockout).") var cartridgeID: UInt64 = 1
    @Option(help: "Pseudonymous client id the session is for.") var client: String = "demo-client"
    @Flag(help: "Use the built-in simulated machine.") var sim = false
    @Option(name: .customLong("sim-socket"), help: "Talk to a simulator started with `stipple sim serve` on this Unix socket.") var simSocket: String?
    @Option(help: "USB serial number of the machine, when several of the same model are plugged in (hardware only).") var serial: String?
    @Flag(name: .customLong("adopt-endpoints"), help: "Use the bulk endpoints the device lists when they differ from the machine file (hardware only; test rigs whose gadget controller renumbers them).")
    var adoptEndpoints = false
    @Option(help: "A TOML timeline of pedal, e-stop, zone and fault events (see Examples/demo-session.toml).") var script: String?
    @Flag(help: "Run in virtual time, as fast as possible (scripted runs only).") var fast = false
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        if sim && simSocket != nil { throw ValidationError("choose --sim or --sim-socket, not both") }
        if fast && script == nil { throw ValidationError("--fast needs --script: an interactive session runs in real time") }
        if fast && simSocket != nil { throw ValidationError("--fast runs the built-in simulator in virtual time; it cannot drive a separate simulator process") }
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
        guard let clientID = ClientID(client) else {
            throw CLIError("client id \"\(client)\" (--client) must be 1-64 letters, digits, '-', '_' or '.'")
        }
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let plan = try SessionPlan(catalog: cat, machine: machine, cartridge: cartridge, cartridgeID: cartridgeID,
                                   profile: profile, zone: zone, scriptPath: script)
        let backend: SimulatedRun.Backend = sim ? .simulated : simSocket.map { .socket($0) } ?? .hardware(serial: serial, endpointCheck: adoptEndpoints ? .adoptDevice : .strict)
        if case .hardware = backend, let script = plan.script {
            let simulatedOnly = script.steps.enumerated().filter { SessionScript.needsSimulator($0.element.action) }
            if let (i, step) = simulatedOnly.first {
                throw CLIError("script \(self.script!) step[\(i)] at \(step.atMilliseconds) ms (\(step.action)) drives a simulated input, link or fault; on real hardware the pedal, e-stop and cable are real. Use --sim, or drive the inputs from outside (the rig does it through gpio-sim)")
            }
        }
        let runner = SimulatedRun(plan: plan, client: clientID.rawValue, backend: backend, ctx: ctx)
        return try fast ? runner.runVirtual() : runner.runRealTime()
    }
}
