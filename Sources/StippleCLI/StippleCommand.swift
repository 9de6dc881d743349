import ArgumentParser

/// A leaf command: runs against a context and returns its exit status. Errors it throws are
/// printed by the runner and give exit 1.
protocol StippleCommand: ParsableCommand {
    func run(in ctx: CLIContext) throws -> ExitStatus
}

/// Where hardware files are looked up, shared by every command that reads them.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("config-dir"), help: "Folder with machines/, cartridges/, profiles/ searched before $STIPPLE_CONFIG_DIR and the built-in files.")
    var configDir: String?

    @Flag(name: .long, help: "Print JSON for scripts instead of text.")
    var json = false
}
