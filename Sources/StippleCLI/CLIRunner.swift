import ArgumentParser
import StippleModel

/// Parses a command line and runs it: the whole CLI, callable in-process.
public enum CLIRunner {
    public static func run(_ arguments: [String], in ctx: CLIContext) -> Int32 {
        let command: ParsableCommand
        do {
            command = try Stipple.parseAsRoot(arguments)
        } catch {
            let code = Stipple.exitCode(for: error)
            let message = Stipple.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { ctx.print(message) }
                return ExitStatus.success.rawValue
            }
            ctx.printError(message)
            return ExitStatus.usage.rawValue
        }
        guard let leaf = command as? StippleCommand else {
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
        } catch {
            ctx.printError("error: \(error)")
        }
        return ExitStatus.invalidInput.rawValue
    }
}

/// A problem with what the user asked for that no other error type describes.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = "error: " + message }
}
