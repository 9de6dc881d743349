import Foundation
import StippleJournal
import Testing

/// `stipple calibrate rate` against the built-in simulator with a known, injected drive error.
@Suite("stipple calibrate rate", .timeLimit(.minutes(2)))
struct CalibrateRateTests {
    static let base = ["calibrate", "rate", "--machine", "rotary-r1", "--sim", "--technician", "tech-1"]

    /// gain and offset from the "fit: achieved = G x commanded -/+ O Hz" line.
    static func fit(_ out: String) -> (gain: Double, offset: Double)? {
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("fit: achieved = ") }) else { return nil }
        let w = line.split(separator: " ")
        guard w.count > 8, let g = Double(w[3]), let o = Double(w[7]) else { return nil }
        return (g, w[6] == "-" ? -o : o)
    }

    /// The ERROR cells of the verification table, in percent.
    static func verificationErrors(_ out: String) -> [Double] {
        let lines = out.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("verification with the correction applied") }) else { return [] }
        return lines[(start + 2)...].prefix { !$0.isEmpty }.compactMap { row in
            row.split(separator: " ").first { $0.hasSuffix("%") }.flatMap { Double($0.dropLast()) }
        }
    }

    @Test func theFitRecoversAnInjectedGainAndOffsetAndTheCorrectedRatesLandWithinOnePercent() throws {
        let r = runCLI(Self.base + ["--no-journal", "--sim-rate-error", "gain=1.04,offset=-3"])
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        let fit = try #require(Self.fit(r.out), "\(r.out)")
        #expect(abs(fit.gain - 1.04) < 0.001, "gain \(fit.gain)")
        #expect(abs(fit.offset - -3) < 0.1, "offset \(fit.offset)")
        let errors = Self.verificationErrors(r.out)
        #expect(errors.count == 9, "\(r.out)")
        #expect(errors.allSatisfy { abs($0) <= 1 }, "\(errors)")
        // Uncorrected, the same machine is off by more than 1% at the bottom of its range.
        #expect(r.out.contains("50.000        49.000"), "\(r.out)")
        #expect(r.out.contains("result: pass"))
    }

    @Test func aPerfectDriveFitsGainOneAndOffsetZero() throws {
        let r = runCLI(Self.base + ["--no-journal"])
        #expect(r.status == 0, "\(r.err)")
        let fit = try #require(Self.fit(r.out))
        #expect(abs(fit.gain - 1) < 0.001)
        #expect(abs(fit.offset) < 0.1)
    }

    @Test func aBentDriveCurveTheLineCannotCorrectFailsWithExit1() throws {
        let r = runCLI(Self.base + ["--no-journal", "--sim-rate-error", "gain=0.9,offset=2,quadratic=0.001"])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.out.contains("result: FAIL"))
        #expect(Self.verificationErrors(r.out).contains { abs($0) > 1 }, "\(r.out)")
        #expect(r.errorLines.first?.hasPrefix("error: stroke-rate calibration of rotary-r1 (verification): ") == true, "\(r.err)")
        #expect(r.err.contains("not a straight line"))
    }

    @Test func aDriveThatCannotReachTheTopOfItsRangeFails() throws {
        // Gain 0.95: 150 Hz would need a 157.9 Hz set-point, above the machine's 150 Hz limit.
        let r = runCLI(Self.base + ["--no-journal", "--sim-rate-error", "gain=0.95"])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.out.contains("out of range"))
        #expect(r.err.contains("150.000 Hz need a set-point outside the machine's 50-150 Hz"), "\(r.err)")
    }

    @Test func aMachineWithoutACartridgeCannotBeCalibratedAndSaysWhy() throws {
        let r = runCLI(Self.base + ["--no-journal", "--sim-fault", "cartridge-pulled"])
        #expect(r.status == 1)
        #expect(r.errorLines.first?.contains("the firmware refused arm") == true, "\(r.err)")
    }

    @Test func aPassingCalibrationIsJournaledWithItsFitForTheMachinesSerial() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("journal.sqlite")
            let r = runCLI(Self.base + ["--journal", path, "--sim-rate-error", "gain=1.02,offset=-1"])
            #expect(r.status == 0, "\(r.err)")
            let line = try #require(r.outLines.first { $0.hasPrefix("journal: calibration rate-") }, "\(r.out)")
            let ref = String(line.split(separator: " ")[2])
            let record = try #require(try Journal.open(at: path).calibration(ref: ref))
            #expect(record.machine.serial == "57170001")
            #expect(record.operatorRef == "tech-1")
            let days = Double(record.expiresAt.nanosecondsSinceEpoch - record.performedAt.nanosecondsSinceEpoch) / 86_400e9
            #expect(abs(days - 90) < 0.001)
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(record.payload.utf8)) as? [String: Any])
            #expect(payload["kind"] as? String == "stroke_rate")
            #expect(abs((payload["gain"] as? Double ?? 0) - 1.02) < 0.001)
            #expect(abs((payload["offset_hz"] as? Double ?? 0) - -1) < 0.1)
            #expect((payload["points"] as? [Any])?.count == 9)
        }
    }

    @Test func aFailedCalibrationIsNotJournaled() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("journal.sqlite")
            let r = runCLI(Self.base + ["--journal", path, "--sim-rate-error", "quadratic=0.001"])
            #expect(r.status == 1)
            #expect(!r.out.contains("journal: calibration"))
        }
    }

    @Test func simulatorOptionsWithoutSimAreAUsageError() {
        let r = runCLI(["calibrate", "rate", "--machine", "rotary-r1", "--technician", "t", "--sim-rate-error", "gain=1.1"])
        #expect(r.status == 2)
        #expect(r.err.contains("add --sim"))
    }
}
