import ArgumentParser

/// `stipple journal`: the journal file as a whole.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "Verify the journal or a session export, and back the journal up.",
        subcommands: [JournalVerify.self, JournalBackup.self])
}
