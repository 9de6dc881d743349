import ArgumentParser
import Foundation
import Synchronization
import Hummingbird
import StippleJournal
import StippleModel

/// `stipple console`: a group whose default subcommand serves the console, so
/// `stipple console --machine M` and `stipple console passcode set` both parse (a parent's
/// required options would otherwise be demanded of `passcode set` too).
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The practitioner's web console: serve it for a machine, or set its passcode.",
        subcommands: [ConsoleServe.self, ConsolePasscodeCommand.self],
        defaultSubcommand: ConsoleServe.self)
}

/// `stipple console [serve] --machine M`: the practitioner's web console for one machine (docs/CONSOLE.md).
struct ConsoleServe: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the practitioner's web console for one machine (touch screen or tablet at the chair).",
        discussion: """
            Owns the machine as `stipple run` does: its control loop, the machine (--sim: the built-in \
            simulator) and the journal. One console or run per machine: a second is refused, naming the \
            process that drives it. Binding other than loopback needs a passcode (`stipple console passcode set`). \
            Stops cleanly on SIGINT/SIGTERM: disarms, ends and seals an open session, stops the loop.
            """)

    @Option(help: "Machine name.") var machine: String
    @Flag(help: "Use the built-in simulated machine.") var sim = false
    @Option(help: "TCP port to listen on.") var port: Int = 8080
    @Option(help: "Address to listen on (loopback by default; any other needs a passcode).") var bind = "127.0.0.1"
    @OptionGroup var journal: JournalOptions
    @OptionGroup var catalog: CatalogOptions

    /// Everything the console needs before it listens; tests build the router from it.
    struct Prepared {
        let controller: ConsoleController
        let security: ConsoleSecurity
        let lock: MachineLock
        let journalPath: String
    }

    /// Refuses a wider bind without a passcode, takes the machine lock, opens the machine.
    func prepare(in ctx: CLIContext) throws -> Prepared {
        guard (1...65535).contains(port) else { throw CLIError("port \(port) (--port) is not a TCP port: give 1-65535") }
        let path = try journal.resolve(in: ctx)
        let loopback = ConsoleSecurity.isLoopback(bind)
        let passcode = try ConsolePasscode.load(forJournal: path)
        if !loopback && passcode == nil {
            throw CLIError("console on \(bind) (--bind) refused: anyone on that network could drive the machine without a passcode. Set one with `stipple console passcode set\(journal.path.map { " --journal \($0)" } ?? "")`, or bind to 127.0.0.1")
        }
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let spec = try cat.machine(named: machine).spec
        guard let folder = MachineLock.folder(environment: ctx.environment, journal: path) else {
            throw CLIError("no place for the machine lock: set STIPPLE_HOME")
        }
        let lock = try MachineLock(machine: spec.name, command: "console", folder: folder)
        let controller = try ConsoleController(machine: spec, catalog: cat, journalPath: path, simulated: sim,
                                               log: { [ctx] in ctx.printError($0) })
        return Prepared(controller: controller, security: ConsoleSecurity(passcode: passcode, loopback: loopback), lock: lock, journalPath: path)
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let p = try prepare(in: ctx)
        defer { p.lock.release() }
        try p.controller.start()
        let host = bind.contains(":") && !bind.hasPrefix("[") ? "[\(bind)]" : bind
        let app = ConsoleServer.application(controller: p.controller, security: p.security, ctx: ctx, host: bind, port: port) { [ctx, machine, sim] port in
            ctx.print("console: http://\(host):\(port)/ (machine \(machine), \(sim ? "simulated" : "real"))")
        }
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let controller = p.controller
        Task {
            do { try await app.runService() } catch { outcome.withLock { $0 = error } }
            for line in await controller.shutdown() { ctx.print(line) }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) {
            throw CLIError("console on \(bind):\(port) stopped: \(error). Is the port in use? Pick another with --port")
        }
        return .success
    }
}
