import ArgumentParser
import Foundation
import StippleJournal

/// `stipple calibration show [--machine SERIAL]`: per machine, the depth calibration in force, in
/// full, and the stroke-rate calibration in force, each with its signature checked.
struct CalibrationShow: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show the depth and stroke-rate calibrations in force for each machine (or one).",
        discussion: """
            For each machine (or the one with --machine SERIAL, as `stipple run` and the journal \
            name it): the depth calibration that decides whether it may treat (its fit and points, \
            who calibrated with which gauge, when, until when, and whether its signature verifies \
            under this journal's machine key), then the stroke-rate calibration `stipple run` \
            applies (gain, offset, worst verification error, expiry), or "none". Exit status 1 \
            when a machine shown has no valid depth calibration (none, expired, failed, or its \
            signature does not verify); the stroke-rate calibration is optional and never does.
            """)

    @Option(help: "Machine serial (hex, as the machine identifies).") var machine: String?
    @OptionGroup var journal: JournalOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let j = try journal.openExisting(in: ctx)
        let key = CheckedCalibration.journalKey(for: j)
        // Signed records only: depth and membrane decide depth, stroke-rate records the rate. An
        // unsigned row (the stroke-rate format before it was signed) is listed by `history` only.
        let records = try j.calibrations(serial: machine).filter {
            let c = CheckedCalibration($0, journalKey: key)
            return c.isDepthRecord || c.isStrokeRateRecord
        }
        guard !records.isEmpty else {
            throw CLIError("no calibration (\(machine.map { "machine \($0)" } ?? j.path)): none is journaled. Calibrate with `stipple calibrate depth` (and `stipple calibrate rate`)")
        }
        var machines: [MachineIdentity] = []
        for r in records where !machines.contains(where: { $0.model == r.machine.model && $0.serial == r.machine.serial }) {
            machines.append(r.machine)
        }
        let now = UTCTimestamp.now()
        var allValid = true
        for (i, m) in machines.enumerated() {
            if i > 0 { ctx.print("") }
            let mine = records.filter { $0.machine.model == m.model && $0.machine.serial == m.serial }
            // The newest record's firmware: what the machine last identified as.
            ctx.print("machine \(m.model), serial \(m.serial), firmware \(mine[0].machine.firmwareVersion)")
            if !depth(mine, key: key, now: now, ctx) { allValid = false }
            ctx.print("")
            strokeRate(mine, key: key, now: now, ctx)
        }
        return allValid ? .success : .invalidInput
    }

    /// Prints the depth calibration in force; false when the machine may not treat.
    private func depth(_ records: [CalibrationRecord], key: String?, now: UTCTimestamp, _ ctx: CLIContext) -> Bool {
        let status = CalibrationStatus.of(records, journalKey: key, now: now)
        let shown: CheckedCalibration
        switch status {
        case .valid(let c), .expired(let c), .failed(let c), .untrusted(let c): shown = c
        case .none:
            ctx.print("depth calibration: none (the machine may not treat until `stipple calibrate depth` passes)")
            return false
        }
        let r = shown.record
        ctx.print("depth calibration \(r.ref): " + (status.refusal(machine: r.machine.serial).map { "NOT VALID: \($0)" } ?? "valid"))
        ctx.print("performed \(r.performedAt.iso8601) by \(r.operatorRef)" + (shown.document.map { " with gauge \($0.gauge), readings from \($0.readingsFrom)" } ?? ""))
        ctx.print("expires \(r.expiresAt.iso8601)")
        ctx.print("signature: " + Self.signature(shown))
        if let d = shown.document {
            ctx.print("")
            CalibrationReport.lines(d).forEach(ctx.print)
        }
        if case .valid = status { return true }
        return false
    }

    /// Prints the stroke-rate calibration in force, or why none is.
    private func strokeRate(_ records: [CalibrationRecord], key: String?, now: UTCTimestamp, _ ctx: CLIContext) {
        let status = RateCalibrationStatus.of(records, journalKey: key, now: now)
        let shown: CheckedCalibration
        switch status {
        case .valid(let c, _), .expired(let c), .failed(let c): shown = c
        case .none:
            ctx.print("stroke-rate calibration: none (stroke rate runs uncorrected)")
            return
        }
        let r = shown.record
        ctx.print("stroke-rate calibration \(r.ref): " + (status.whyUncorrected.map { "NOT IN FORCE: \($0); stroke rate runs uncorrected" } ?? "in force"))
        if let p = shown.strokeRate {
            if let g = p.gain, let o = p.offsetHz {
                ctx.print(String(format: "gain %.5f, offset %+.3f Hz (achieved = gain x commanded + offset)", g, o))
            }
            let worst = p.worstVerificationErrorPercent.map { String(format: "%.3f%%", $0) } ?? "not measured"
            ctx.print("worst verification error \(worst) (tolerance ±\(String(format: "%.0f", p.tolerancePercent))%), result " + (p.passed ? "pass" : "FAIL (\(p.failure ?? "failed"))"))
        }
        ctx.print("performed \(r.performedAt.iso8601) by \(r.operatorRef), from machine telemetry")
        ctx.print("expires \(r.expiresAt.iso8601)")
        ctx.print("signature: " + Self.signature(shown))
    }

    static func signature(_ c: CheckedCalibration) -> String {
        c.signatureValid ? (c.signedByJournalKey ? "verified (this journal's machine key)" : "valid, but NOT by this journal's machine key") : "DOES NOT VERIFY"
    }
}
