import ArgumentParser
import Foundation
import StippleJournal

/// `--journal PATH`, shared by the commands that read the session journal.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("journal"), help: "The journal file (default: $STIPPLE_HOME/journal.sqlite, $STIPPLE_HOME defaulting to ~/.local/share/stipple).")
    var path: String?

    /// The journal's path, resolved the way `stipple run` resolves it.
    func resolvedPath(in ctx: CLIContext) throws -> String {
        do {
            return try JournalLocation.resolve(explicit: path, environment: ctx.environment)
        } catch {
            throw CLIError(String(error.description.dropFirst("error: ".count)))
        }
    }

    /// Opens an existing journal. Reading commands never create one: a mistyped path must not
    /// leave an empty journal behind and report "no sessions".
    func openExisting(in ctx: CLIContext) throws -> Journal {
        let p = try resolvedPath(in: ctx)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue else {
            throw CLIError("no journal (\(p)): there is no journal file at this path. Pass --journal PATH or set $STIPPLE_HOME to the folder that holds journal.sqlite")
        }
        return try Journal.open(at: p)
    }
}
