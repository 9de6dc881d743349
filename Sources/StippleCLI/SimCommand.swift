import ArgumentParser

/// `stipple sim`: the simulated machine as a process of its own.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Run the simulated machine as a separate process.",
        subcommands: [SimServe.self, SimGadget.self])
}
