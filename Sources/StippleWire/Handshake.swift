/// What the host learns about a device at identify.
public struct DeviceIdentity: Sendable, Hashable {
    public var firmwareVersion: UInt32
    public var serial: UInt64
    public var tickHertz: UInt32
    public var maxWindow: Int

    /// `major.minor.patch` from the packed version.
    public var firmwareVersionText: String {
        "\(firmwareVersion >> 16).\((firmwareVersion >> 8) & 0xFF).\(firmwareVersion & 0xFF)"
    }
}

/// Why the host refuses to run with a device (Firmware-Protocol/README.md section 5).
public enum HandshakeError: Error, Sendable, Hashable, CustomStringConvertible {
    case protocolVersion(device: UInt16, host: UInt16)
    case tableHash(device: UInt32, host: UInt32)
    case nonce(expected: UInt32, received: UInt32)
    case tickRate(UInt32)
    case window(UInt8)

    public var description: String {
        switch self {
        case .protocolVersion(let d, let h):
            "firmware speaks protocol version \(d), this host speaks \(h): update the host or flash firmware for protocol \(h)"
        case .tableHash(let d, let h):
            "firmware was built from message table 0x\(hex(d)), this host from 0x\(hex(h)): they were built from different Firmware-Protocol/messages.toml; flash firmware built from this host's table, or run the host that matches the firmware"
        case .nonce(let e, let r):
            "identify reply carries nonce 0x\(hex(r)), not this host's 0x\(hex(e)): another host may be talking to the machine; close it and reconnect"
        case .tickRate(let t):
            "firmware reports a clock of \(t) ticks/s; at least 1000 is needed to time heartbeats: the firmware is faulty"
        case .window(let w):
            "firmware reports a send window of \(w); 1-32 is allowed: the firmware is faulty"
        }
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}

/// The identify exchange: the host's request and its verdict on the reply.
public enum Handshake {
    public static func request(nonce: UInt32) -> Message {
        .identify(protocolVersion: MessageTable.protocolVersion, tableHash: MessageTable.tableHash, nonce: nonce)
    }

    /// Accepts the device only if it speaks this protocol version, from the same message table,
    /// answering this host's nonce, with sane clock and window figures.
    public static func check(_ reply: IdentifyReply, nonce: UInt32) -> Result<DeviceIdentity, HandshakeError> {
        if reply.protocolVersion != MessageTable.protocolVersion {
            return .failure(.protocolVersion(device: reply.protocolVersion, host: MessageTable.protocolVersion))
        }
        if reply.tableHash != MessageTable.tableHash {
            return .failure(.tableHash(device: reply.tableHash, host: MessageTable.tableHash))
        }
        if reply.nonce != nonce { return .failure(.nonce(expected: nonce, received: reply.nonce)) }
        if reply.tickHertz < 1000 { return .failure(.tickRate(reply.tickHertz)) }
        if !(1...32).contains(reply.maxWindow) { return .failure(.window(reply.maxWindow)) }
        return .success(DeviceIdentity(firmwareVersion: reply.firmwareVersion, serial: reply.serial,
                                       tickHertz: reply.tickHertz, maxWindow: Int(reply.maxWindow)))
    }
}
