import StippleWire

/// Where the session is in bringing up the link (Firmware-Protocol/README.md section 5).
public enum ConnectionPhase: Sendable, Equatable {
    case identifying(nonce: UInt32, since: UInt64)
    case configuring(since: UInt64)
    case ready(DeviceIdentity)
    case failed(ConnectionFailure)

    public var isReady: Bool { if case .ready = self { true } else { false } }
}

/// Why the session could not bring the machine up.
public enum ConnectionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case handshake(HandshakeError)
    case configMismatch(sent: DeviceConfig, received: DeviceConfig)
    case noAnswer(phase: String, milliseconds: UInt64)
    case linkDown

    public var description: String {
        switch self {
        case .handshake(let e): "machine refused at identify: \(e)"
        case .configMismatch(let sent, let got):
            "machine did not take the limits: sent \(sent), it reports \(got); check the firmware"
        case .noAnswer(let phase, let ms): "machine did not answer \(phase) within \(ms) ms: check the cable and that it is powered"
        case .linkDown: "link to the machine went down while connecting"
        }
    }
}
