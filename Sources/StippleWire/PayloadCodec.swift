/// Why a payload could not be turned into a message, or a message into a payload.
public enum MessageError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case unknownMessage(id: UInt8)
    case wrongLength(id: UInt8, expected: Int, actual: Int)
    case textTooLong(id: UInt8, maximum: Int, actual: Int)
    case invalidText(id: UInt8)
    case bufferTooSmall(needed: Int, available: Int)

    public var description: String {
        switch self {
        case .empty: "empty payload"
        case .unknownMessage(let id): "unknown message id 0x\(String(id, radix: 16))"
        case .wrongLength(let id, let e, let a): "message 0x\(String(id, radix: 16)) has \(a) payload bytes, expected \(e)"
        case .textTooLong(let id, let m, let a): "message 0x\(String(id, radix: 16)) text is \(a) bytes, at most \(m)"
        case .invalidText(let id): "message 0x\(String(id, radix: 16)) text is not UTF-8"
        case .bufferTooSmall(let n, let a): "buffer of \(a) bytes cannot hold \(n)"
        }
    }
}

/// Writes little-endian fields into a caller's buffer; records overflow instead of trapping.
struct PayloadWriter {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0
    var overflow = false

    @inline(__always) mutating func put<T: FixedWidthInteger>(_ value: T) {
        let n = MemoryLayout<T>.size
        guard count + n <= buffer.count else { overflow = true; count += n; return }
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { src in
            for i in 0..<n { buffer[count + i] = src[i] }
        }
        count += n
    }

    mutating func putText(_ text: String, maximum: Int) -> Bool {
        let utf8 = text.utf8
        guard utf8.count <= maximum else { return false }
        put(UInt8(utf8.count))
        for b in utf8 {
            if count < buffer.count { buffer[count] = b } else { overflow = true }
            count += 1
        }
        return true
    }
}

/// Reads little-endian fields; the caller has checked the length first.
struct PayloadReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 1

    @inline(__always) mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
        let v = LittleEndian.load(T.self, from: buffer, at: offset)
        offset += MemoryLayout<T>.size
        return v
    }
}

extension Message {
    /// Writes the id byte and fields into `buffer`; returns the payload length.
    public func encode(into buffer: UnsafeMutableRawBufferPointer) throws(MessageError) -> Int {
        var w = PayloadWriter(buffer: buffer)
        w.put(id)
        switch self {
        case .identify(let v, let h, let n):
            w.put(v); w.put(h); w.put(n)
        case .identifyReply(let r):
            w.put(r.protocolVersion); w.put(r.tableHash); w.put(r.nonce); w.put(r.firmwareVersion)
            w.put(r.serial); w.put(r.tickHertz); w.put(r.maxWindow)
        case .getConfig, .arm, .disarm, .start, .stop, .retract, .estop, .readCalibration, .getCartridge:
            break
        case .setConfig(let c), .config(let c):
            w.put(c.depthMinMicrometres); w.put(c.depthMaxMicrometres); w.put(c.rateMinMillihertz)
            w.put(c.rateMaxMillihertz); w.put(c.depthSlewMicrometresPerSecond)
            w.put(c.heartbeatDeadlineMilliseconds); w.put(c.telemetryHertz)
        case .setStrokeRate(let r, let ramp):
            w.put(r); w.put(ramp)
        case .setDepth(let d, let s):
            w.put(d); w.put(s)
        case .heartbeat(let c):
            w.put(c)
        case .resetFault(let c):
            w.put(c)
        case .writeCalibration(let c), .calibration(let c):
            w.put(c.offsetMicrometres); w.put(c.scalePPM); w.put(c.quadraticPPM)
            w.put(c.cartridgeOffsetMicrometres); w.put(c.expiresUnixSeconds)
        case .cartridgeInfo(let id, let lot, let uses, let present):
            w.put(id); w.put(lot); w.put(uses); w.put(present)
        case .telemetry(let t):
            w.put(t.deviceTicks); w.put(t.rateMillihertz); w.put(t.depthMicrometres)
            w.put(t.motorCurrentMilliamperes); w.put(t.strokeCount); w.put(t.stateFlags)
        case .faultReport(let ticks, let code, let detail):
            w.put(ticks); w.put(code); w.put(detail)
        case .logMessage(let level, let text):
            w.put(level)
            guard w.putText(text, maximum: 48) else {
                throw .textTooLong(id: id, maximum: 48, actual: text.utf8.count)
            }
        case .clockRequest(let n):
            w.put(n)
        case .clockReply(let n, let ticks):
            w.put(n); w.put(ticks)
        case .commandResult(let cmd, let status, let detail):
            w.put(cmd); w.put(status); w.put(detail)
        }
        if w.overflow || w.count > FrameFormat.maximumPayload {
            throw .bufferTooSmall(needed: w.count, available: min(buffer.count, FrameFormat.maximumPayload))
        }
        return w.count
    }

