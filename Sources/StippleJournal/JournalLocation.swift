/// Where the session journal lives: `--journal PATH` if given, else `$STIPPLE_HOME/journal.sqlite`,
/// with `$STIPPLE_HOME` defaulting to `~/.local/share/stipple` (the XDG data folder).
public enum JournalLocation {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case noHome
        public var description: String {
            "error: no journal location: neither --journal, $STIPPLE_HOME nor $HOME is set. Pass --journal PATH"
        }
    }

    public static func resolve(explicit: String?, environment: [String: String]) throws(Problem) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let home = environment["STIPPLE_HOME"], !home.isEmpty { return home + "/journal.sqlite" }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/stipple/journal.sqlite" }
        guard let home = environment["HOME"], !home.isEmpty else { throw .noHome }
        return home + "/.local/share/stipple/journal.sqlite"
    }
}
