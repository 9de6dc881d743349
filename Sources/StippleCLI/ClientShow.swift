import ArgumentParser
import StippleJournal

/// `stipple client show ID`
struct ClientShow: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one client, their consents and their sessions.")

    @Argument(help: "Pseudonymous client id (see `stipple client list`).") var id: String
    @OptionGroup var journal: JournalOptions
    @Flag(name: .long, help: "Print JSON for scripts instead of text.") var json = false

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        guard let c = try j.client(ref: id) else { throw JournalError.unknownClient(id) }
        let sessions = try j.sessions(clientRef: id)
        if json {
            var d = clientJSON(c)
            d["sessions"] = sessions.map { s -> [String: Any] in
                var e: [String: Any] = ["id": s.id, "started_utc": s.startedAt.iso8601, "status": s.status.rawValue,
                                        "passes": s.passes, "operator": s.operatorRef,
                                        "machine": ["model": s.machine.model, "serial": s.machine.serial, "firmware": s.machine.firmwareVersion]]
                if let end = s.endedAt { e["ended_utc"] = end.iso8601 }
                return e
            }
            ctx.print(renderJSON(d))
            return .success
        }
        ctx.print("client \(c.ref)")
        ctx.print("  name     \(c.name ?? "-")")
        ctx.print("  born     \(c.dateOfBirth ?? "-")")
        ctx.print("  added    \(c.createdAt.iso8601)")
        if c.consents.isEmpty { ctx.print("  consent  NONE: a session is refused until one is recorded") }
        for k in c.consents { ctx.print("  consent  \(k.documentRef) signed \(k.signedAt.day)") }
        ctx.print("")
        guard !sessions.isEmpty else {
            ctx.print("no sessions")
            return .success
        }
        ctx.print("sessions (\(sessions.count), newest first)")
        ctx.print(renderTable(["  SESSION", "STARTED (UTC)", "ENDED (UTC)", "STATUS", "PASSES", "OPERATOR", "MACHINE"], sessions.map { s in
            ["  \(s.id)", s.startedAt.iso8601, s.endedAt?.iso8601 ?? "-", s.status.rawValue, "\(s.passes)", s.operatorRef,
             "\(s.machine.model) #\(s.machine.serial) fw \(s.machine.firmwareVersion)"]
        }).joined(separator: "\n"))
        return .success
    }
}
