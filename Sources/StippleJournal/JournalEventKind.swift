/// What an event records. Stored as the raw value.
public enum JournalEventKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case fault
    case estop
    case reset
    /// An operator overrode a warning (free text says which).
    case override
    /// The control core refused an operator request.
    case refused
    /// The machine refused a command.
    case commandRefused = "command-refused"
    /// The ring dropped telemetry (code: how many since the previous such event).
    case telemetryDropped = "telemetry-dropped"
    /// The ring dropped critical records: the journal thread fell behind completely.
    case recordsLost = "records-lost"
    case linkRestored = "link-restored"
    /// A session found open with no live writer and closed as interrupted.
    case interrupted
    /// A pass that had no end record when its session ended.
    case passUnended = "pass-unended"
    /// Anything else worth keeping, as free text.
    case note

    public var description: String { rawValue }
}
