import ArgumentParser
import Foundation
import StippleJournal

/// Where the session journal is, shared by every command that reads or writes it.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("journal"), help: ArgumentHelp(
        "The journal file (default $STIPPLE_HOME/journal.sqlite; $STIPPLE_HOME defaults to ~/.local/share/stipple).",
        valueName: "path"))
    var path: String?

    func resolve(in ctx: CLIContext) throws -> String {
        do { return try JournalLocation.resolve(explicit: path, environment: ctx.environment) } catch {
            throw CLIError(String(error.description.dropFirst("error: ".count)))
        }
    }

    /// Opens the journal, creating it (0600 in a 0700 folder) if it does not exist yet.
    func openOrCreate(in ctx: CLIContext) throws -> Journal {
        try Journal.open(at: resolve(in: ctx))
    }

    /// Opens a journal that must exist already: a listing never leaves an empty journal behind
    /// at a mistyped path.
    func openExisting(in ctx: CLIContext) throws -> Journal {
        let file = try resolve(in: ctx)
        guard FileManager.default.fileExists(atPath: file) else {
            throw CLIError("no journal (\(file)): nothing has been journaled there yet. Add a client with `stipple client add`, or pass --journal PATH")
        }
        return try Journal.open(at: file)
    }
}
