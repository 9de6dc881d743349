import StippleWire

/// Builds one message of each kind from arbitrary raw values, for round-trip properties.
enum SampleMessages {
    static let kinds = 26

    /// Message kind `index` (0-25) with fields taken from `v` (truncated to each field's width).
    static func make(_ index: Int, _ v: [UInt64], text: String = "") -> Message {
        func u8(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: v[i % v.count]) }
        func u16(_ i: Int) -> UInt16 { UInt16(truncatingIfNeeded: v[i % v.count]) }
        func u32(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: v[i % v.count]) }
        func i32(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: v[i % v.count]) }
        func u64(_ i: Int) -> UInt64 { v[i % v.count] }
        let config = DeviceConfig(depthMinMicrometres: u32(0), depthMaxMicrometres: u32(1), rateMinMillihertz: u32(2),
                                  rateMaxMillihertz: u32(3), depthSlewMicrometresPerSecond: u32(4),
                                  heartbeatDeadlineMilliseconds: u16(5), telemetryHertz: u16(6))
        let calibration = DeviceCalibration(offsetMicrometres: i32(0), scalePPM: u32(1), quadraticPPM: i32(2),
                                            cartridgeOffsetMicrometres: i32(3), expiresUnixSeconds: u64(4))
        switch index {
        case 0: return .identify(protocolVersion: u16(0), tableHash: u32(1), nonce: u32(2))
        case 1: return .identifyReply(IdentifyReply(protocolVersion: u16(0), tableHash: u32(1), nonce: u32(2),
                                                    firmwareVersion: u32(3), serial: u64(4), tickHertz: u32(5), maxWindow: u8(6)))
        case 2: return .getConfig
        case 3: return .setConfig(config)
        case 4: return .config(config)
        case 5: return .arm
        case 6: return .disarm
        case 7: return .setStrokeRate(rateMillihertz: u32(0), rampMilliseconds: u16(1))
        case 8: return .setDepth(depthMicrometres: u32(0), slewMicrometresPerSecond: u32(1))
        case 9: return .start
        case 10: return .stop
        case 11: return .retract
        case 12: return .heartbeat(counter: u32(0))
        case 13: return .estop
        case 14: return .resetFault(code: u16(0))
        case 15: return .readCalibration
        case 16: return .writeCalibration(calibration)
        case 17: return .calibration(calibration)
        case 18: return .getCartridge
        case 19: return .cartridgeInfo(cartridgeID: u64(0), lot: u32(1), useCount: u16(2), present: u8(3))
        case 20: return .telemetry(Telemetry(deviceTicks: u64(0), rateMillihertz: u32(1), depthMicrometres: i32(2),
                                             motorCurrentMilliamperes: u16(3), strokeCount: u32(4), stateFlags: u16(5)))
        case 21: return .faultReport(deviceTicks: u64(0), code: u16(1), detail: i32(2))
        case 22: return .logMessage(level: u8(0), text: text)
        case 23: return .clockRequest(nonce: u32(0))
        case 24: return .clockReply(nonce: u32(0), deviceTicks: u64(1))
        default: return .commandResult(commandID: u8(0), status: u16(1), detail: i32(2))
        }
    }

    static let all: [Message] = (0..<kinds).map {
        make($0, [0x0102_0304_0506_0708, 0xFFFF_FFFF_FFFF_FFFF, 42, 1 << 31, 7, 99, 500], text: "needle ok")
    }
}
