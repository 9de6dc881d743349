import ArgumentParser
import Foundation
import StippleJournal

/// `stipple calibration history [--machine SERIAL]`: every calibration journaled, newest first.
struct CalibrationHistory: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List every journaled calibration, newest first.")

    @Option(help: "Machine serial (hex, as the machine identifies).") var machine: String?
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        let records = try j.calibrations(serial: machine)
        guard !records.isEmpty else {
            ctx.print("no calibrations journaled" + (machine.map { " for machine \($0)" } ?? ""))
            return .success
        }
        let key = CheckedCalibration.journalKey(for: j)
        let now = UTCTimestamp.now()
        ctx.print("performed (UTC)       calibration                        serial     kind      result  expires     technician  gauge  signature")
        for r in records {
            let c = CheckedCalibration(r, journalKey: key)
            let kind = c.isStrokeRateRecord ? "rate"
                : c.document.map { $0.kind == CalibrationDocument.membraneKind ? "membrane" : "depth" } ?? (c.isDepthRecord ? "?" : "other")
            let passed = c.document?.passed ?? c.strokeRate?.passed
            let result = passed.map { $0 ? "pass" : "FAIL" } ?? "-"
            let expiry = r.expiresAt.day + (r.expiresAt > now ? "" : "*")
            let signed = c.isDepthRecord || c.isStrokeRateRecord
            let sig = !signed ? "unsigned" : c.trusted ? "ok" : c.signatureValid ? "foreign key" : "BAD"
            // The stroke rate is measured from the machine's own telemetry, not a gauge.
            let gauge = c.isStrokeRateRecord ? "telem" : c.document?.gauge ?? "?"
            // Padded by hand: Foundation on Linux ignores the width of %@.
            let cells = [(String(r.performedAt.iso8601.prefix(19)), 20), (r.ref, 33), (r.machine.serial, 9), (kind, 8), (result, 6),
                         (expiry, 11), (r.operatorRef, 10), (gauge, 5)]
            ctx.print(cells.map { $0.0.padding(toLength: max($0.1, $0.0.count), withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + sig)
        }
        if records.contains(where: { !($0.expiresAt > now) }) { ctx.print("(* expired)") }
        return .success
    }
}
