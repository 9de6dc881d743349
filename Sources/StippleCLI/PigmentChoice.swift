import StippleJournal
import StippleModel

/// One `--pigment` of `stipple run`: a lot registered with `stipple pigment add`, or a whole ink
/// passport written out as `brand=B,name=N,batch=X,lot=L,expiry=YYYY-MM-DD,dilution=D`.
enum PigmentChoice: Equatable {
    case registeredLot(String)
    case passport(Pigment)

    static let fields = ["brand", "name", "batch", "lot", "expiry", "dilution"]
    static let syntax = "brand=B,name=N,batch=X,lot=L,expiry=YYYY-MM-DD,dilution=D"

    /// Parses one option value; the error names the value and says how to write it.
    static func parse(_ text: String) throws -> PigmentChoice {
        guard text.contains("=") else {
            guard !text.isEmpty, !text.contains(",") else {
                throw CLIError("invalid pigment (--pigment \"\(text)\"): give a registered lot, or \(syntax). See `stipple pigment list`")
            }
            return .registeredLot(text)
        }
        var values: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = kv[0].trimmingCharacters(in: .whitespaces)
            guard kv.count == 2, fields.contains(key), values[key] == nil else {
                throw CLIError("invalid pigment (--pigment \"\(text)\"): \"\(part)\" is not one of \(fields.map { $0 + "=" }.joined(separator: ", ")) given once. Write it as \(syntax)")
            }
            values[key] = kv[1].trimmingCharacters(in: .whitespaces)
        }
        let missing = fields.filter { values[$0] == nil }
        guard missing.isEmpty else {
            throw CLIError("invalid pigment (--pigment \"\(text)\"): \(missing.joined(separator: ", ")) missing. Write it as \(syntax)")
        }
        guard let expiry = CalendarDate(values["expiry"]!) else {
            throw CLIError("invalid pigment (--pigment \"\(text)\"): expiry \(values["expiry"]!) is not a YYYY-MM-DD date. Copy the date from the label")
        }
        guard let dilution = Double(values["dilution"]!) else {
            throw CLIError("invalid pigment (--pigment \"\(text)\"): dilution \(values["dilution"]!) is not a number. Give parts of diluent per part of pigment, e.g. 1")
        }
        do {
            return .passport(try Pigment(brand: values["brand"]!, name: values["name"]!, batch: values["batch"]!,
                                         lot: values["lot"]!, expiry: expiry, dilution: dilution))
        } catch {
            throw CLIError("invalid pigment (--pigment \"\(text)\"): \(error). Correct the value")
        }
    }

    /// The ink passport this choice names, looked up in `journal` for a lot.
    func resolve(in journal: Journal) throws -> Pigment {
        switch self {
        case .passport(let p):
            return p
        case .registeredLot(let lot):
            let matches = try journal.pigments().filter { $0.lot == lot }
            guard let r = matches.first else {
                throw CLIError("unknown pigment lot (\(lot)): no pigment with this lot is registered in \(journal.path). Register it with `stipple pigment add`, or give the whole passport as --pigment \(Self.syntax)")
            }
            guard matches.count == 1 else {
                throw CLIError("ambiguous pigment lot (\(lot)): \(matches.count) registered pigments have this lot (different brand, batch or dilution). Give the whole passport as --pigment \(Self.syntax)")
            }
            // Read back from the journal, which only holds values it validated.
            guard let expiry = CalendarDate(r.expiry), let p = try? Pigment(brand: r.brand, name: r.name, batch: r.batch,
                                                                           lot: r.lot, expiry: expiry, dilution: r.dilution) else {
                throw CLIError("unreadable pigment (lot \(lot)): its journaled passport does not parse. Run `stipple journal verify`")
            }
            return p
        }
    }
}
