import ArgumentParser
import StippleJournal

/// `stipple client list`
struct ClientList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the journal's clients.")

    @OptionGroup var journal: JournalOptions
    @Flag(name: .long, help: "Print JSON for scripts instead of text.") var json = false

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        let clients = try j.clients()
        let sessions = Dictionary(grouping: try j.sessions(), by: \.clientRef)
        if json {
            ctx.print(renderJSON(clients.map { c -> [String: Any] in
                var d = clientJSON(c)
                d["sessions"] = sessions[c.ref]?.count ?? 0
                return d
            }))
            return .success
        }
        if clients.isEmpty {
            ctx.print("no clients in \(j.path): add one with `stipple client add`")
            return .success
        }
        ctx.print(renderTable(["CLIENT", "NAME", "BORN", "CONSENT", "SESSIONS", "LAST SESSION (UTC)"], clients.map { c in
            let mine = sessions[c.ref] ?? []
            return [c.ref, c.name ?? "-", c.dateOfBirth ?? "-",
                    c.consents.last.map { "\($0.documentRef) (\($0.signedAt.day))" } ?? "NONE",
                    "\(mine.count)", mine.first.map { String($0.startedAt.iso8601.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "-"]
        }).joined(separator: "\n"))
        return .success
    }
}

/// A client as JSON, shared by `client list` and `client show`.
func clientJSON(_ c: ClientRecord) -> [String: Any] {
    var d: [String: Any] = ["id": c.ref, "created_utc": c.createdAt.iso8601,
                            "consents": c.consents.map { ["document": $0.documentRef, "signed_utc": $0.signedAt.iso8601] }]
    if let name = c.name { d["name"] = name }
    if let born = c.dateOfBirth { d["date_of_birth"] = born }
    return d
}
