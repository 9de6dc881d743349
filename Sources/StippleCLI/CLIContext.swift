import Foundation

/// Everything a command may touch outside itself, so tests run commands in-process with captured
/// output and a controlled environment.
public final class CLIContext: @unchecked Sendable {
    public let environment: [String: String]
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void

    public init(environment: [String: String], out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.environment = environment
        self.writeOut = out
        self.writeErr = err
    }

    /// The real process: its environment, stdout and stderr.
    public static func standard() -> CLIContext {
        CLIContext(
            environment: ProcessInfo.processInfo.environment,
            out: { FileHandle.standardOutput.write(Data($0.utf8)) },
            err: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// Writes a line to standard output.
    public func print(_ line: String) { writeOut(line + "\n") }

    /// Writes text to standard output exactly as given (no line end added).
    public func write(_ text: String) { writeOut(text) }

    /// Writes a line to standard error.
    public func printError(_ line: String) { writeErr(line + "\n") }
}
