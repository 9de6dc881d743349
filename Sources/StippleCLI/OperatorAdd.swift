import ArgumentParser
import StippleJournal
import StippleModel

/// `stipple operator add ID [--name N]`
struct OperatorAdd: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a practitioner or technician by id.",
        discussion: "`stipple run --operator ID` refuses an id that is not registered, so a typo never starts a record under a new name.")

    @Argument(help: "Operator id (1-64 letters, digits, '-', '_' or '.').") var id: String
    @Option(help: "The operator's name (optional).") var name: String?
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        guard OperatorID(id) != nil else {
            throw CLIError("invalid operator id (\(id)): it must be 1-64 letters, digits, '-', '_' or '.'. Pick an id such as op-ana")
        }
        let j = try journal.openOrCreate(in: ctx)
        if let existing = try j.operatorRecord(ref: id) {
            throw CLIError("duplicate operator (\(id)): already registered in \(j.path)\(existing.name.map { " as \($0)" } ?? ""). Use it as it is, or pick another id")
        }
        let o = try j.addOperator(ref: id, name: name)
        ctx.print("added operator \(o.ref)\(o.name.map { " (\($0))" } ?? "") to \(j.path)")
        return .success
    }
}
