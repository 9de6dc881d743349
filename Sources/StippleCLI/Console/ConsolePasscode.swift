import Crypto
import Foundation
import _CryptoExtras

/// The console's passcode, stored salted and hashed next to the journal
/// (`<journal>.console-passcode`, mode 0600) as `pbkdf2-sha256$ROUNDS$SALT$HASH` (hex). The
/// passcode itself is never written anywhere.
struct ConsolePasscode: Sendable, Equatable {
    /// swift-crypto's floor for PBKDF2 rounds (OWASP's figure for PBKDF2-HMAC-SHA256).
    static let rounds = 210_000
    static let scheme = "pbkdf2-sha256"

    let rounds: Int
    let salt: [UInt8]
    let hash: [UInt8]

    static func path(forJournal journal: String) -> String { journal + ".console-passcode" }

    /// A new salted hash of `passcode`.
    static func hashing(_ passcode: String) throws -> ConsolePasscode {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = rng.next() }
        return ConsolePasscode(rounds: rounds, salt: salt, hash: try derive(passcode, salt: salt, rounds: rounds))
    }

    private static func derive(_ passcode: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(passcode.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, rounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Whether `passcode` is the one hashed here, compared in constant time.
    func matches(_ passcode: String) -> Bool {
        guard let candidate = try? Self.derive(passcode, salt: salt, rounds: rounds), candidate.count == hash.count else { return false }
        var difference: UInt8 = 0
        for i in hash.indices { difference |= candidate[i] ^ hash[i] }
        return difference == 0
    }

    var text: String { "\(Self.scheme)$\(rounds)$\(Self.hex(salt))$\(Self.hex(hash))\n" }

    /// Reads the stored passcode; nil when none is set, an error when the file is unreadable.
    static func load(forJournal journal: String) throws -> ConsolePasscode? {
        let file = path(forJournal: journal)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("cannot read the console passcode (\(file)): permission denied. Run as the journal's owner")
        }
        let parts = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "$").map(String.init)
        guard parts.count == 4, parts[0] == scheme, let rounds = Int(parts[1]), rounds >= 100_000,
              let salt = unhex(parts[2]), let hash = unhex(parts[3]), !salt.isEmpty, hash.count == 32 else {
            throw CLIError("unreadable console passcode (\(file)): it is not a \(scheme) record. Set it again with `stipple console passcode set`")
        }
        return ConsolePasscode(rounds: rounds, salt: salt, hash: hash)
    }

    /// Stores it atomically with mode 0600.
    func store(forJournal journal: String) throws {
        try AtomicFileWriter.store(text, at: Self.path(forJournal: journal))
    }

    private static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private static func unhex(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2)
            guard let b = UInt8(text[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }
}
