import ArgumentParser
import Foundation
import Synchronization
import StippleModel
import StippleSimulator

/// Set by SIGINT/SIGTERM so the server closes its socket before exiting.
private let stopServing = Atomic<Bool>(false)

/// `stipple sim serve --machine M [--socket PATH]`: serves the simulated machine's firmware over a
/// Unix socket in real time, so the controller (`stipple run --sim-socket PATH`) and the machine
/// are two processes, as they are with hardware.
struct SimServe: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve a simulated machine on a Unix socket until interrupted.")

    @Option(help: "Machine name.") var machine: String
    @Option(help: "Cartridge type fitted in the simulated machine.") var cartridge: String = "1RL-0.25"
    @Option(name: .customLong("cartridge-id"), help: "The fitted cartridge's id.") var cartridgeID: UInt64 = 1
    @Option(help: "Socket path.") var socket: String = "/tmp/stipple-sim.sock"
    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).") var seconds: Double?
    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let spec = try cat.machine(named: machine).spec
        _ = try spec.usbDrive(for: "stipple sim serve", why: "the server runs a simulated board for another process. A direct-drive machine runs simulated with `stipple run --sim`")
        let cart = try cat.cartridge(named: cartridge).cartridge
        let sim = SimulatedMachine(machine: spec, cartridge: cart, cartridgeID: cartridgeID, serial: 0x5717_0002,
                                   gpio: nil, seed: 2, telemetryHertz: 500)
        let server: SimulatorServer
        do { server = try SimulatorServer(path: socket, machine: sim) } catch {
            throw CLIError("cannot serve on \(socket) (--socket): \(error)")
        }
        signal(SIGINT) { _ in stopServing.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopServing.store(true, ordering: .relaxed) }
        ctx.print("simulated \(spec.name) serving on \(socket); connect with: stipple run --sim-socket \(socket) --machine \(spec.name) ...")
        if let seconds {
            let deadline = DispatchTime.now() + seconds
            DispatchQueue.global().asyncAfter(deadline: deadline) { stopServing.store(true, ordering: .relaxed) }
        }
        server.run(stop: stopServing)
        let s = server.statistics
        ctx.print("served \(s.connectionsAccepted) connection(s), \(s.bytesFromHost) bytes in, \(s.bytesToHost) bytes out, \(s.cycles) cycles (\(s.lateCycles) late)")
        return .success
    }
}
