/// Where a session stands. `open` means no closure row yet: being written, or (with no live
/// writer) a crash that the next writer will mark `interrupted`.
public enum SessionStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case open
    case completed
    case interrupted

    public var description: String { rawValue }
}
