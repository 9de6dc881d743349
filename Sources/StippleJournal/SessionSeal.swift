/// A session's seal: the machine's Ed25519 signature over the session's closing facts and the
/// ledger head just before the closure row, so it covers every record journaled up to then.
///
/// Signed message (`\n` is 0x0A):
/// ```
/// stipple-seal-v1\n
/// session=<id>\n
/// status=<completed|interrupted>\n
/// ended=<ended UTC, journal format>\n
/// passes=<zone passes in the session>\n
/// head_seq=<ledger seq>\n
/// head_hash=<ledger hash at head_seq>\n
/// ```
public struct SessionSeal: Sendable, Hashable {
    public var sessionID: Int64
    public var status: SessionStatus
    public var endedAt: UTCTimestamp
    public var passes: Int
    public var headSeq: Int64
    public var headHash: String
    /// Raw Ed25519 public key, 64 hex digits.
    public var publicKey: String
    /// Ed25519 signature, 128 hex digits.
    public var signature: String

    public init(sessionID: Int64, status: SessionStatus, endedAt: UTCTimestamp, passes: Int, headSeq: Int64,
                headHash: String, publicKey: String, signature: String) {
        self.sessionID = sessionID
        self.status = status
        self.endedAt = endedAt
        self.passes = passes
        self.headSeq = headSeq
        self.headHash = headHash
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The bytes the signature covers.
    public var signedMessage: [UInt8] {
        Array(("stipple-seal-v1\nsession=\(sessionID)\nstatus=\(status.rawValue)\nended=\(endedAt.iso8601)\n"
            + "passes=\(passes)\nhead_seq=\(headSeq)\nhead_hash=\(headHash)\n").utf8)
    }

    /// Whether the signature is valid for `publicKey` (does not say whether the key is trusted).
    public var isSignatureValid: Bool {
        MachineSigningKey.isValid(signatureHex: signature, of: signedMessage, publicKeyHex: publicKey)
    }
}
