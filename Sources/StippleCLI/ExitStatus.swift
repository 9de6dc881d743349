/// The CLI's exit codes; scripts rely on them.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// A file or value was invalid, or something named was not found.
    case invalidInput = 1
    /// The command line itself was wrong.
    case usage = 2
}
