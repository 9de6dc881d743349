import ArgumentParser
import StippleJournal

/// `stipple session export ID --format json|csv|fhir|html [-o FILE] [--redact]`
struct SessionExport: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a session as JSON (verifiable offline), CSV, FHIR R4 or a printable HTML report.",
        discussion: """
            JSON carries every row of the session with its chain hash, the seal and the machine's public key: \
            check it with `stipple journal verify --file FILE`. CSV has one row per zone pass. FHIR is an R4 \
            Bundle (collection). HTML is a one-page report for the client file. --redact replaces names and \
            dates of birth with pseudonymous ids. With -o the file is written atomically with mode 0600.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, csv, fhir, html
    }

    @Argument(help: "Session id (see `stipple session list`).") var id: Int64
    @Option(help: "Export format.") var format: Format
    @Option(name: .short, help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: "Replace names and dates of birth with the pseudonymous id.") var redact = false
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        defer { try? j.close() }
        let redaction = ExportRedaction(isOn: redact)
        let text: String
        switch format {
        case .json:
            text = try SessionExportJSON.render(sessionID: id, from: j, redaction: redaction)
        case .csv:
            text = SessionExportCSV.render(try j.session(id: id), redaction: redaction)
        case .fhir:
            text = FHIRBundle.render(try j.session(id: id), redaction: redaction)
        case .html:
            let detail = try j.session(id: id)
            text = SessionReportHTML.render(detail, verification: try j.verify(), redaction: redaction)
        }
        guard let output else {
            // As is: CSV lines end in CRLF, which print's LF would spoil.
            ctx.write(text)
            return .success
        }
        try AtomicFileWriter.store(text, at: output)
        ctx.print("wrote session \(id) as \(format.rawValue) to \(output)")
        return .success
    }
}
