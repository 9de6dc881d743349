import ArgumentParser
import StippleJournal

/// `stipple session list [--client ID]`
struct SessionList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List sessions, newest first.")

    @Option(help: "Only this client's sessions (pseudonymous id).") var client: String?
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        defer { try? j.close() }
        if let client, try j.client(ref: client) == nil { throw JournalError.unknownClient(client) }
        let sessions = try j.sessions(clientRef: client)
        guard !sessions.isEmpty else {
            ctx.print(client.map { "no sessions for client \($0)" } ?? "no sessions in the journal")
            return .success
        }
        let rows = sessions.map { s in
            [String(s.id), s.clientRef, s.operatorRef, s.startedAt.iso8601, s.status.rawValue, String(s.passes),
             "\(s.machine.model) \(s.machine.serial)"]
        }
        for line in renderTable(["SESSION", "CLIENT", "OPERATOR", "STARTED (UTC)", "STATUS", "PASSES", "MACHINE"], rows) {
            ctx.print(line)
        }
        return .success
    }
}
