import StippleJournal
import StippleModel

/// The stroke-rate correction a machine runs with, from its journaled calibrations (newest first).
///
/// Records that are not signed stroke-rate records by this journal's key are passed over (an
/// unsigned or forged row changes nothing, so it cannot be used to skew a machine's rate). Of the
/// rest the newest decides, as for depth: if it failed, the drive was last found out of tolerance
/// and no older correction is applied after it; if it expired, the curve is stale. Unlike depth,
/// neither stops treatment: issue 7 makes the depth calibration mandatory, not the rate one, and
/// the control core's own rate tolerance check still guards a run without a correction.
enum RateCalibrationStatus {
    case valid(CheckedCalibration, StrokeRateCorrection)
    case none
    case expired(CheckedCalibration)
    case failed(CheckedCalibration)

    static func of(_ records: [CalibrationRecord], journalKey: String?, now: UTCTimestamp) -> RateCalibrationStatus {
        let newest = records.lazy.map { CheckedCalibration($0, journalKey: journalKey) }.first { $0.isStrokeRateRecord && $0.trusted }
        guard let newest, let body = newest.strokeRate else { return .none }
        guard body.passed, let correction = body.correction else { return .failed(newest) }
        guard newest.record.expiresAt > now else { return .expired(newest) }
        return .valid(newest, correction)
    }

    /// The calibration in force, if any.
    var active: (calibration: CheckedCalibration, correction: StrokeRateCorrection)? {
        if case .valid(let c, let k) = self { return (c, k) }
        return nil
    }

    /// Why no correction applies, in a phrase (nil when one does).
    var whyUncorrected: String? {
        switch self {
        case .valid: nil
        case .none: "no valid rate calibration"
        case .expired(let c): "no valid rate calibration: \(c.record.ref) expired on \(c.record.expiresAt.day)"
        case .failed(let c): "no valid rate calibration: the latest, \(c.record.ref) (\(c.record.performedAt.day)), failed"
        }
    }
}
