import ArgumentParser
import StippleJournal

/// `stipple operator list`
struct OperatorList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered operators.")

    @OptionGroup var journal: JournalOptions
    @Flag(name: .long, help: "Print JSON for scripts instead of text.") var json = false

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        let ops = try j.operators()
        if json {
            ctx.print(renderJSON(ops.map { o -> [String: Any] in
                var d: [String: Any] = ["id": o.ref]
                if let n = o.name { d["name"] = n }
                return d
            }))
        } else if ops.isEmpty {
            ctx.print("no operators in \(j.path): add one with `stipple operator add`")
        } else {
            ctx.print(renderTable(["OPERATOR", "NAME"], ops.map { [$0.ref, $0.name ?? "-"] }).joined(separator: "\n"))
        }
        return .success
    }
}
