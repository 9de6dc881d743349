/// One problem found in a configuration file: which file, which key, what value, why it is wrong
/// and what to do about it.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Dotted key path (`depth_mm.max`), or nil when the problem is the file as a whole.
    public var key: String?
    /// The offending value as written in the file, when there is one.
    public var value: String?
    /// Why it is wrong, naming the limit that was broken.
    public var problem: String
    /// What the reader should do about it.
    public var fix: String

    public init(file: String, key: String? = nil, value: String? = nil, problem: String, fix: String) {
        self.file = file
        self.key = key
        self.value = value
        self.problem = problem
        self.fix = fix
    }

    /// `FILE: key = value problem. fix` — the form every CLI error line uses after `error: `.
    public var description: String {
        var s = file + ": "
        if let key {
            s += key
            if let value { s += " = " + value }
            s += " "
        }
        s += problem
        if !fix.isEmpty { s += ". " + fix }
        return s
    }
}

/// A file (or several) that could not be accepted; carries every problem found, not just the first.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) { self.issues = issues }

    public var description: String {
        issues.map { "error: " + $0.description }.joined(separator: "\n")
    }
}
