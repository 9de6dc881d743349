import ArgumentParser

/// `stipple`: the root command.
struct Stipple: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stipple",
        abstract: "Drive scalp-micropigmentation machines and keep the treatment record.",
        discussion: """
            Hardware files are searched in --config-dir, then $STIPPLE_CONFIG_DIR, then the \
            Hardware/ files built into stipple. Exit codes: 0 ok, 1 invalid input, 2 usage.
            """,
        subcommands: [MachineCommand.self, CartridgeCommand.self, ProfileCommand.self, RunCommand.self, CalibrateCommand.self,
                      CalibrationCommand.self, SelftestCommand.self, ClientCommand.self, OperatorCommand.self, PigmentCommand.self,
                      SessionCommand.self, JournalCommand.self, ConsoleCommand.self, SimCommand.self, DevicesCommand.self, VersionCommand.self]
    )
}
