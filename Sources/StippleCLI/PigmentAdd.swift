import ArgumentParser
import StippleJournal
import StippleModel

/// `stipple pigment add --brand B --name N --batch X --lot L --expiry YYYY-MM-DD --dilution D`
struct PigmentAdd: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a pigment lot's ink passport.",
        discussion: "A session then names it by lot: `stipple run --pigment LOT`. An expired lot is refused here as it would be at the session.")

    @Option(help: "Maker.") var brand: String
    @Option(help: "Pigment name (shade).") var name: String
    @Option(help: "Batch, as printed on the bottle.") var batch: String
    @Option(help: "Lot, as printed on the bottle.") var lot: String
    @Option(help: ArgumentHelp("The last day it may be used.", valueName: "YYYY-MM-DD")) var expiry: String
    @Option(help: "Parts of diluent per part of pigment (0 = undiluted, 1 = 1:1).") var dilution: Double
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        guard let date = CalendarDate(expiry) else {
            throw CLIError("invalid pigment expiry (--expiry \(expiry)): it is not a YYYY-MM-DD date. Copy the date from the label")
        }
        let pigment: Pigment
        do {
            pigment = try Pigment(brand: brand, name: name, batch: batch, lot: lot, expiry: date, dilution: dilution)
        } catch {
            throw CLIError("invalid pigment (lot \(lot)): \(error)")
        }
        let today = UTCTimestamp.now().day
        guard date.description >= today else {
            throw JournalError.pigmentExpired(lot: lot, expiry: date.description, sessionDay: today)
        }
        let j = try journal.openOrCreate(in: ctx)
        let known = try j.pigments().contains {
            $0.brand == brand && $0.name == name && $0.batch == batch && $0.lot == lot && $0.expiry == date.description && $0.dilution == dilution
        }
        let r = try j.addPigment(pigment)
        ctx.print("\(known ? "already registered" : "added") pigment lot \(r.lot): \(r.brand) \(r.name), batch \(r.batch), expires \(r.expiry), dilution \(formatDilution(r.dilution)) in \(j.path)")
        return .success
    }
}

/// "1:1", "0.5:1": parts of diluent per part of pigment, as a label or a record reads it.
func formatDilution(_ d: Double) -> String {
    (d == d.rounded() ? String(Int(d)) : String(d)) + ":1"
}
