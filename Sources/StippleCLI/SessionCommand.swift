import ArgumentParser

/// `stipple session`: treatment sessions in the journal.
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "List, show and export journaled treatment sessions.",
        subcommands: [SessionList.self, SessionShow.self, SessionExport.self])
}
