import ArgumentParser
import Foundation

/// `stipple console passcode`: the console's passcode.
struct ConsolePasscodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passcode", abstract: "Manage the console's passcode.", subcommands: [ConsolePasscodeSet.self])
}

/// `stipple console passcode set [--journal PATH]`: reads it from standard input (twice on a
/// terminal), stores it salted and hashed next to the journal.
struct ConsolePasscodeSet: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set the console's passcode (read from standard input).",
        discussion: "Stored as PBKDF2-HMAC-SHA256 (salted, 210,000 rounds) in <journal>.console-passcode, mode 0600. Needed to bind the console to anything but loopback.")

    @OptionGroup var journal: JournalOptions

    /// Where the passcode comes from: a line at a time (tests give their own).
    nonisolated(unsafe) static var readLine: () -> String? = { Swift.readLine(strippingNewline: true) }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let path = try journal.resolve(in: ctx)
        let terminal = isatty(STDIN_FILENO) == 1
        if terminal { ctx.write("passcode: ") }
        guard let first = Self.readLine(), !first.isEmpty else {
            throw CLIError("no passcode given (console passcode set): type it on standard input. Nothing was changed")
        }
        guard first.count >= 6 else { throw CLIError("passcode too short (console passcode set): use at least 6 characters. Nothing was changed") }
        if terminal {
            ctx.write("again: ")
            guard Self.readLine() == first else { throw CLIError("the two passcodes differ (console passcode set): nothing was changed. Try again") }
        }
        try PrivateFilesFolder.ensure(for: path)
        try ConsolePasscode.hashing(first).store(forJournal: path)
        ctx.print("console passcode set (\(ConsolePasscode.path(forJournal: path)))")
        return .success
    }
}

/// The journal's folder, created private if missing, so the passcode can sit beside it.
enum PrivateFilesFolder {
    static func ensure(for journal: String) throws {
        let folder = (journal as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw CLIError("cannot create the journal folder (\(folder)): \(error.localizedDescription)")
        }
    }
}
