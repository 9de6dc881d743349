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
            and passes only if every one lands within ±1%. A passing calibration is journaled (--journal, \
            default $STIPPLE_HOME/journal.sqlite) for the machine's serial, signed off by --technician, valid \
            for \(CalibrateRate.validityDays) days. Exit 1 when it fails or cannot run.
            """)

    static let validityDays = 90

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
        // Resolved before the machine moves, so a bad journal path costs no calibration run.
        let journalPath = noJournal ? nil : try journal.resolve(in: ctx)
        let bench = try self.bench.open(in: ctx)
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
        guard cal.passed else {
            ctx.print("result: FAIL")
            ctx.printError(failure(cal, machine: m))
            return .invalidInput
        }
        ctx.print("result: pass")
        guard let journalPath, let fit = cal.correction else {
            ctx.print("journal: not recorded (--no-journal)")
            return .success
        }
        let performed = UTCTimestamp.now()
        let expires = UTCTimestamp(nanosecondsSinceEpoch: performed.nanosecondsSinceEpoch + Int64(Self.validityDays) * 86_400 * 1_000_000_000)
        let payload = StrokeRatePayload(machine: m.name, serial: serial, firmware: id.firmwareVersionText, technician: technician,
                                        gain: fit.gain, offsetHz: fit.offsetHertz, points: cal.sweep, verification: cal.verification)
        let encoder = JSONEncoder()
        // Stable key order, so the same calibration is journaled as the same text.
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(payload)
        let ref = "rate-\(serial)-\(performed.nanosecondsSinceEpoch / 1_000_000_000)"
        let j = try Journal.open(at: journalPath)
        let record = try j.addCalibration(ref: ref, machine: MachineIdentity(model: m.model, serial: serial, firmwareVersion: id.firmwareVersionText),
                                          performedAt: performed, operatorRef: technician, expiresAt: expires,
                                          payload: String(decoding: data, as: UTF8.self))
        ctx.print("journal: calibration \(record.ref) for serial \(serial), valid until \(record.expiresAt.iso8601), in \(journalPath)")
        return .success
    }

    private func failure(_ cal: StrokeRateCalibration, machine m: MachineSpec) -> String {
        if let why = cal.abortReason {
            return "error: stroke-rate calibration of \(m.name) (\(why)): the procedure could not finish. Clear the cause and run it again"
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
