import Foundation

/// A calibration payload sealed with the machine's Ed25519 key (the one that seals sessions), so
/// a record cannot be edited or made up without the key, beyond what the ledger's hash chain
/// already shows.
///
/// The journal's `calibrations.payload` column holds this envelope as JSON:
/// `{"format": "stipple-calibration-1", "body": "...", "public_key": "<64 hex>", "signature": "<128 hex>"}`.
/// The signature covers the record's columns as well as the body (`signedMessage`): a body moved
/// onto another machine's or another date's row no longer verifies. Kept in the payload rather
/// than new columns so the shipped schema ("v1") stays as it is.
public struct SignedCalibration: Sendable, Hashable, Codable {
    public static let formatName = "stipple-calibration-1"

    public var format: String
    /// The calibration procedure's own document (JSON text), as signed.
    public var body: String
    public var publicKey: String
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case format, body
        case publicKey = "public_key"
        case signature
    }

    /// What is signed: a domain tag, then every column of the row, then the body, one per line.
    public static func signedMessage(ref: String, machine: MachineIdentity, performedAt: UTCTimestamp, operatorRef: String,
                                     expiresAt: UTCTimestamp, body: String) -> [UInt8] {
        Array([formatName, ref, machine.model, machine.serial, machine.firmwareVersion, performedAt.iso8601, operatorRef,
               expiresAt.iso8601, body].joined(separator: "\n").utf8)
    }

    /// Signs `body` for a row with these columns and returns the payload text to journal.
    public static func seal(ref: String, machine: MachineIdentity, performedAt: UTCTimestamp, operatorRef: String,
                            expiresAt: UTCTimestamp, body: String, key: MachineSigningKey) throws(JournalError) -> String {
        let message = signedMessage(ref: ref, machine: machine, performedAt: performedAt, operatorRef: operatorRef,
                                    expiresAt: expiresAt, body: body)
        let envelope = SignedCalibration(format: formatName, body: body, publicKey: key.publicKeyHex, signature: try key.sign(message))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(envelope) else {
            throw .invalidField(field: "calibration payload", value: ref, reason: "it could not be encoded")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The envelope in `record`'s payload, nil when the payload is not one (not signed).
    public static func envelope(of record: CalibrationRecord) -> SignedCalibration? {
        guard let e = try? JSONDecoder().decode(SignedCalibration.self, from: Data(record.payload.utf8)),
              e.format == formatName else { return nil }
        return e
    }

    /// Whether the signature holds for `record`'s columns and body under the envelope's key.
    /// Whose key that is, is the caller's question (`signedBy`).
    public func verifies(for record: CalibrationRecord) -> Bool {
        MachineSigningKey.isValid(
            signatureHex: signature,
            of: Self.signedMessage(ref: record.ref, machine: record.machine, performedAt: record.performedAt,
                                   operatorRef: record.operatorRef, expiresAt: record.expiresAt, body: body),
            publicKeyHex: publicKey)
    }
}
