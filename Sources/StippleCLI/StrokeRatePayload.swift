import Foundation
import StippleModel

/// The body of a stroke-rate calibration record, signed inside `SignedCalibration` like a depth
/// record's `CalibrationDocument`: what the procedure measured and decided, so the record can be
/// re-checked long after and a run can apply its correction.
///
/// `kind` ("stroke_rate") tells it apart from depth and membrane bodies in the same table: only
/// depth bodies decide whether a machine may treat.
struct StrokeRatePayload: Codable {
    static let strokeRateKind = "stroke_rate"

    var kind = StrokeRatePayload.strokeRateKind
    var model = "achieved_hz = gain * commanded_hz + offset_hz; commanded_hz = (wanted_hz - offset_hz) / gain"
    var instrument = "machine telemetry (rate_mhz)"
    var machine: String
    var serial: String
    var firmware: String
    var technician: String
    /// False for a calibration that ran to a verdict and failed it: journaled so the record shows
    /// the drive was found out of tolerance, and no older correction is applied after it.
    var passed: Bool
    /// The fitted line; nil when no drive curve could be fitted.
    var gain: Double?
    var offsetHz: Double?
    var tolerancePercent = StrokeRateCalibration.tolerancePercent
    /// The largest |error| of the corrected verification rates (nil when none was measured).
    var worstVerificationErrorPercent: Double?
    /// Why it failed, in a phrase (nil when it passed).
    var failure: String?
    var points: [StrokeRateCalibration.Point]
    var verification: [StrokeRateCalibration.Check]

    enum CodingKeys: String, CodingKey {
        case kind, model, instrument, machine, serial, firmware, technician, passed, gain
        case offsetHz = "offset_hz", tolerancePercent = "tolerance_percent"
        case worstVerificationErrorPercent = "worst_verification_error_percent", failure, points, verification
    }

    /// The correction to apply, for a passing record.
    var correction: StrokeRateCorrection? {
        guard passed, let gain, let offsetHz else { return nil }
        return StrokeRateCorrection(gain: gain, offsetHertz: offsetHz)
    }

    func encoded() -> String {
        let e = JSONEncoder()
        // Stable key order, so the same calibration is signed as the same text.
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The body as a stroke-rate record, nil when it is another kind (or not one at all).
    static func decode(_ text: String) -> StrokeRatePayload? {
        guard let p = try? JSONDecoder().decode(StrokeRatePayload.self, from: Data(text.utf8)), p.kind == strokeRateKind else { return nil }
        return p
    }

    /// Whether a signed body claims to be a stroke-rate record, readable or not: such a body
    /// must never be taken for a damaged depth record (which would block the machine).
    static func isStrokeRateBody(_ text: String) -> Bool {
        struct Kind: Decodable { var kind: String }
        return (try? JSONDecoder().decode(Kind.self, from: Data(text.utf8)))?.kind == strokeRateKind
    }
}
