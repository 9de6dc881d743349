import Foundation
import StippleJournal
import Testing
import StippleSafetyEvidence

/// Issue 7 parts 1, 4 and 6: `stipple calibrate depth` scripted, its signed records, `calibration
/// show|history`, and `stipple run` refusing a machine without a valid calibration.
@Suite("Depth calibration from the CLI and its records", .timeLimit(.minutes(2)))
struct CalibrationCommandTests {
    /// Examples/depth-measurements.toml in this checkout.
    static let measurements = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/depth-measurements.toml").path
    static let demoError = "offset=0.18,scale=1.035,quadratic=0.012,backlash=0.02,noise=0.003"

    static func runArgs(_ clinic: ClinicJournal, _ extra: [String] = []) -> [String] {
        ["run", "--machine", "rotary-r1", "--cartridge", "3RL-0.25", "--profile", "crown-vertex", "--zone", "crown", "--sim",
         "--script", clinic.dir.path("script.toml"), "--fast"] + ClinicJournal.runOptions() + extra
    }

    /// A clinic journal with client, operator, pigment and technician, but no calibration.
    static func uncalibratedClinic(_ dir: TemporaryDirectory) throws -> ClinicJournal {
        let clinic = try ClinicJournal(dir, seed: false)
        for args in [
            ["client", "add", "c-001", "--consent", "consent-1", "--consent-signed", "2025-01-15"],
            ["operator", "add", "op-ana"],
            ["operator", "add", "tech-1"],
            ["pigment", "add", "--brand", "B", "--name", "N", "--batch", "X", "--lot", ClinicJournal.pigmentLot,
             "--expiry", "2099-12-31", "--dilution", "1"],
        ] {
            let r = runCLI(args, environment: clinic.environment)
            guard r.status == 0 else { throw ClinicJournal.SetupFailed(message: r.err) }
        }
        _ = try dir.write("script.toml", """
            [[step]]
            at_ms = 100
            action = "arm"
            [[step]]
            at_ms = 200
            action = "pedal-down"
            [[step]]
            at_ms = 1500
            action = "pedal-up"
            """)
        return clinic
    }

    static func calibrate(_ clinic: ClinicJournal, _ extra: [String]) -> CLIResult {
        runCLI(["calibrate", "depth", "--machine", "rotary-r1", "--sim", "--technician", "tech-1", "--gauge", "G-7"] + extra,
               environment: clinic.environment)
    }

