import ArgumentParser

/// `stipple machine`: the machine models Stipple can drive.
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine", abstract: "List, show and validate machine files.",
        subcommands: [MachineList.self, MachineShow.self, MachineValidate.self])
}
