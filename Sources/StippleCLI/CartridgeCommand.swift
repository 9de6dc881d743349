import ArgumentParser

/// `stipple cartridge`: needle cartridge types.
struct CartridgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cartridge", abstract: "List and show needle cartridge types.",
        subcommands: [CartridgeList.self, CartridgeShow.self])
}
