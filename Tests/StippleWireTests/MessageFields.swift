import StippleWire

/// Test-side mapping between typed messages and the table's field names, so vectors (which name
/// fields) can check that each typed field lands at the right place on the wire.
extension Message {
    var namedFields: [String: WireValue] {
        func u<T: BinaryInteger>(_ v: T) -> WireValue { .unsigned(UInt64(v)) }
        func s<T: BinaryInteger>(_ v: T) -> WireValue { v < 0 ? .signed(Int64(v)) : .unsigned(UInt64(v)) }
        switch self {
        case .identify(let v, let h, let n): return ["protocol_version": u(v), "table_hash": u(h), "nonce": u(n)]
        case .identifyReply(let r):
            return ["protocol_version": u(r.protocolVersion), "table_hash": u(r.tableHash), "nonce": u(r.nonce),
                    "firmware_version": u(r.firmwareVersion), "serial": u(r.serial), "tick_hz": u(r.tickHertz),
                    "max_window": u(r.maxWindow)]
        case .getConfig, .arm, .disarm, .start, .stop, .retract, .estop, .readCalibration, .getCartridge: return [:]
        case .setConfig(let c), .config(let c):
            return ["depth_min_um": u(c.depthMinMicrometres), "depth_max_um": u(c.depthMaxMicrometres),
                    "rate_min_mhz": u(c.rateMinMillihertz), "rate_max_mhz": u(c.rateMaxMillihertz),
                    "depth_slew_um_per_s": u(c.depthSlewMicrometresPerSecond),
                    "heartbeat_deadline_ms": u(c.heartbeatDeadlineMilliseconds), "telemetry_hz": u(c.telemetryHertz)]
        case .setStrokeRate(let r, let ramp): return ["rate_mhz": u(r), "ramp_ms": u(ramp)]
        case .setDepth(let d, let sl): return ["depth_um": u(d), "slew_um_per_s": u(sl)]
        case .heartbeat(let c): return ["counter": u(c)]
        case .resetFault(let c): return ["code": u(c)]
        case .writeCalibration(let c), .calibration(let c):
            return ["offset_um": s(c.offsetMicrometres), "scale_ppm": u(c.scalePPM), "quadratic_ppm": s(c.quadraticPPM),
                    "cartridge_offset_um": s(c.cartridgeOffsetMicrometres), "expires_unix_s": u(c.expiresUnixSeconds)]
        case .cartridgeInfo(let id, let lot, let uses, let present):
            return ["cartridge_id": u(id), "lot": u(lot), "use_count": u(uses), "present": u(present)]
        case .telemetry(let t):
            return ["device_ticks": u(t.deviceTicks), "rate_mhz": u(t.rateMillihertz), "depth_um": s(t.depthMicrometres),
                    "motor_current_ma": u(t.motorCurrentMilliamperes), "stroke_count": u(t.strokeCount),
                    "state_flags": u(t.stateFlags)]
        case .faultReport(let ticks, let code, let detail):
            return ["device_ticks": u(ticks), "code": u(code), "detail": s(detail)]
        case .logMessage(let level, let text): return ["level": u(level), "text": .text(text)]
        case .clockRequest(let n): return ["nonce": u(n)]
        case .clockReply(let n, let ticks): return ["nonce": u(n), "device_ticks": u(ticks)]
        case .commandResult(let cmd, let status, let detail):
            return ["command_id": u(cmd), "status": u(status), "detail": s(detail)]
        }
    }
}
