/// The compressed form of a pass's raw telemetry (`pass_telemetry.codec = "stt1"`).
///
/// Layout: the 4 bytes `STT1`, the sample count as an unsigned LEB128 varint, then per sample
/// four zigzag-LEB128 varints:
/// 1. the change of the time step in ns (second difference of the offset: a steady 1 ms loop
///    costs one byte),
/// 2. the change of the stroke rate in integer millihertz,
/// 3. the change of the depth in integer micrometres,
/// 4. the change of the motor current in milliamperes.
///
/// The firmware reports rate in mHz and depth in µm, so for telemetry that came from it the
/// round trip is exact; other values are rounded to 1 mHz and 1 µm. No dependency: telemetry is
/// smooth, so deltas are small and most fields take one byte, against 26 bytes a sample raw
/// (an 8-byte time, two doubles, a 2-byte current).
public enum TelemetryCodec {
    public static let name = "stt1"
    static let magic: [UInt8] = Array("STT1".utf8)
    /// Bytes a sample takes uncompressed, for ratios.
    public static let rawBytesPerSample = 26

    public static func encode(_ samples: [TelemetrySample]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(8 + samples.count * 5)
        putUnsigned(UInt64(samples.count), &out)
        var prevT: UInt64 = 0, prevStep: Int64 = 0, prevRate: Int64 = 0, prevDepth: Int64 = 0, prevCurrent: Int64 = 0
        for s in samples {
            let step = Int64(bitPattern: s.offsetNanoseconds &- prevT)
            let rate = fixed(s.rateHertz)
            let depth = fixed(s.depthMillimetres)
            let current = Int64(s.currentMilliamperes)
            putSigned(step &- prevStep, &out)
            putSigned(rate &- prevRate, &out)
            putSigned(depth &- prevDepth, &out)
            putSigned(current &- prevCurrent, &out)
            prevT = s.offsetNanoseconds
            prevStep = step
            prevRate = rate
            prevDepth = depth
            prevCurrent = current
        }
        return out
    }

    /// Decodes what `encode` made; fails on anything else, naming what is wrong.
    public static func decode(_ bytes: [UInt8]) throws(JournalError) -> [TelemetrySample] {
        func bad(_ why: String) -> JournalError {
            .invalidField(field: "telemetry blob", value: "\(bytes.count) bytes", reason: why)
        }
        guard bytes.count >= 5, Array(bytes[0..<4]) == magic else { throw bad("it does not start with STT1") }
        var i = 4
        guard let count = unsigned(bytes, &i), count <= UInt64(bytes.count) else { throw bad("its sample count is unreadable") }
        var samples = [TelemetrySample]()
        samples.reserveCapacity(Int(count))
        var t: UInt64 = 0, step: Int64 = 0, rate: Int64 = 0, depth: Int64 = 0, current: Int64 = 0
        for n in 0..<Int(count) {
            guard let dStep = signed(bytes, &i), let dRate = signed(bytes, &i), let dDepth = signed(bytes, &i),
                  let dCurrent = signed(bytes, &i) else { throw bad("it ends inside sample \(n) of \(count)") }
            step &+= dStep
            t &+= UInt64(bitPattern: step)
            rate &+= dRate
            depth &+= dDepth
            current &+= dCurrent
            guard let mA = UInt16(exactly: current) else { throw bad("sample \(n) has a current of \(current) mA") }
            samples.append(TelemetrySample(offsetNanoseconds: t, rateHertz: Double(rate) / 1000,
                                           depthMillimetres: Double(depth) / 1000, currentMilliamperes: mA))
        }
        guard i == bytes.count else { throw bad("\(bytes.count - i) bytes follow the last sample") }
        return samples
    }

    private static func fixed(_ v: Double) -> Int64 {
        guard v.isFinite else { return 0 }
        return Int64((v * 1000).rounded())
    }

    private static func putUnsigned(_ v0: UInt64, _ out: inout [UInt8]) {
        var v = v0
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func putSigned(_ v: Int64, _ out: inout [UInt8]) {
        putUnsigned(UInt64(bitPattern: (v << 1) ^ (v >> 63)), &out)
    }

    private static func unsigned(_ b: [UInt8], _ i: inout Int) -> UInt64? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count {
            let byte = b[i]
            i += 1
            guard shift < 64 else { return nil }
            v |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return v }
            shift += 7
        }
        return nil
    }

    private static func signed(_ b: [UInt8], _ i: inout Int) -> Int64? {
        guard let u = unsigned(b, &i) else { return nil }
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }
}
