import Crypto
import Foundation

/// The machine's Ed25519 key that seals sessions, kept next to the journal:
/// `<journal>.keys/ed25519.key`, mode 0600, in a folder of mode 0700.
///
/// The file holds the 32-byte raw private key as 64 lower-case hex digits and a newline. The
/// public key is exported the same way, as the 64 hex digits of its raw 32 bytes
/// (`publicKeyHex`), which is also how seals name their key: short enough to print on the
/// client-file report and to compare by eye, no ASN.1 needed to check a seal offline.
/// The key is created on first use; two processes racing to create it both end up with the one
/// that reached the disk first.
public struct MachineSigningKey: Sendable {
    public let path: String
    /// Raw bytes rather than the key type, which is not Sendable.
    let rawPrivateKey: [UInt8]
    /// The public key as 64 lower-case hex digits (raw 32 bytes).
    public let publicKeyHex: String

    init(path: String, key: Curve25519.Signing.PrivateKey) {
        self.path = path
        rawPrivateKey = Array(key.rawRepresentation)
        publicKeyHex = Hex.encode(key.publicKey.rawRepresentation)
    }

    /// Where the key of the journal at `journalPath` lives.
    public static func path(forJournal journalPath: String) -> String { journalPath + ".keys/ed25519.key" }

    /// Loads the key at `path`, creating it (and its 0700 folder) if it does not exist.
    public static func loadOrCreate(at path: String) throws(JournalError) -> MachineSigningKey {
        if let existing = try load(at: path) { return existing }
        try PrivateFiles.ensureFolder(PrivateFiles.folder(of: path))
        let key = Curve25519.Signing.PrivateKey()
        do {
            try PrivateFiles.createExclusive(path, bytes: Array((Hex.encode(key.rawRepresentation) + "\n").utf8))
        } catch {
            // Lost a race with another process creating it: use theirs.
            if let theirs = try load(at: path) { return theirs }
            throw error
        }
        return MachineSigningKey(path: path, key: key)
    }

    /// Loads the key at `path`; nil if there is no file.
    public static func load(at path: String) throws(JournalError) -> MachineSigningKey? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badSigningKey(path: path, reason: "it cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Hex.decode(text), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw .badSigningKey(path: path, reason: "it does not hold 64 hex digits of an Ed25519 private key")
        }
        return MachineSigningKey(path: path, key: key)
    }

    func sign(_ message: [UInt8]) throws(JournalError) -> String {
        do {
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawPrivateKey)
            return Hex.encode(try key.signature(for: message))
        } catch {
            throw .badSigningKey(path: path, reason: "signing failed: \(error)")
        }
    }

    /// Whether `signatureHex` is a valid Ed25519 signature of `message` by `publicKeyHex`.
    static func isValid(signatureHex: String, of message: [UInt8], publicKeyHex: String) -> Bool {
        guard let raw = Hex.decode(publicKeyHex), let sig = Hex.decode(signatureHex),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(sig, for: message)
    }
}
