import ArgumentParser
import StippleJournal

/// `stipple calibration show [--machine SERIAL]`: a machine's calibration in force, in full, with
/// its signature checked.
struct CalibrationShow: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the depth calibration in force for each machine (or one).",
        discussion: """
            For each machine (or the one with --machine SERIAL, as `stipple run` and the journal \
            name it), the calibration that decides whether it may treat: its fit and points, who \
            calibrated with which gauge, when, until when, and whether its signature verifies under \
            this journal's machine key. Exit status 1 when a machine shown has no valid calibration \
            (none, expired, failed, or its signature does not verify).
            """)

    @Option(help: "Machine serial (hex, as the machine identifies).") var machine: String?
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        // Depth records only: other procedures (stroke rate) print their own.
        let key = CheckedCalibration.journalKey(for: j)
        let records = try j.calibrations(serial: machine).filter { CheckedCalibration($0, journalKey: key).isDepthRecord }
        guard !records.isEmpty else {
            throw CLIError("no depth calibration (\(machine.map { "machine \($0)" } ?? j.path)): none is journaled. Calibrate with `stipple calibrate depth`")
        }
        var machines: [(String, String)] = []
        for r in records where !machines.contains(where: { $0 == (r.machine.model, r.machine.serial) }) {
            machines.append((r.machine.model, r.machine.serial))
        }
        var allValid = true
        for (i, m) in machines.enumerated() {
            if i > 0 { ctx.print("") }
            let mine = records.filter { $0.machine.model == m.0 && $0.machine.serial == m.1 }
            let status = CalibrationStatus.of(mine, journalKey: key, now: .now())
            let shown: CheckedCalibration
            switch status {
            case .valid(let c), .expired(let c), .failed(let c), .untrusted(let c): shown = c
            case .none: continue
            }
            let r = shown.record
            ctx.print("machine \(r.machine.model), serial \(r.machine.serial), firmware \(r.machine.firmwareVersion)")
            ctx.print("calibration \(r.ref): " + (status.refusal(machine: r.machine.serial).map { "NOT VALID: \($0)" } ?? "valid"))
            ctx.print("performed \(r.performedAt.iso8601) by \(r.operatorRef)" + (shown.document.map { " with gauge \($0.gauge), readings from \($0.readingsFrom)" } ?? ""))
            ctx.print("expires \(r.expiresAt.iso8601)")
            ctx.print("signature: " + (shown.signatureValid ? (shown.signedByJournalKey ? "verified (this journal's machine key)" : "valid, but NOT by this journal's machine key") : "DOES NOT VERIFY"))
            if let d = shown.document {
                ctx.print("")
                CalibrationReport.lines(d).forEach(ctx.print)
            }
            if case .valid = status {} else { allValid = false }
        }
        return allValid ? .success : .invalidInput
    }
}
