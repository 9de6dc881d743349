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

    /// The signed body of a journaled rate record, with the envelope checked against the journal's key.
    static func signedBody(_ record: CalibrationRecord, journal path: String) throws -> [String: Any] {
        let envelope = try #require(SignedCalibration.envelope(of: record), "not signed: \(record.payload)")
        #expect(envelope.verifies(for: record))
        let key = try #require(try MachineSigningKey.load(at: MachineSigningKey.path(forJournal: path)))
        #expect(envelope.publicKey == key.publicKeyHex)
        return try #require(try JSONSerialization.jsonObject(with: Data(envelope.body.utf8)) as? [String: Any])
    }

    @Test func aPassingCalibrationIsJournaledSignedWithItsFitForTheMachinesSerial() throws {
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
            let body = try Self.signedBody(record, journal: path)
            #expect(body["kind"] as? String == "stroke_rate")
            #expect(body["passed"] as? Bool == true)
            #expect(abs((body["gain"] as? Double ?? 0) - 1.02) < 0.001)
            #expect(abs((body["offset_hz"] as? Double ?? 0) - -1) < 0.1)
            #expect((body["points"] as? [Any])?.count == 9)
            #expect(abs(body["worst_verification_error_percent"] as? Double ?? 9) <= 1)
            #expect(try Journal.open(at: path).verify().isValid)
        }
    }

    @Test func theExpiryComesFromTheMachineFilesCalibrationValidDays() throws {
        try withTemporaryDirectory { dir in
            let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Hardware/machines/rotary-r1.toml")
            let text = try String(contentsOf: shipped, encoding: .utf8)
            #expect(text.contains("calibration_valid_days = 90"))
            try FileManager.default.createDirectory(atPath: dir.path("config/machines"), withIntermediateDirectories: true)
            try text.replacingOccurrences(of: "calibration_valid_days = 90", with: "calibration_valid_days = 30")
                .write(toFile: dir.path("config/machines/rotary-r1.toml"), atomically: true, encoding: .utf8)
            let path = dir.path("journal.sqlite")
            let r = runCLI(Self.base + ["--journal", path, "--config-dir", dir.path("config")])
            #expect(r.status == 0, "\(r.err)")
            let record = try #require(try Journal.open(at: path).calibrations().first)
            let days = Double(record.expiresAt.nanosecondsSinceEpoch - record.performedAt.nanosecondsSinceEpoch) / 86_400e9
            #expect(abs(days - 30) < 0.001)
        }
    }

    @Test func aFailedCalibrationIsJournaledSignedAndMarkedFailed() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("journal.sqlite")
            let r = runCLI(Self.base + ["--journal", path, "--sim-rate-error", "quadratic=0.001"])
            #expect(r.status == 1)
            #expect(r.outLines.contains { $0.hasPrefix("journal: failed calibration rate-57170001-") }, "\(r.out)")
            let record = try #require(try Journal.open(at: path).calibrations().first)
            let body = try Self.signedBody(record, journal: path)
            #expect(body["passed"] as? Bool == false)
            // quadratic=0.001 bends the curve so far that 50 Hz needs a set-point below the range.
            #expect(body["failure"] as? String == "1 wanted rates need a set-point outside the machine's limits", "\(body)")
            let history = runCLI(["calibration", "history", "--journal", path])
            #expect(history.outLines.contains { $0.contains(record.ref) && $0.contains(" rate ") && $0.contains(" FAIL ") && $0.hasSuffix(" ok") },
                    "\(history.out)")
        }
    }

    @Test func aProcedureThatCouldNotFinishRecordsNothing() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("journal.sqlite")
            let r = runCLI(Self.base + ["--journal", path, "--sim-fault", "telemetry-stalled"])
            #expect(r.status == 1)
            let records = try Journal.open(at: path).calibrations()
            #expect(records.isEmpty)
        }
    }

    /// Issue 7's Done-when, for the rate: `stipple calibrate rate --sim` writes records that
    /// `stipple calibration show` prints.
    @Test func calibrateRateSimWritesARecordThatCalibrationShowPrints() throws {
        try withTemporaryDirectory { dir in
            let env = ["STIPPLE_HOME": dir.path("home")]
            let r = runCLI(["calibrate", "rate", "--machine", "rotary-r1", "--sim", "--technician", "tech-1", "--sim-rate-error", "gain=1.03,offset=-2"],
                           environment: env)
            #expect(r.status == 0, "\(r.err)")
            let record = try #require(try Journal.open(at: dir.path("home/journal.sqlite")).calibrations().first)
            let show = runCLI(["calibration", "show"], environment: env)
            #expect(show.outLines.contains("machine \(record.machine.model), serial 57170001, firmware \(record.machine.firmwareVersion)"), "\(show.out)")
            #expect(show.outLines.contains("stroke-rate calibration \(record.ref): in force"), "\(show.out)")
            let fit = try #require(show.outLines.first { $0.hasPrefix("gain ") }, "\(show.out)")
            #expect(fit.hasPrefix("gain 1.03") || fit.hasPrefix("gain 1.02"), "\(fit)")
            #expect(fit.contains("offset -2.0") || fit.contains("offset -1.9"), "\(fit)")
            #expect(show.outLines.contains { $0.hasPrefix("worst verification error ") && $0.hasSuffix("result pass") })
            #expect(show.outLines.contains("expires \(record.expiresAt.iso8601)"))
            #expect(show.outLines.contains("signature: verified (this journal's machine key)"))
            // Depth is what decides treatment: without it the machine is shown as unable to treat.
            #expect(show.outLines.contains { $0.hasPrefix("depth calibration: none") })
            #expect(show.status == 1)
            let history = runCLI(["calibration", "history"], environment: env)
            #expect(history.outLines.contains { $0.contains(record.ref) && $0.contains(" rate ") && $0.contains(" pass ") && $0.contains("tech-1") && $0.hasSuffix(" ok") },
                    "\(history.out)")
        }
    }

    @Test func simulatorOptionsWithoutSimAreAUsageError() {
        let r = runCLI(["calibrate", "rate", "--machine", "rotary-r1", "--technician", "t", "--sim-rate-error", "gain=1.1"])
        #expect(r.status == 2)
        #expect(r.err.contains("add --sim"))
    }
}
