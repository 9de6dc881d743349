import ArgumentParser
import Foundation
import StippleJournal
import StippleModel

/// `stipple calibrate rate`: measures the machine's stroke-rate drive curve and journals the
/// correction when, applied, it lands every rate within ±1%.
struct CalibrateRate: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate",
        abstract: "Calibrate the stroke rate: sweep set-points, fit the drive curve, verify within ±1%.",
        discussion: """
            Arms the machine with the needle retracted (fit a cartridge), runs the motor at \
            \(StrokeRateCalibration.pointCount) set-points evenly spread over the machine file's rate range, \
            reads the achieved rate from telemetry once each has settled, and fits a line: achieved = gain x \
            commanded + offset. Then it runs the same rates again, each commanded through the inverse of the fit, \
            and passes only if every one lands within ±1%. The result, pass or fail, is journaled (--journal, \
            default $STIPPLE_HOME/journal.sqlite) for the machine's serial, by --technician, signed with the \
            journal's machine key as depth calibrations are, valid for the machine file's calibration_valid_days \
            (default 90). `stipple run` applies the newest passing one to the profile's rate; a failed one \
            leaves the machine's rate uncorrected until a calibration passes. A procedure that could not finish \
            (a fault, no telemetry) records nothing. Exit 1 when it fails or cannot run.
            """)

    @OptionGroup var bench: BenchOptions
    @Option(help: "Id of the technician doing the calibration (recorded with it).") var technician: String
    @Flag(name: .customLong("no-journal"), help: "Do not journal the result (simulators only: --sim or --sim-socket).") var noJournal = false
    @OptionGroup var journal: JournalOptions

    func validate() throws {
        if noJournal && !bench.sim && bench.simSocket == nil {
            throw ValidationError("--no-journal is for simulators (--sim, --sim-socket): a real machine's calibration is always journaled")
        }
        if noJournal && journal.path != nil { throw ValidationError("--no-journal and --journal contradict each other") }
        if OperatorID(technician) == nil {
            throw ValidationError("technician id \"\(technician)\" (--technician) must be 1-64 letters, digits, '-', '_' or '.'")
        }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        // Opened, and its key made, before the machine moves: a bad journal costs no calibration run.
        let j = noJournal ? nil : try journal.openOrCreate(in: ctx)
        let key = try j.map { try MachineSigningKey.loadOrCreate(at: MachineSigningKey.path(forJournal: $0.path)) }
        let bench = try self.bench.open(in: ctx, for: "calibrate rate")
        defer { bench.close() }
        let m = bench.machine
        ctx.print("stipple calibrate rate: \(m.name) (\(bench.description)), technician \(technician)")
        let id = try bench.connect()
        let serial = String(id.serial, radix: 16)
        ctx.print("machine serial \(serial), firmware \(id.firmwareVersionText)")
        let cal = try StrokeRateCalibration.run(on: bench)

        ctx.print("")
        ctx.print("sweep (needle retracted, \(StrokeRateCalibration.measureNanoseconds / 1_000_000) ms of telemetry per point after settling)")
        let sweepRows = cal.sweep.map { p in
            [hz(p.commandedHz), hz(p.achievedHz), signed(p.achievedHz - p.commandedHz, "%+.3f"), signed(p.residualHz, "%+.3f")]
        }
        renderTable(["COMMANDED Hz", "ACHIEVED Hz", "ERROR Hz", "RESIDUAL Hz"], sweepRows).forEach { ctx.print("  " + $0) }
        if let fit = cal.correction {
            ctx.print("")
            ctx.print(String(format: "fit: achieved = %.5f x commanded %@ %.3f Hz (least squares, %d points); worst residual %.3f%%",
                             fit.gain, fit.offsetHertz < 0 ? "-" : "+", abs(fit.offsetHertz), cal.sweep.count, cal.worstResidualPercent))
            ctx.print(String(format: "correction: commanded = (wanted %@ %.3f Hz) / %.5f", fit.offsetHertz < 0 ? "+" : "-", abs(fit.offsetHertz), fit.gain))
        }
        if !cal.verification.isEmpty {
            ctx.print("")
            ctx.print("verification with the correction applied (tolerance ±\(String(format: "%.0f", StrokeRateCalibration.tolerancePercent))%)")
            let rows = cal.verification.map { c -> [String] in
                guard let cmd = c.commandedHz, let a = c.achievedHz, let e = c.errorPercent else {
                    return [hz(c.wantedHz), "out of range", "-", "-", "FAIL"]
                }
                return [hz(c.wantedHz), hz(cmd), hz(a), signed(e, "%+.3f%%"), c.passed ? "ok" : "FAIL"]
            }
            renderTable(["WANTED Hz", "COMMANDED Hz", "ACHIEVED Hz", "ERROR", "RESULT"], rows).forEach { ctx.print("  " + $0) }
        }
        ctx.print("")
        if cal.passed {
            ctx.print("result: pass")
        } else {
            ctx.print("result: FAIL")
            ctx.printError(failure(cal, machine: m))
        }
        guard let j, let key else {
            ctx.print("journal: not recorded (--no-journal)")
            return cal.passed ? .success : .invalidInput
        }
        guard cal.reachedVerdict else {
            ctx.print("journal: not recorded (the procedure did not finish, so it says nothing about the drive)")
            return .invalidInput
        }
        // As `calibrate depth` records: the serial as the machine identified (hex), the expiry
        // from the machine file, the body signed with the journal's machine key.
        let machineID = MachineIdentity(model: m.model, serial: serial, firmwareVersion: id.firmwareVersionText)
        let performed = UTCTimestamp.now()
        let expires = UTCTimestamp(nanosecondsSinceEpoch: performed.nanosecondsSinceEpoch + Int64(m.calibrationValidDays) * 86_400 * 1_000_000_000)
        let body = StrokeRatePayload(machine: m.name, serial: serial, firmware: id.firmwareVersionText, technician: technician,
                                     passed: cal.passed, gain: cal.correction?.gain, offsetHz: cal.correction?.offsetHertz,
                                     worstVerificationErrorPercent: cal.worstVerificationErrorPercent,
                                     failure: cal.passed ? nil : failurePhrase(cal), points: cal.sweep, verification: cal.verification)
        // A random suffix as depth's refs have: two calibrations in one second (a simulator runs
        // one in well under a second) must not collide.
        let ref = "rate-\(serial)-\(performed.nanosecondsSinceEpoch / 1_000_000_000)-" + String(UInt16.random(in: 0...UInt16.max), radix: 16)
        let payload = try SignedCalibration.seal(ref: ref, machine: machineID, performedAt: performed, operatorRef: technician,
                                                 expiresAt: expires, body: body.encoded(), key: key)
        let record = try j.addCalibration(ref: ref, machine: machineID, performedAt: performed, operatorRef: technician,
                                          expiresAt: expires, payload: payload)
        if cal.passed {
            ctx.print("journal: calibration \(record.ref) for serial \(serial), valid until \(record.expiresAt.iso8601), in \(j.path)")
            ctx.print("signed with machine key \(key.publicKeyHex)")
            return .success
        }
        ctx.print("journal: failed calibration \(record.ref) for serial \(serial), in \(j.path); \(m.name)'s stroke rate runs uncorrected until a calibration passes")
        return .invalidInput
    }

    /// Why it failed, in a phrase for the record.
    private func failurePhrase(_ cal: StrokeRateCalibration) -> String {
        if let why = cal.noFitReason { return why }
        let bad = cal.verification.filter { !$0.passed }
        let unreachable = bad.filter { $0.commandedHz == nil }.count
        if unreachable > 0 { return "\(unreachable) wanted rates need a set-point outside the machine's limits" }
        return "\(bad.count) of \(cal.verification.count) corrected rates off by more than ±\(String(format: "%.0f", StrokeRateCalibration.tolerancePercent))%"
    }

    private func failure(_ cal: StrokeRateCalibration, machine m: MachineSpec) -> String {
        if let why = cal.abortReason {
            return "error: stroke-rate calibration of \(m.name) (\(why)): the procedure could not finish. Clear the cause and run it again"
        }
        if let why = cal.noFitReason {
            return "error: stroke-rate calibration of \(m.name) (fit): \(why). Check the motor and its driver, then calibrate again"
        }
        let bad = cal.verification.filter { !$0.passed }
        let unreachable = bad.filter { $0.commandedHz == nil }.map { hz($0.wantedHz) }
        if !unreachable.isEmpty {
            return "error: stroke-rate calibration of \(m.name) (verification): \(unreachable.joined(separator: ", ")) Hz need a set-point outside the machine's \(m.limits.rateMin.plain)-\(m.limits.rateMax.plain) Hz. The drive cannot cover its range: service the motor or its driver"
        }
        let worst = bad.compactMap(\.errorPercent).map(abs).max() ?? 0
        return "error: stroke-rate calibration of \(m.name) (verification): \(bad.count) of \(cal.verification.count) corrected rates are off by more than ±1% (worst \(String(format: "%.2f", worst))%, worst residual of the line \(String(format: "%.2f", cal.worstResidualPercent))%). The drive curve is not a straight line: service the motor or its driver, then calibrate again"
    }

    private func hz(_ v: Double) -> String { String(format: "%.3f", v) }
    private func signed(_ v: Double, _ f: String) -> String { String(format: f, v) }
}
