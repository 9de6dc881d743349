import StippleJournal
import Testing

@Suite struct TelemetryCodecTests {
    /// Five seconds of a pass at 1 kHz as the firmware reports it: integer mHz and um, a
    /// jittered 1 ms step, a wobbling rate, a per-dot depth pattern.
    static func realistic(_ n: Int = 5000) -> [TelemetrySample] {
        var t: UInt64 = 0
        var out: [TelemetrySample] = []
        var seed: UInt64 = 42
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        for i in 0..<n {
            t += 1_000_000 + next() % 20_000
            let rate = 120_000 + Int(next() % 400) - 200 + (i < 200 ? -(200 - i) * 100 : 0)
            let depth = 900 + Int(next() % 80) - 40
            out.append(TelemetrySample(offsetNanoseconds: t, rateHertz: Double(rate) / 1000, depthMillimetres: Double(depth) / 1000,
                                       currentMilliamperes: UInt16(340 + next() % 30)))
        }
        return out
    }

    @Test func firmwareTelemetryRoundTripsExactly() throws {
        let samples = Self.realistic()
        #expect(try TelemetryCodec.decode(TelemetryCodec.encode(samples)) == samples)
        #expect(try TelemetryCodec.decode(TelemetryCodec.encode([])) == [])
    }

    @Test func itCompressesRealisticTelemetryAtLeastFourTimes() {
        let samples = Self.realistic()
        let bytes = TelemetryCodec.encode(samples)
        let ratio = Double(samples.count * TelemetryCodec.rawBytesPerSample) / Double(bytes.count)
        print("telemetry codec stt1: \(samples.count) samples, \(bytes.count) bytes, \(String(format: "%.2f", Double(bytes.count) / Double(samples.count))) B/sample, ratio \(String(format: "%.2f", ratio))x vs 26 B/sample raw")
        #expect(ratio >= 4)
    }

    @Test func valuesOffTheGridAreRoundedToMillihertzAndMicrometres() throws {
        let s = [TelemetrySample(offsetNanoseconds: 5, rateHertz: 120.00049, depthMillimetres: 0.0004, currentMilliamperes: 1)]
        let back = try TelemetryCodec.decode(TelemetryCodec.encode(s))
        #expect(back[0].rateHertz == 120.0 && back[0].depthMillimetres == 0 && back[0].offsetNanoseconds == 5)
    }

    @Test func damagedDataIsRefused() {
        let bytes = TelemetryCodec.encode(Self.realistic(10))
        #expect(throws: JournalError.self) { try TelemetryCodec.decode(Array(bytes.dropLast())) }
        #expect(throws: JournalError.self) { try TelemetryCodec.decode(bytes + [0]) }
        #expect(throws: JournalError.self) { try TelemetryCodec.decode(Array("NOPE".utf8) + bytes.dropFirst(4)) }
        #expect(throws: JournalError.self) { try TelemetryCodec.decode([]) }
    }
}