    @Test func aScriptedCalibrationPassesAndWritesASignedRecordThatShowPrints() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let r = Self.calibrate(clinic, ["--measurements", Self.measurements, "--sim-error", Self.demoError])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.outLines.contains("result: PASS"))
            #expect(r.out.contains("second-order term: significant"))
            #expect(r.outLines.filter { $0.contains(" deeper ") || $0.contains(" back ") }.count == 16)
            let j = try clinic.open()
            let records = try j.calibrations()
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.operatorRef == "tech-1" && record.machine.serial == "57170001")
            #expect(record.expiresAt.nanosecondsSinceEpoch - record.performedAt.nanosecondsSinceEpoch == 90 * 86_400 * 1_000_000_000)
            #expect(SignedCalibration.envelope(of: record)?.verifies(for: record) == true)
            #expect(try j.verify().isValid)

            let show = runCLI(["calibration", "show", "--machine", "57170001"], environment: clinic.environment)
            #expect(show.status == 0, "\(show.err)")
            #expect(show.outLines.contains("depth calibration \(record.ref): valid"))
            #expect(show.outLines.contains("stroke-rate calibration: none (stroke rate runs uncorrected)"))
            #expect(show.outLines.contains("signature: verified (this journal's machine key)"))
            #expect(show.out.contains("by tech-1 with gauge G-7, readings from file \(Self.measurements)"))
            #expect(show.outLines.contains("result: PASS"))

            let history = runCLI(["calibration", "history"], environment: clinic.environment)
            #expect(history.status == 0)
            #expect(history.outLines.contains { $0.contains(record.ref) && $0.contains(" pass ") && $0.hasSuffix(" ok") })
        }
    }

    @Test func aRunRefusesAnUncalibratedMachineBeforeTouchingItAndRunsOnceCalibrated() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let before = try clinic.ledgerLength()
            let refused = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(refused.status == 1)
            #expect(refused.errorLines.first?.hasPrefix("error: machine not calibrated (rotary-r1): machine rotary-r1 has no depth calibration in the journal.") == true)
            #expect(!refused.out.contains("stipple run: rotary-r1"))
            #expect(try clinic.ledgerLength() == before)
            SafetyEvidence.record(hazard: "calibration-stale", what: "uncalibrated runs started", measured: refused.status == 1 && !refused.out.contains("stipple run: rotary-r1") ? 0 : 1, bound: 0, unit: "runs")

            #expect(Self.calibrate(clinic, ["--sim-gauge", "--sim-error", Self.demoError]).status == 0)
            let ran = runCLI(Self.runArgs(clinic, ["--sim-error", Self.demoError]), environment: clinic.environment)
            #expect(ran.status == 0, "\(ran.err)")
            let ref = try #require(try clinic.open().calibrations().first?.ref)
            #expect(ran.outLines.contains { $0.hasPrefix("calibration \(ref) applied") })
            let session = try clinic.open().session(id: 1)
            #expect(session.calibrationRef == ref)
            #expect(!session.events.contains { $0.kind == .override })
        }
    }

    @Test func anExpiredCalibrationIsRefusedNamingItsDateAndAnOverrideIsJournaled() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            #expect(Self.calibrate(clinic, ["--sim-gauge"]).status == 0)
            // The same body, signed for a calibration made in 2020: expired on 2020-03-31.
            let j = try clinic.open()
            let fresh = try #require(try j.calibrations().first)
            let body = try #require(SignedCalibration.envelope(of: fresh)).body
            let key = try #require(try MachineSigningKey.load(at: MachineSigningKey.path(forJournal: clinic.path)))
            let performed = UTCTimestamp(nanosecondsSinceEpoch: 1_577_836_800 * 1_000_000_000)  // 2020-01-01
            let expires = UTCTimestamp(nanosecondsSinceEpoch: 1_585_699_200 * 1_000_000_000)  // 2020-04-01
            let payload = try SignedCalibration.seal(ref: "cal-old", machine: fresh.machine, performedAt: performed, operatorRef: "tech-1",
                                                     expiresAt: expires, body: body, key: key)
            // Newest first is by performance date: make the old one the only one that counts by
            // journaling it for a machine that has no other (another firmware identity would not
            // do: matching is by model and serial), so drop to a fresh journal instead.
            _ = payload
            let dir2 = dir.path("expired")
            try FileManager.default.createDirectory(atPath: dir2, withIntermediateDirectories: true)
            let env2 = ["STIPPLE_HOME": dir2]
            for args in [
                ["client", "add", "c-001", "--consent", "consent-1", "--consent-signed", "2025-01-15"],
                ["operator", "add", "op-ana"], ["operator", "add", "tech-1"],
                ["pigment", "add", "--brand", "B", "--name", "N", "--batch", "X", "--lot", ClinicJournal.pigmentLot,
                 "--expiry", "2099-12-31", "--dilution", "1"],
            ] { #expect(runCLI(args, environment: env2).status == 0) }
            let j2 = try Journal.open(at: dir2 + "/journal.sqlite")
            let key2 = try MachineSigningKey.loadOrCreate(at: MachineSigningKey.path(forJournal: j2.path))
            let payload2 = try SignedCalibration.seal(ref: "cal-old", machine: fresh.machine, performedAt: performed, operatorRef: "tech-1",
                                                      expiresAt: expires, body: body, key: key2)
            _ = try j2.addCalibration(ref: "cal-old", machine: fresh.machine, performedAt: performed, operatorRef: "tech-1",
                                      expiresAt: expires, payload: payload2)
            let args = Self.runArgs(clinic)
            let refused = runCLI(args, environment: env2)
            #expect(refused.status == 1)
            #expect(refused.errorLines.first?.hasPrefix("error: machine not calibrated (rotary-r1): machine rotary-r1's depth calibration cal-old expired on 2020-04-01.") == true,
                    "\(refused.err)")
            #expect(try j2.sessions().isEmpty)
            SafetyEvidence.record(hazard: "calibration-stale", what: "expired-calibration runs started", measured: refused.status == 1 ? 0 : 1, bound: 0, unit: "runs")

            let show = runCLI(["calibration", "show"], environment: env2)
            #expect(show.status == 1)
            #expect(show.outLines.contains { $0.hasPrefix("depth calibration cal-old: NOT VALID:") && $0.hasSuffix("expired on 2020-04-01") })

            let overridden = runCLI(args + ["--override-calibration", "--technician", "tech-1"], environment: env2)
            #expect(overridden.status == 0, "\(overridden.err)")
            #expect(overridden.errLines.contains { $0.hasPrefix("warning: machine rotary-r1's depth calibration cal-old expired on 2020-04-01; running uncalibrated by override of technician tech-1") })
            let session = try j2.session(id: 1)
            #expect(session.calibrationRef == nil)
            let event = try #require(session.events.first { $0.kind == .override })
            #expect(event.message.hasPrefix("calibration override by technician tech-1: machine rotary-r1's depth calibration cal-old expired on 2020-04-01"))
            #expect(try j2.verify().isValid)
        }
    }

    @Test func aFailedCalibrationIsJournaledAndKeepsTheMachineFromTreating() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let r = Self.calibrate(clinic, ["--sim-gauge", "--sim-error", "offset=0.1,backlash=0.2,noise=0.002"])
            #expect(r.status == 1)
            #expect(r.outLines.contains { $0.hasPrefix("result: FAIL (") })
            #expect(r.errorLines.first?.hasPrefix("error: calibration failed (rotary-r1, cal-57170001-") == true)
            let j = try clinic.open()
            #expect(try j.calibrations().count == 1)
            let refused = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(refused.status == 1)
            #expect(refused.errorLines.first?.contains("failed its tolerance") == true)
        }
    }

    @Test func aCalibrationSignedByAnotherKeyIsNotTrusted() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            #expect(Self.calibrate(clinic, ["--sim-gauge"]).status == 0)
            let j = try clinic.open()
            let good = try #require(try j.calibrations().first)
            let body = try #require(SignedCalibration.envelope(of: good)).body
            let foreign = try MachineSigningKey.loadOrCreate(at: dir.path("other.keys/ed25519.key"))
            let later = UTCTimestamp(nanosecondsSinceEpoch: good.performedAt.nanosecondsSinceEpoch + 1_000_000_000)
            let payload = try SignedCalibration.seal(ref: "cal-forged", machine: good.machine, performedAt: later, operatorRef: "tech-1",
                                                     expiresAt: good.expiresAt, body: body, key: foreign)
            _ = try j.addCalibration(ref: "cal-forged", machine: good.machine, performedAt: later, operatorRef: "tech-1",
                                     expiresAt: good.expiresAt, payload: payload)
            let show = runCLI(["calibration", "show"], environment: clinic.environment)
            #expect(show.status == 1)
            #expect(show.outLines.contains("signature: valid, but NOT by this journal's machine key"))
            let refused = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(refused.status == 1)
            #expect(refused.errorLines.first?.contains("cal-forged does not carry a valid signature by this journal's key") == true)
        }
    }

    /// The stroke-rate calibration journals its own (unsigned) payload in the same table: such a
    /// row must neither unlock an uncalibrated machine nor block a calibrated one.
    @Test func anotherProceduresRecordNeitherBlocksNorUnlocksDepth() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let j = try clinic.open()
            let machine = MachineIdentity(model: "Stipple R1 rotary pen, stepper depth stage", serial: "57170001", firmwareVersion: "0.1.0")
            func addRate(_ ref: String, at seconds: Int64) throws {
                let at = UTCTimestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000)
                _ = try j.addCalibration(ref: ref, machine: machine, performedAt: at, operatorRef: "tech-1",
                                         expiresAt: UTCTimestamp(nanosecondsSinceEpoch: at.nanosecondsSinceEpoch + 86_400_000_000_000 * 90),
                                         payload: "{\"gain\":1.01,\"offsetHz\":0.2}")
            }
            try addRate("rate-1", at: Int64(Date().timeIntervalSince1970) - 10)
            let refused = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(refused.errorLines.first?.contains("has no depth calibration in the journal") == true)
            #expect(Self.calibrate(clinic, ["--sim-gauge"]).status == 0)
            try addRate("rate-2", at: Int64(Date().timeIntervalSince1970) + 10)
            let ran = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(ran.status == 0, "\(ran.err)")
            let show = runCLI(["calibration", "show"], environment: clinic.environment)
            #expect(show.status == 0 && !show.out.contains("rate-"))
            let history = runCLI(["calibration", "history"], environment: clinic.environment)
            #expect(history.outLines.contains { $0.contains("rate-2") && $0.contains(" other ") && $0.hasSuffix("unsigned") })
        }
    }

    /// A signed stroke-rate record is not a depth record: it must not unlock an uncalibrated
    /// machine, nor (newer than the depth calibration) block a calibrated one.
    @Test func aSignedRateRecordNeitherBlocksNorUnlocksDepth() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let rate = ["calibrate", "rate", "--machine", "rotary-r1", "--sim", "--technician", "tech-1"]
            #expect(runCLI(rate, environment: clinic.environment).status == 0)
            let refused = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(refused.errorLines.first?.contains("has no depth calibration in the journal") == true, "\(refused.err)")
            #expect(Self.calibrate(clinic, ["--sim-gauge"]).status == 0)
            #expect(runCLI(rate, environment: clinic.environment).status == 0)
            let ran = runCLI(Self.runArgs(clinic), environment: clinic.environment)
            #expect(ran.status == 0, "\(ran.err)")
            #expect(ran.outLines.contains { $0.hasPrefix("stroke rate: calibration rate-57170001-") })
        }
    }

    @Test func measurementsThatDoNotMatchThePositionsAreRefusedBeforeTheMachineMoves() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let short = try dir.write("short.toml", "readings_mm = [0.3, 0.6, 0.9]\n")
            let r = Self.calibrate(clinic, ["--measurements", short])
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix("error: wrong number of readings (\(short)): it has 3, the calibration of rotary-r1 reads 16 positions") == true)
            #expect(!r.out.contains("stipple calibrate depth:"))
            let typo = try dir.write("typo.toml", "readings_mm = [0.3, \"x\"]\nreadngs = 1\n")
            let t = Self.calibrate(clinic, ["--measurements", typo])
            #expect(t.status == 1)
            #expect(t.err.contains("readings_mm[1]"))
            #expect(t.err.contains("readngs"))
            #expect(try clinic.open().calibrations().isEmpty)
        }
    }

    @Test func aMembraneOffsetIsMeasuredOnTopOfTheMachinesCalibrationAndApplied() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.uncalibratedClinic(dir)
            let refused = Self.calibrate(clinic, ["--sim-gauge", "--cartridge", "3RL-0.25"])
            #expect(refused.status == 1)
            #expect(refused.errorLines.first?.contains("a membrane offset is measured on top of the machine's own calibration") == true)
            #expect(Self.calibrate(clinic, ["--sim-gauge", "--sim-error", "offset=0.1,scale=1.02,noise=0.002"]).status == 0)
            // The 3RL-0.25 file says 0.25 mm; this simulated cartridge lands 0.04 mm shallower still.
            let m = Self.calibrate(clinic, ["--sim-gauge", "--sim-error", "offset=0.1,scale=1.02,noise=0.002,membrane=0.04", "--cartridge", "3RL-0.25"])
            #expect(m.status == 0, "\(m.err)")
            let line = try #require(m.outLines.first { $0.hasPrefix("membrane offset of cartridge type 3RL-0.25: ") })
            let measured = try #require(Double(line.split(separator: " ")[6]))
            #expect(abs(measured - 0.29) < 0.004, "\(line)")
            let show = runCLI(["calibration", "show"], environment: clinic.environment)
            #expect(show.status == 0)
            #expect(show.out.contains("cartridge membrane offsets: 3RL-0.25 0.29"))
            let ran = runCLI(Self.runArgs(clinic, ["--sim-error", "offset=0.1,scale=1.02,membrane=0.04"]), environment: clinic.environment)
            #expect(ran.status == 0, "\(ran.err)")
            let needle = try #require(ran.outLines.first { $0.hasPrefix("  needle  mean ") })
            #expect(["0.289", "0.290", "0.291"].contains { needle.hasSuffix("minus membrane \($0) mm)") }, "\(needle)")
        }
    }
}
