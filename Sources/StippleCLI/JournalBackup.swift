import ArgumentParser
import StippleJournal

/// `stipple journal backup DEST`
struct JournalBackup: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the journal with SQLite's online backup (safe while a session runs).",
        discussion: "DEST is created with mode 0600 (its folder 0700 if created); an existing non-empty file is refused. The signing key is not copied: back it up separately and keep it apart.")

    @Argument(help: "Where to write the copy.") var destination: String
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        defer { try? j.close() }
        try j.backup(to: destination)
        let copy = try Journal.open(at: destination)
        defer { try? copy.close() }
        let r = try copy.verify()
        ctx.print("ok: backed up \(j.path) to \(destination): \(r.entriesChecked) records, head seq \(r.headSeq) \(r.headHash)"
            + (r.isValid ? "" : "; the copy does NOT verify: \(r.firstProblem.map(\.description) ?? "")"))
        return r.isValid ? .success : .invalidInput
    }
}
