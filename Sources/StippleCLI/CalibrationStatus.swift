import StippleJournal

/// Whether a machine may treat, as far as depth goes, from its journaled calibrations (newest first).
///
/// The newest machine ("depth") calibration decides: if it failed, or its signature does not
/// verify under this journal's key, the machine is not calibrated, whatever older records say (a
/// machine found out of tolerance stays out until it passes again). Membrane records newer than
/// it and based on it carry its fit plus measured cartridge offsets; the newest that passed is
/// the active one. Then the expiry: an expired calibration is named with its date.
enum CalibrationStatus {
    case valid(CheckedCalibration)
    case none
    case expired(CheckedCalibration)
    case failed(CheckedCalibration)
    case untrusted(CheckedCalibration)

    static func of(_ records: [CalibrationRecord], journalKey: String?, now: UTCTimestamp) -> CalibrationStatus {
        // Only depth records decide depth; a row without the signed envelope (another procedure's,
        // or one written around the CLI) neither blocks nor unlocks the machine.
        let checked = records.map { CheckedCalibration($0, journalKey: journalKey) }.filter(\.isDepthRecord)
        guard let baseIndex = checked.firstIndex(where: { $0.document?.kind != CalibrationDocument.membraneKind }) else { return .none }
        let base = checked[baseIndex]
        guard base.trusted else { return .untrusted(base) }
        guard base.document!.passed else { return .failed(base) }
        let newer = checked[..<baseIndex].first {
            $0.trusted && $0.document!.passed && $0.document!.base == base.record.ref
        }
        let active = newer ?? base
        guard active.record.expiresAt > now else { return .expired(active) }
        return .valid(active)
    }

    /// The refusal text for `machine`, or nil when the calibration is valid.
    func refusal(machine: String) -> String? {
        switch self {
        case .valid: nil
        case .none: "machine \(machine) has no depth calibration in the journal"
        case .expired(let c): "machine \(machine)'s depth calibration \(c.record.ref) expired on \(c.record.expiresAt.day)"
        case .failed(let c): "machine \(machine)'s latest depth calibration \(c.record.ref) (\(c.record.performedAt.day)) failed its tolerance"
        case .untrusted(let c): "machine \(machine)'s latest depth calibration \(c.record.ref) does not carry a valid signature by this journal's key"
        }
    }
}
