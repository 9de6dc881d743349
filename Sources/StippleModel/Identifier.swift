/// The rule every pseudonymous identifier in records follows: 1-64 ASCII letters, digits, `-`,
/// `_` or `.`, so ids are safe in file names, URLs and CSV without escaping.
public enum IdentifierRule {
    public static func isValid(_ s: String) -> Bool {
        (1...64).contains(s.count)
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}

/// A client, by pseudonymous id; names live only in the clinic's own file.
public struct ClientID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init?(_ rawValue: String) {
        guard IdentifierRule.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }
}

/// The practitioner or technician who acts on a machine.
public struct OperatorID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init?(_ rawValue: String) {
        guard IdentifierRule.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }
}
