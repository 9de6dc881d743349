import Foundation
import StippleControl
import StippleJournal
import StippleModel

/// The body of a depth calibration record (signed inside `SignedCalibration`): everything the
/// procedure measured and decided, so a record can be re-checked long after.
///
/// `kind` is "depth" for a machine calibration and "membrane" for a cartridge type's membrane
/// offset measured on top of one (`base` names it; its fit is carried over unchanged and its
/// expiry kept: measuring a cartridge does not extend the machine's calibration).
struct CalibrationDocument: Codable, Equatable {
    var kind: String
    var machineName: String
    var gauge: String
    var readingsFrom: String
    var toleranceMillimetres: Double
    var passed: Bool
    var offsetMillimetres: Double
    var scale: Double
    var quadraticPerMillimetre: Double
    var quadraticUsed: Bool
    var fStatistic: Double?
    var fCritical: Double?
    var cartridgeOffsetsMillimetres: [String: Double]
    var cartridge: String?
    var membraneOffsetMillimetres: Double?
    var base: String?
    var points: [DepthCalibrationPoint]
    var residualsMillimetres: [Double]
    var hysteresisMillimetres: [[Double]]
    var meanHysteresisMillimetres: Double
    var noiseMillimetres: Double
    var worstIndex: Int

    static let depthKind = "depth"
    static let membraneKind = "membrane"

    var calibration: DepthCalibration {
        DepthCalibration(offsetMillimetres: offsetMillimetres, scale: scale, quadraticPerMillimetre: quadraticPerMillimetre,
                         cartridgeOffsets: cartridgeOffsetsMillimetres.mapValues { Depth(millimetres: $0) })
    }

    func encoded() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        // Infinity (an exact fit's F statistic) has no JSON spelling.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) -> CalibrationDocument? {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? d.decode(CalibrationDocument.self, from: Data(text.utf8))
    }
}

/// A journaled calibration with its signature checked and its body read.
struct CheckedCalibration {
    var record: CalibrationRecord
    var document: CalibrationDocument?
    /// The signature verifies under the key in the record...
    var signatureValid: Bool
    /// ...and that key is this journal's machine key (not one made up beside it).
    var signedByJournalKey: Bool

    /// The body of a signed stroke-rate record (nil for depth records and unsigned rows).
    var strokeRate: StrokeRatePayload?

    /// Signed by this journal's key and readable, as whichever kind it is.
    var trusted: Bool { signatureValid && signedByJournalKey && (document != nil || strokeRate != nil) }
    /// The payload is a signed calibration envelope of a depth or membrane record. A signed
    /// stroke-rate record is not one, nor is an unsigned row (the stroke-rate calibration's
    /// format before it was signed): neither may block or unlock a machine's depth.
    var isDepthRecord: Bool
    /// The payload is a signed envelope around a stroke-rate body.
    var isStrokeRateRecord: Bool

    init(_ record: CalibrationRecord, journalKey: String?) {
        self.record = record
        let envelope = SignedCalibration.envelope(of: record)
        let rateBody = envelope.map { StrokeRatePayload.isStrokeRateBody($0.body) } ?? false
        isDepthRecord = envelope != nil && !rateBody
        isStrokeRateRecord = rateBody
        signatureValid = envelope?.verifies(for: record) ?? false
        signedByJournalKey = envelope != nil && envelope?.publicKey == journalKey
        document = rateBody ? nil : envelope.flatMap { CalibrationDocument.decode($0.body) }
        strokeRate = rateBody ? envelope.flatMap { StrokeRatePayload.decode($0.body) } : nil
    }

    /// The journal's signing key (public half), if it has one yet.
    static func journalKey(for journal: Journal) -> String? {
        (try? MachineSigningKey.load(at: MachineSigningKey.path(forJournal: journal.path)))??.publicKeyHex
    }
}
