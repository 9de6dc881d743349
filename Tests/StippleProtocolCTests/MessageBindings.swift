// Per-message glue between the vectors' field dictionaries and the C codec's sp_<name>
// structs and sp_pack_<name> / sp_unpack_<name> functions, one entry per line of messages.toml.
// (The table-conformance test checks that this list and the C table name the same messages.)
import StippleProtocolC

struct MessageBinding: Sendable {
    /// Fills sp_<name> from the fields, then sp_pack_<name> into the buffer; the payload bytes.
    let pack: @Sendable (Fields) throws -> [UInt8]
    /// sp_unpack_<name>; the fields, or nil if it refused the payload.
    let unpack: @Sendable ([UInt8]) -> [String: FieldValue]?
}

let messageBindings: [String: MessageBinding] = [
    "identify": MessageBinding(
        pack: { f in
            var m = sp_identify()
            m.protocol_version = try f.integer("protocol_version")
            m.table_hash = try f.integer("table_hash")
            m.nonce = try f.integer("nonce")
            return try packed { sp_pack_identify($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_identify()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_identify($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "protocol_version": FieldValue(m.protocol_version),
                "table_hash": FieldValue(m.table_hash),
                "nonce": FieldValue(m.nonce),
            ]
        }
    ),
    "identify_reply": MessageBinding(
        pack: { f in
            var m = sp_identify_reply()
            m.protocol_version = try f.integer("protocol_version")
            m.table_hash = try f.integer("table_hash")
            m.nonce = try f.integer("nonce")
            m.firmware_version = try f.integer("firmware_version")
            m.serial = try f.integer("serial")
            m.tick_hz = try f.integer("tick_hz")
            m.max_window = try f.integer("max_window")
            return try packed { sp_pack_identify_reply($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_identify_reply()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_identify_reply($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "protocol_version": FieldValue(m.protocol_version),
                "table_hash": FieldValue(m.table_hash),
                "nonce": FieldValue(m.nonce),
                "firmware_version": FieldValue(m.firmware_version),
                "serial": FieldValue(m.serial),
                "tick_hz": FieldValue(m.tick_hz),
                "max_window": FieldValue(m.max_window),
            ]
        }
    ),
    "get_config": MessageBinding(
        pack: { _ in
            var m = sp_get_config()
            return try packed { sp_pack_get_config($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_get_config()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_get_config($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "set_config": MessageBinding(
        pack: { f in
            var m = sp_set_config()
            m.depth_min_um = try f.integer("depth_min_um")
            m.depth_max_um = try f.integer("depth_max_um")
            m.rate_min_mhz = try f.integer("rate_min_mhz")
            m.rate_max_mhz = try f.integer("rate_max_mhz")
            m.depth_slew_um_per_s = try f.integer("depth_slew_um_per_s")
            m.heartbeat_deadline_ms = try f.integer("heartbeat_deadline_ms")
            m.telemetry_hz = try f.integer("telemetry_hz")
            return try packed { sp_pack_set_config($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_set_config()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_set_config($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "depth_min_um": FieldValue(m.depth_min_um),
                "depth_max_um": FieldValue(m.depth_max_um),
                "rate_min_mhz": FieldValue(m.rate_min_mhz),
                "rate_max_mhz": FieldValue(m.rate_max_mhz),
                "depth_slew_um_per_s": FieldValue(m.depth_slew_um_per_s),
                "heartbeat_deadline_ms": FieldValue(m.heartbeat_deadline_ms),
                "telemetry_hz": FieldValue(m.telemetry_hz),
            ]
        }
    ),
    "config": MessageBinding(
        pack: { f in
            var m = sp_config()
            m.depth_min_um = try f.integer("depth_min_um")
            m.depth_max_um = try f.integer("depth_max_um")
            m.rate_min_mhz = try f.integer("rate_min_mhz")
            m.rate_max_mhz = try f.integer("rate_max_mhz")
            m.depth_slew_um_per_s = try f.integer("depth_slew_um_per_s")
            m.heartbeat_deadline_ms = try f.integer("heartbeat_deadline_ms")
            m.telemetry_hz = try f.integer("telemetry_hz")
            return try packed { sp_pack_config($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_config()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_config($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "depth_min_um": FieldValue(m.depth_min_um),
                "depth_max_um": FieldValue(m.depth_max_um),
                "rate_min_mhz": FieldValue(m.rate_min_mhz),
                "rate_max_mhz": FieldValue(m.rate_max_mhz),
                "depth_slew_um_per_s": FieldValue(m.depth_slew_um_per_s),
                "heartbeat_deadline_ms": FieldValue(m.heartbeat_deadline_ms),
                "telemetry_hz": FieldValue(m.telemetry_hz),
            ]
        }
    ),
    "arm": MessageBinding(
        pack: { _ in
            var m = sp_arm()
            return try packed { sp_pack_arm($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_arm()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_arm($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "disarm": MessageBinding(
        pack: { _ in
            var m = sp_disarm()
            return try packed { sp_pack_disarm($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_disarm()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_disarm($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "set_stroke_rate": MessageBinding(
        pack: { f in
            var m = sp_set_stroke_rate()
            m.rate_mhz = try f.integer("rate_mhz")
            m.ramp_ms = try f.integer("ramp_ms")
            return try packed { sp_pack_set_stroke_rate($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_set_stroke_rate()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_set_stroke_rate($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "rate_mhz": FieldValue(m.rate_mhz),
                "ramp_ms": FieldValue(m.ramp_ms),
            ]
        }
    ),
    "set_depth": MessageBinding(
        pack: { f in
            var m = sp_set_depth()
            m.depth_um = try f.integer("depth_um")
            m.slew_um_per_s = try f.integer("slew_um_per_s")
            return try packed { sp_pack_set_depth($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_set_depth()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_set_depth($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "depth_um": FieldValue(m.depth_um),
                "slew_um_per_s": FieldValue(m.slew_um_per_s),
            ]
        }
    ),
    "start": MessageBinding(
        pack: { _ in
            var m = sp_start()
            return try packed { sp_pack_start($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_start()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_start($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "stop": MessageBinding(
        pack: { _ in
            var m = sp_stop()
            return try packed { sp_pack_stop($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_stop()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_stop($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "retract": MessageBinding(
        pack: { _ in
            var m = sp_retract()
            return try packed { sp_pack_retract($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_retract()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_retract($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "heartbeat": MessageBinding(
        pack: { f in
            var m = sp_heartbeat()
            m.counter = try f.integer("counter")
            return try packed { sp_pack_heartbeat($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_heartbeat()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_heartbeat($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "counter": FieldValue(m.counter),
            ]
        }
    ),
    "estop": MessageBinding(
        pack: { _ in
            var m = sp_estop()
            return try packed { sp_pack_estop($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_estop()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_estop($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "reset_fault": MessageBinding(
        pack: { f in
            var m = sp_reset_fault()
            m.code = try f.integer("code")
            return try packed { sp_pack_reset_fault($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_reset_fault()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_reset_fault($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "code": FieldValue(m.code),
            ]
        }
    ),
    "read_calibration": MessageBinding(
        pack: { _ in
            var m = sp_read_calibration()
            return try packed { sp_pack_read_calibration($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_read_calibration()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_read_calibration($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "write_calibration": MessageBinding(
        pack: { f in
            var m = sp_write_calibration()
            m.offset_um = try f.integer("offset_um")
            m.scale_ppm = try f.integer("scale_ppm")
            m.quadratic_ppm = try f.integer("quadratic_ppm")
            m.cartridge_offset_um = try f.integer("cartridge_offset_um")
            m.expires_unix_s = try f.integer("expires_unix_s")
            return try packed { sp_pack_write_calibration($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_write_calibration()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_write_calibration($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "offset_um": FieldValue(m.offset_um),
                "scale_ppm": FieldValue(m.scale_ppm),
                "quadratic_ppm": FieldValue(m.quadratic_ppm),
                "cartridge_offset_um": FieldValue(m.cartridge_offset_um),
                "expires_unix_s": FieldValue(m.expires_unix_s),
            ]
        }
    ),
    "calibration": MessageBinding(
        pack: { f in
            var m = sp_calibration()
            m.offset_um = try f.integer("offset_um")
            m.scale_ppm = try f.integer("scale_ppm")
            m.quadratic_ppm = try f.integer("quadratic_ppm")
            m.cartridge_offset_um = try f.integer("cartridge_offset_um")
            m.expires_unix_s = try f.integer("expires_unix_s")
            return try packed { sp_pack_calibration($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_calibration()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_calibration($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "offset_um": FieldValue(m.offset_um),
                "scale_ppm": FieldValue(m.scale_ppm),
                "quadratic_ppm": FieldValue(m.quadratic_ppm),
                "cartridge_offset_um": FieldValue(m.cartridge_offset_um),
                "expires_unix_s": FieldValue(m.expires_unix_s),
            ]
        }
    ),
    "get_cartridge": MessageBinding(
        pack: { _ in
            var m = sp_get_cartridge()
            return try packed { sp_pack_get_cartridge($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_get_cartridge()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_get_cartridge($0.baseAddress, $0.count, &m) }) else { return nil }
            return [:]
        }
    ),
    "cartridge_info": MessageBinding(
        pack: { f in
            var m = sp_cartridge_info()
            m.cartridge_id = try f.integer("cartridge_id")
            m.lot = try f.integer("lot")
            m.use_count = try f.integer("use_count")
            m.present = try f.integer("present")
            return try packed { sp_pack_cartridge_info($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_cartridge_info()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_cartridge_info($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "cartridge_id": FieldValue(m.cartridge_id),
                "lot": FieldValue(m.lot),
                "use_count": FieldValue(m.use_count),
                "present": FieldValue(m.present),
            ]
        }
    ),
    "telemetry": MessageBinding(
        pack: { f in
            var m = sp_telemetry()
            m.device_ticks = try f.integer("device_ticks")
            m.rate_mhz = try f.integer("rate_mhz")
            m.depth_um = try f.integer("depth_um")
            m.motor_current_ma = try f.integer("motor_current_ma")
            m.stroke_count = try f.integer("stroke_count")
            m.state_flags = try f.integer("state_flags")
            return try packed { sp_pack_telemetry($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_telemetry()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_telemetry($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "device_ticks": FieldValue(m.device_ticks),
                "rate_mhz": FieldValue(m.rate_mhz),
                "depth_um": FieldValue(m.depth_um),
                "motor_current_ma": FieldValue(m.motor_current_ma),
                "stroke_count": FieldValue(m.stroke_count),
                "state_flags": FieldValue(m.state_flags),
            ]
        }
    ),
    "fault_report": MessageBinding(
        pack: { f in
            var m = sp_fault_report()
            m.device_ticks = try f.integer("device_ticks")
            m.code = try f.integer("code")
            m.detail = try f.integer("detail")
            return try packed { sp_pack_fault_report($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_fault_report()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_fault_report($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "device_ticks": FieldValue(m.device_ticks),
                "code": FieldValue(m.code),
                "detail": FieldValue(m.detail),
            ]
        }
    ),
    "log_message": MessageBinding(
        pack: { f in
            var m = sp_log_message()
            m.level = try f.integer("level")
            try f.text("text", into: &m.text, count: &m.text_len)
            return try packed { sp_pack_log_message($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_log_message()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_log_message($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "level": FieldValue(m.level),
                "text": .text(textOf(m.text, count: m.text_len)),
            ]
        }
    ),
    "clock_request": MessageBinding(
        pack: { f in
            var m = sp_clock_request()
            m.nonce = try f.integer("nonce")
            return try packed { sp_pack_clock_request($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_clock_request()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_clock_request($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "nonce": FieldValue(m.nonce),
            ]
        }
    ),
    "clock_reply": MessageBinding(
        pack: { f in
            var m = sp_clock_reply()
            m.nonce = try f.integer("nonce")
            m.device_ticks = try f.integer("device_ticks")
            return try packed { sp_pack_clock_reply($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_clock_reply()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_clock_reply($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "nonce": FieldValue(m.nonce),
                "device_ticks": FieldValue(m.device_ticks),
            ]
        }
    ),
    "command_result": MessageBinding(
        pack: { f in
            var m = sp_command_result()
            m.command_id = try f.integer("command_id")
            m.status = try f.integer("status")
            m.detail = try f.integer("detail")
            return try packed { sp_pack_command_result($0, $1, &m) }
        },
        unpack: { bytes in
            var m = sp_command_result()
            guard bytes.withUnsafeBufferPointer({ sp_unpack_command_result($0.baseAddress, $0.count, &m) }) else { return nil }
            return [
                "command_id": FieldValue(m.command_id),
                "status": FieldValue(m.status),
                "detail": FieldValue(m.detail),
            ]
        }
    ),
]
