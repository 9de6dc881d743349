import ArgumentParser
import StippleJournal

/// `stipple pigment list`
struct PigmentList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the registered pigment lots.")

    @OptionGroup var journal: JournalOptions
    @Flag(name: .long, help: "Print JSON for scripts instead of text.") var json = false

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        let pigments = try j.pigments()
        let today = UTCTimestamp.now().day
        if json {
            ctx.print(renderJSON(pigments.map { p -> [String: Any] in
                ["brand": p.brand, "name": p.name, "batch": p.batch, "lot": p.lot, "expiry": p.expiry,
                 "dilution": p.dilution, "expired": p.expiry < today]
            }))
        } else if pigments.isEmpty {
            ctx.print("no pigments in \(j.path): register one with `stipple pigment add`")
        } else {
            ctx.print(renderTable(["LOT", "BRAND", "NAME", "BATCH", "EXPIRY", "DILUTION"], pigments.map { p in
                [p.lot, p.brand, p.name, p.batch, p.expiry + (p.expiry < today ? " (EXPIRED)" : ""), formatDilution(p.dilution)]
            }).joined(separator: "\n"))
        }
        return .success
    }
}
