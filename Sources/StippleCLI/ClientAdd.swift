import ArgumentParser
import StippleJournal
import StippleModel

/// `stipple client add ID [--name N] [--born YYYY-MM-DD] --consent DOC --consent-signed YYYY-MM-DD`
struct ClientAdd: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a client by pseudonymous id, with their signed consent.",
        discussion: """
            The id is what every record and export names (1-64 letters, digits, '-', '_' or '.'); \
            name and date of birth are optional, a clinic may keep them only in its own file. The \
            consent is a reference to the signed document (kept in the clinic's file) and the day \
            it was signed; a session is refused for a client without one. Client and consent are \
            written together or not at all.
            """)

    @Argument(help: "Pseudonymous client id.") var id: String
    @Option(help: "The client's name (optional).") var name: String?
    @Option(help: ArgumentHelp("Date of birth (optional).", valueName: "YYYY-MM-DD")) var born: String?
    @Option(help: ArgumentHelp("Id of the signed consent document.", valueName: "doc")) var consent: String
    @Option(name: .customLong("consent-signed"), help: ArgumentHelp("The day the consent was signed.", valueName: "YYYY-MM-DD"))
    var consentSigned: String
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        guard ClientID(id) != nil else {
            throw CLIError("invalid client id (\(id)): it must be 1-64 letters, digits, '-', '_' or '.'. Pick a pseudonymous id such as c-0042")
        }
        let today = UTCTimestamp.now().day
        if let born {
            guard let d = CalendarDate(born) else {
                throw CLIError("invalid date of birth (--born \(born)): it is not a YYYY-MM-DD date. Write it as e.g. 1988-02-29")
            }
            guard d.description <= today else {
                throw CLIError("invalid date of birth (--born \(born)): it is after today (\(today)). Check the date")
            }
        }
        guard let signed = CalendarDate(consentSigned) else {
            throw CLIError("invalid consent date (--consent-signed \(consentSigned)): it is not a YYYY-MM-DD date. Copy the date from the signed form")
        }
        guard signed.description <= today, let signedAt = UTCTimestamp(iso8601: "\(signed)T00:00:00Z") else {
            throw CLIError("invalid consent date (--consent-signed \(consentSigned)): it is after today (\(today)). Record a consent once it is signed")
        }
        let j = try journal.openOrCreate(in: ctx)
        let c = try j.addClient(ref: id, name: name, dateOfBirth: born, consentDocument: consent, consentSignedAt: signedAt)
        ctx.print("added client \(c.ref) with consent \(consent) signed \(signed) to \(j.path)")
        return .success
    }
}
