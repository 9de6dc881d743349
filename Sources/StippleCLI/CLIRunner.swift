import ArgumentParser
import StippleJournal
import StippleModel

/// Parses a command line and runs it: the whole CLI, callable in-process.
public enum CLIRunner {
    public static func run(_ arguments: [String], in ctx: CLIContext) -> Int32 {
        var command: ParsableCommand
        do {
            command = try Stipple.parseAsRoot(arguments)
        } catch {
            return report(parseError: error, in: ctx)
        }
        guard let leaf = command as? StippleCommand else {
            if type(of: command).configuration.subcommands.isEmpty {
                // ArgumentParser's own `help` command: running it raises the help request for
                // the command asked about, which is reported like any help request.
                do { try command.run() } catch { return report(parseError: error, in: ctx) }
            }
            // A command group named without a subcommand: show what it offers.
            ctx.printError(Stipple.helpMessage(for: type(of: command)))
            return ExitStatus.usage.rawValue
        }
        do {
            return try leaf.run(in: ctx).rawValue
        } catch let error as CatalogError {
            ctx.printError(error.description)
        } catch let error as ConfigError {
            ctx.printError(error.description)
        } catch let error as CLIError {
            ctx.printError(error.description)
        } catch let error as JournalError {
            // Already `error: <what> (<where>): <why>. <what to do>`.
            ctx.printError(error.description)
        } catch {
            ctx.printError("error: \(error)")
        }
        return ExitStatus.invalidInput.rawValue
    }
}

extension CLIRunner {
    /// Help and version requests go to stdout with exit 0; real usage errors to stderr with exit 2.
    static func report(parseError error: Error, in ctx: CLIContext) -> Int32 {
        let message = Stipple.fullMessage(for: error)
        if Stipple.exitCode(for: error) == .success {
            if !message.isEmpty { ctx.print(message) }
            return ExitStatus.success.rawValue
        }
        ctx.printError(message)
        return ExitStatus.usage.rawValue
    }
}

/// A problem with what the user asked for that no other error type describes.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = "error: " + message }
}
