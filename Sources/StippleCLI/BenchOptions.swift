import ArgumentParser
import StippleLinux
import StippleModel

/// Which machine a technician procedure drives, as `stipple run` chooses it: the built-in
/// simulator (`--sim`, virtual time), a simulator process (`--sim-socket`), or the real machine
/// over USB and GPIO (neither); plus the built-in simulator's truth for trying a procedure.
struct BenchOptions: ParsableArguments {
    @Option(help: "Machine name.") var machine: String
    @Flag(help: "Use the built-in simulated machine (virtual time).") var sim = false
    @Option(name: .customLong("sim-socket"), help: "Talk to a simulator started with `stipple sim serve` on this Unix socket.") var simSocket: String?
    @Option(help: "USB serial number of the machine, when several of the same model are plugged in (hardware only).") var serial: String?
    @Flag(name: .customLong("adopt-endpoints"), help: "Use the bulk endpoints the device lists when they differ from the machine file (hardware only).")
    var adoptEndpoints = false
    @Option(name: .customLong("sim-cartridge"), help: "With --sim: the cartridge type fitted (default: the first one found).") var simCartridge: String?
    @Option(name: .customLong("sim-rate-error"), help: ArgumentHelp(
        "With --sim: the stroke drive's error, achieved = offset + gain x set-point + quadratic x set-point^2 (Hz).",
        valueName: "gain=G,offset=HZ,quadratic=Q"))
    var simRateError: String?
    @Option(name: .customLong("sim-fault"), help: ArgumentHelp(
        "With --sim: break the simulated machine: \(SimulatedBenchSetup.Fault.allCases.map(\.rawValue).joined(separator: ", ")). Repeatable.",
        valueName: "fault"))
    var simFault: [String] = []
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        if sim && simSocket != nil { throw ValidationError("choose --sim or --sim-socket, not both") }
        if !sim && (simCartridge != nil || simRateError != nil || !simFault.isEmpty) {
            throw ValidationError("--sim-cartridge, --sim-rate-error and --sim-fault set up the built-in simulator: add --sim")
        }
        if (sim || simSocket != nil) && (serial != nil || adoptEndpoints) {
            throw ValidationError("--serial and --adopt-endpoints pick a machine on USB; they have no meaning with --sim or --sim-socket")
        }
        if let e = simRateError, SimulatedBenchSetup.parseRateError(e) == nil {
            throw ValidationError("--sim-rate-error \"\(e)\": give gain=G,offset=HZ,quadratic=Q (any of them), e.g. gain=1.03,offset=-1.5")
        }
        for f in simFault where SimulatedBenchSetup.Fault(rawValue: f) == nil {
            throw ValidationError("--sim-fault \"\(f)\": use one of \(SimulatedBenchSetup.Fault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The machine file and the bench for it.
    func open(in ctx: CLIContext, for command: String) throws -> MachineBench {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let spec = try cat.machine(named: machine).spec
        _ = try spec.usbDrive(for: "stipple \(command)", why: command == "calibrate rate"
            ? "its strokes are the loop's own pulses on absolute deadlines, so there is no drive curve to measure (`make bench` measures their timing)"
            : "the self-test checks a board's link, refresh deadline and telemetry. A direct-drive machine checks itself at every arm (homing) and is held by its charge-pump watchdog")
        let backend: MachineBench.Backend
        if sim {
            var s = SimulatedBenchSetup()
            if let name = simCartridge {
                s.cartridge = try cat.cartridge(named: name).cartridge
            } else {
                s.cartridge = cat.cartridges().lazy.compactMap { try? $0.result.get() }.first
            }
            if let e = simRateError { s.rateError = SimulatedBenchSetup.parseRateError(e) ?? .none }
            for f in simFault { if let fault = SimulatedBenchSetup.Fault(rawValue: f) { s.inject(fault) } }
            backend = .simulated(s)
        } else if let path = simSocket {
            backend = .socket(path)
        } else {
            backend = .hardware(serial: serial, endpointCheck: adoptEndpoints ? .adoptDevice : .strict)
        }
        return try MachineBench(machine: spec, backend: backend)
    }
}
