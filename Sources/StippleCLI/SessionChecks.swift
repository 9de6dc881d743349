import Foundation
import StippleJournal
import StippleModel

/// Checks a treatment session must pass before it begins, shared by `stipple run` (RunJournal)
/// and the console (ConsoleJournal), so both refuse the same things with the same words.
enum SessionChecks {
    /// The operator must be registered: a typo never starts a record under a new name.
    static func requireOperator(_ ref: String, in journal: Journal, path: String) throws {
        guard try journal.operatorRecord(ref: ref) != nil else {
            throw CLIError("unknown operator (\(ref)): no operator with this id is registered in \(path). Register them with `stipple operator add \(ref)`, or check the id with `stipple operator list`")
        }
    }

    /// What the writer found left open by a writer that stopped, one line each.
    static func recoveredNotes(_ writer: JournalWriter, path: String) -> [String] {
        writer.recoveredSessions.map { s in
            "note: session \(s.sessionID) in \(path) was left open by a writer that stopped (crash or power loss); "
                + "closed as interrupted, " + (s.lastPassOrdinal.map { "last committed pass \($0)" } ?? "no pass committed")
        }
    }

    /// The depth and rate calibrations of the machine's model or serial, as the journal holds them.
    static func calibrations(_ journal: Journal, serial: String?, machine: MachineSpec) throws
        -> (depth: CalibrationStatus, rate: RateCalibrationStatus, key: String?) {
        let key = CheckedCalibration.journalKey(for: journal)
        let records = try journal.calibrations(serial: serial, model: machine.model)
        return (CalibrationStatus.of(records, journalKey: key, now: .now()), RateCalibrationStatus.of(records, journalKey: key, now: .now()), key)
    }

    /// The advice that ends every "machine not calibrated" refusal.
    static func calibrateAdvice(_ machine: String) -> String {
        "Calibrate it with `stipple calibrate depth --machine \(machine) --technician ID --gauge ID`"
    }

    /// A calibration found by model alone must be this very machine's (checked once it identified).
    static func serialMismatch(depth: CheckedCalibration?, rate: CheckedCalibration?, serial: String) -> JournalError? {
        if let c = depth, c.record.machine.serial != serial {
            return .invalidField(field: "calibration", value: c.record.ref,
                                 reason: "it was made on machine serial \(c.record.machine.serial), but this machine identified as \(serial); calibrate it (`stipple calibrate depth`)")
        }
        if let c = rate, c.record.machine.serial != serial {
            return .invalidField(field: "rate calibration", value: c.record.ref,
                                 reason: "it was made on machine serial \(c.record.machine.serial), but this machine identified as \(serial); calibrate it (`stipple calibrate rate`)")
        }
        return nil
    }

    /// The note journaled on a session whose rates go through a stroke-rate calibration.
    static func rateNote(_ c: CheckedCalibration, _ correction: StrokeRateCorrection) -> String {
        String(format: "stroke rate: calibration %@ applied (achieved = %.5f x commanded %+.3f Hz)",
               c.record.ref, correction.gain, correction.offsetHertz)
    }
}
