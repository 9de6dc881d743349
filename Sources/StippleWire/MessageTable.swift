/// How a message travels.
public enum WireDirection: String, Sendable, Hashable {
    case hostToDevice = "h2d"
    case deviceToHost = "d2h"
}

/// One message as the table declares it.
public struct MessageDescriptor: Sendable, Hashable {
    public var id: UInt8
    public var name: String
    public var direction: WireDirection
    public var fields: [WireField]

    /// Payload size without the id byte; for a trailing `str`, its count byte only.
    public var fixedSize: Int { fields.reduce(0) { $0 + $1.type.size } }

    /// Name, then ` type name` per field (and ` max_len` after a `str`): what CRC_EXTRA and the
    /// table hash are computed over (Firmware-Protocol/README.md section 4).
    public var canonicalLine: String {
        var s = name
        for f in fields {
            s += " \(f.type.rawValue) \(f.name)"
            if f.type == .str { s += " \(f.maxLength)" }
        }
        return s
    }

    /// MAVLink-style CRC_EXTRA: folded into every frame's CRC so a peer with a different layout
    /// for this message rejects it instead of misreading it.
    public var crcExtra: UInt8 {
        let c = CRC16.checksum(Array(canonicalLine.utf8))
        return UInt8(c & 0xFF) ^ UInt8(c >> 8)
    }
}

/// The Swift side's copy of `Firmware-Protocol/messages.toml`. A test compares the two field by
/// field, and the golden vectors (generated from the TOML by an independent tool) check the codec.
public enum MessageTable {
    public static let protocolVersion: UInt16 = 1

    public static let messages: [MessageDescriptor] = [
        .init(id: 0x01, name: "identify", direction: .hostToDevice,
              fields: [.init(.u16, "protocol_version"), .init(.u32, "table_hash"), .init(.u32, "nonce")]),
        .init(id: 0x02, name: "identify_reply", direction: .deviceToHost,
              fields: [.init(.u16, "protocol_version"), .init(.u32, "table_hash"), .init(.u32, "nonce"),
                       .init(.u32, "firmware_version"), .init(.u64, "serial"), .init(.u32, "tick_hz"), .init(.u8, "max_window")]),
        .init(id: 0x03, name: "get_config", direction: .hostToDevice, fields: []),
        .init(id: 0x04, name: "set_config", direction: .hostToDevice, fields: configFields),
        .init(id: 0x05, name: "config", direction: .deviceToHost, fields: configFields),
        .init(id: 0x06, name: "arm", direction: .hostToDevice, fields: []),
        .init(id: 0x07, name: "disarm", direction: .hostToDevice, fields: []),
        .init(id: 0x08, name: "set_stroke_rate", direction: .hostToDevice,
              fields: [.init(.u32, "rate_mhz"), .init(.u16, "ramp_ms")]),
        .init(id: 0x09, name: "set_depth", direction: .hostToDevice,
              fields: [.init(.u32, "depth_um"), .init(.u32, "slew_um_per_s")]),
        .init(id: 0x0A, name: "start", direction: .hostToDevice, fields: []),
        .init(id: 0x0B, name: "stop", direction: .hostToDevice, fields: []),
        .init(id: 0x0C, name: "retract", direction: .hostToDevice, fields: []),
        .init(id: 0x0D, name: "heartbeat", direction: .hostToDevice, fields: [.init(.u32, "counter")]),
        .init(id: 0x0E, name: "estop", direction: .hostToDevice, fields: []),
        .init(id: 0x0F, name: "reset_fault", direction: .hostToDevice, fields: [.init(.u16, "code")]),
        .init(id: 0x10, name: "read_calibration", direction: .hostToDevice, fields: []),
        .init(id: 0x11, name: "write_calibration", direction: .hostToDevice, fields: calibrationFields),
        .init(id: 0x12, name: "calibration", direction: .deviceToHost, fields: calibrationFields),
        .init(id: 0x13, name: "get_cartridge", direction: .hostToDevice, fields: []),
        .init(id: 0x14, name: "cartridge_info", direction: .deviceToHost,
              fields: [.init(.u64, "cartridge_id"), .init(.u32, "lot"), .init(.u16, "use_count"), .init(.u8, "present")]),
        .init(id: 0x15, name: "telemetry", direction: .deviceToHost,
              fields: [.init(.u64, "device_ticks"), .init(.u32, "rate_mhz"), .init(.i32, "depth_um"),
                       .init(.u16, "motor_current_ma"), .init(.u32, "stroke_count"), .init(.u16, "state_flags")]),
        .init(id: 0x16, name: "fault_report", direction: .deviceToHost,
              fields: [.init(.u64, "device_ticks"), .init(.u16, "code"), .init(.i32, "detail")]),
        .init(id: 0x17, name: "log_message", direction: .deviceToHost,
              fields: [.init(.u8, "level"), .init(.str, "text", maxLength: 48)]),
        .init(id: 0x18, name: "clock_request", direction: .hostToDevice, fields: [.init(.u32, "nonce")]),
        .init(id: 0x19, name: "clock_reply", direction: .deviceToHost,
              fields: [.init(.u32, "nonce"), .init(.u64, "device_ticks")]),
        .init(id: 0x1A, name: "command_result", direction: .deviceToHost,
              fields: [.init(.u8, "command_id"), .init(.u16, "status"), .init(.i32, "detail")]),
    ]

    private static let configFields: [WireField] = [
        .init(.u32, "depth_min_um"), .init(.u32, "depth_max_um"), .init(.u32, "rate_min_mhz"),
        .init(.u32, "rate_max_mhz"), .init(.u32, "depth_slew_um_per_s"), .init(.u16, "heartbeat_deadline_ms"),
        .init(.u16, "telemetry_hz"),
    ]

    private static let calibrationFields: [WireField] = [
        .init(.i32, "offset_um"), .init(.u32, "scale_ppm"), .init(.i32, "quadratic_ppm"),
        .init(.i32, "cartridge_offset_um"), .init(.u64, "expires_unix_s"),
    ]

    /// Descriptor by id, for the decoder's hot path: a 256-entry lookup, no search.
    static let byID: [MessageDescriptor?] = {
        var table = [MessageDescriptor?](repeating: nil, count: 256)
        for m in messages { table[Int(m.id)] = m }
        return table
    }()

    /// CRC_EXTRA by id, -1 for ids not in the table.
    static let crcExtraByID: [Int16] = {
        var table = [Int16](repeating: -1, count: 256)
        for m in messages { table[Int(m.id)] = Int16(m.crcExtra) }
        return table
    }()

    /// Payload length (including the id byte) of fixed-size messages, -1 for `str` messages and
    /// unknown ids.
    static let payloadLengthByID: [Int16] = {
        var table = [Int16](repeating: -1, count: 256)
        for m in messages where !m.fields.contains(where: { $0.type == .str }) {
            table[Int(m.id)] = Int16(1 + m.fixedSize)
        }
        return table
    }()

    public static func descriptor(id: UInt8) -> MessageDescriptor? { byID[Int(id)] }

    public static func descriptor(named name: String) -> MessageDescriptor? { messages.first { $0.name == name } }

    /// The text the table hash is taken over.
    public static var canonicalText: String {
        messages.sorted { $0.id < $1.id }
            .map { "\($0.id) \($0.direction.rawValue) \($0.canonicalLine)\n" }.joined()
    }

    /// CRC-32 of the canonical text: exchanged at identify so mismatched tables refuse to run.
    public static let tableHash: UInt32 = CRC32.checksum(Array(canonicalText.utf8))
}