    /// Checks a payload's length against the table: nil if it is well-formed.
    public static func check(_ payload: UnsafeRawBufferPointer) -> MessageError? {
        guard let id = payload.first else { return .empty }
        let fixed = MessageTable.payloadLengthByID[Int(id)]
        if fixed >= 0 {
            return payload.count == Int(fixed) ? nil : .wrongLength(id: id, expected: Int(fixed), actual: payload.count)
        }
        guard let d = MessageTable.descriptor(id: id) else { return .unknownMessage(id: id) }
        // A trailing str: fixed part, count byte, then count bytes.
        let head = 1 + d.fixedSize
        guard payload.count >= head else { return .wrongLength(id: id, expected: head, actual: payload.count) }
        let n = Int(payload[head - 1])
        let maxLength = d.fields.last?.maxLength ?? 0
        if n > maxLength { return .textTooLong(id: id, maximum: maxLength, actual: n) }
        if payload.count != head + n { return .wrongLength(id: id, expected: head + n, actual: payload.count) }
        return nil
    }

    /// Decodes a payload (id byte first).
    public static func decode(_ payload: UnsafeRawBufferPointer) -> Result<Message, MessageError> {
        if let problem = check(payload) { return .failure(problem) }
        var r = PayloadReader(buffer: payload)
        let m: Message
        switch payload[0] {
        case 0x01: m = .identify(protocolVersion: r.get(), tableHash: r.get(), nonce: r.get())
        case 0x02:
            m = .identifyReply(IdentifyReply(protocolVersion: r.get(), tableHash: r.get(), nonce: r.get(),
                                             firmwareVersion: r.get(), serial: r.get(), tickHertz: r.get(), maxWindow: r.get()))
        case 0x03: m = .getConfig
        case 0x04: m = .setConfig(readConfig(&r))
        case 0x05: m = .config(readConfig(&r))
        case 0x06: m = .arm
        case 0x07: m = .disarm
        case 0x08: m = .setStrokeRate(rateMillihertz: r.get(), rampMilliseconds: r.get())
        case 0x09: m = .setDepth(depthMicrometres: r.get(), slewMicrometresPerSecond: r.get())
        case 0x0A: m = .start
        case 0x0B: m = .stop
        case 0x0C: m = .retract
        case 0x0D: m = .heartbeat(counter: r.get())
        case 0x0E: m = .estop
        case 0x0F: m = .resetFault(code: r.get())
        case 0x10: m = .readCalibration
        case 0x11: m = .writeCalibration(readCalibration(&r))
        case 0x12: m = .calibration(readCalibration(&r))
        case 0x13: m = .getCartridge
        case 0x14: m = .cartridgeInfo(cartridgeID: r.get(), lot: r.get(), useCount: r.get(), present: r.get())
        case 0x15:
            m = .telemetry(Telemetry(deviceTicks: r.get(), rateMillihertz: r.get(), depthMicrometres: r.get(),
                                     motorCurrentMilliamperes: r.get(), strokeCount: r.get(), stateFlags: r.get()))
        case 0x16: m = .faultReport(deviceTicks: r.get(), code: r.get(), detail: r.get())
        case 0x17:
            let level: UInt8 = r.get()
            let n = Int(r.get(UInt8.self))
            let bytes = UnsafeRawBufferPointer(rebasing: payload[r.offset..<(r.offset + n)])
            guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.invalidText(id: 0x17)) }
            m = .logMessage(level: level, text: text)
        case 0x18: m = .clockRequest(nonce: r.get())
        case 0x19: m = .clockReply(nonce: r.get(), deviceTicks: r.get())
        case 0x1A: m = .commandResult(commandID: r.get(), status: r.get(), detail: r.get())
        default: return .failure(.unknownMessage(id: payload[0]))
        }
        return .success(m)
    }

    private static func readConfig(_ r: inout PayloadReader) -> DeviceConfig {
        DeviceConfig(depthMinMicrometres: r.get(), depthMaxMicrometres: r.get(), rateMinMillihertz: r.get(),
                     rateMaxMillihertz: r.get(), depthSlewMicrometresPerSecond: r.get(),
                     heartbeatDeadlineMilliseconds: r.get(), telemetryHertz: r.get())
    }

    private static func readCalibration(_ r: inout PayloadReader) -> DeviceCalibration {
        DeviceCalibration(offsetMicrometres: r.get(), scalePPM: r.get(), quadraticPPM: r.get(),
                          cartridgeOffsetMicrometres: r.get(), expiresUnixSeconds: r.get())
    }
}
