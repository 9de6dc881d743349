import Foundation
import StippleJournal
import Testing

/// `stipple run` applying the machine's stroke-rate calibration, in virtual time against the
/// built-in simulator with a known, injected drive error.
@Suite("Stroke-rate calibration applied at run time", .timeLimit(.minutes(2)))
struct RateCorrectionRunTests {
    /// 4% fast and 3 Hz low: crown-vertex's 115 Hz set-point strokes at 1.04 x 115 - 3 = 116.6 Hz.
    static let driveError = "gain=1.04,offset=-3"
    static let wanted = 115.0

    static func clinicWithScript(_ dir: TemporaryDirectory) throws -> ClinicJournal {
        let clinic = try ClinicJournal(dir)
        _ = try dir.write("script.toml", """
            [[step]]
            at_ms = 100
            action = "arm"
            [[step]]
            at_ms = 200
            action = "pedal-down"
            [[step]]
            at_ms = 2500
            action = "pedal-up"
            """)
        return clinic
    }

    static func run(_ clinic: ClinicJournal, cartridgeID: Int, _ extra: [String] = []) -> CLIResult {
        runCLI(["run", "--machine", "rotary-r1", "--cartridge", "3RL-0.25", "--profile", "crown-vertex", "--zone", "crown", "--sim",
                "--script", clinic.dir.path("script.toml"), "--fast", "--sim-rate-error", driveError]
               + ClinicJournal.runOptions(cartridgeID: cartridgeID) + extra, environment: clinic.environment)
    }

    /// The pass's steady mean rate from "  rate    mean X Hz ...".
    static func meanRate(_ r: CLIResult) throws -> Double {
        let line = try #require(r.outLines.first { $0.hasPrefix("  rate    mean ") }, "\(r.out)\n\(r.err)")
        return try #require(Double(line.split(separator: " ")[2]), "\(line)")
    }

    @Test func afterCalibrateRateARunStrokesWithinOnePercentOfTheProfileAndWithoutItByTheInjectedError() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.clinicWithScript(dir)
            let before = Self.run(clinic, cartridgeID: 1)
            #expect(before.status == 0, "\(before.err)")
            #expect(before.outLines.filter { $0 == "stroke rate: uncorrected (no valid rate calibration)" }.count == 2,
                    "said before the run and in the report: \(before.out)")
            let uncorrected = try Self.meanRate(before)
            #expect(abs(uncorrected - (1.04 * Self.wanted - 3)) < 0.2, "off by the injected error: \(uncorrected)")
            #expect(abs(uncorrected - Self.wanted) / Self.wanted > 0.01)

            let cal = runCLI(["calibrate", "rate", "--machine", "rotary-r1", "--sim", "--sim-rate-error", Self.driveError,
                              "--technician", ClinicJournal.technician], environment: clinic.environment)
            #expect(cal.status == 0, "\(cal.err)")
            let ref = try #require(try clinic.open().calibrations().first { $0.ref.hasPrefix("rate-") }?.ref)

            let after = Self.run(clinic, cartridgeID: 2)
            #expect(after.status == 0, "\(after.err)")
            let applied = after.outLines.filter { $0.hasPrefix("stroke rate: calibration \(ref) applied (achieved = 1.04") }
            #expect(applied.count == 2, "\(after.out)")
            // (115 + 3) / 1.04 = 113.462 Hz.
            #expect(applied.first?.hasSuffix("profile 115 Hz sent as 113.462 Hz") == true, "\(applied)")
            let corrected = try Self.meanRate(after)
            #expect(abs(corrected - Self.wanted) / Self.wanted <= 0.01, "corrected mean \(corrected) Hz")
            // The session names the curve it ran with.
            let session = try clinic.open().session(id: 2)
            #expect(session.events.contains { $0.kind == .note && $0.message.hasPrefix("stroke rate: calibration \(ref) applied") })
        }
    }

    @Test func aRunWithoutAJournalIsUncorrectedAndSaysSo() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.clinicWithScript(dir)
            let r = runCLI(["run", "--machine", "rotary-r1", "--cartridge", "3RL-0.25", "--profile", "crown-vertex", "--zone", "crown", "--sim",
                            "--script", clinic.dir.path("script.toml"), "--fast", "--no-journal", "--sim-rate-error", Self.driveError])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.outLines.contains("stroke rate: uncorrected (--no-journal: no rate calibration is read)"))
            #expect(abs(try Self.meanRate(r) - (1.04 * Self.wanted - 3)) < 0.2)
        }
    }

    @Test func aCorrectedSetPointOutsideTheMachinesLimitsRefusesTheRunBeforeTheMachineIsTouched() throws {
        try withTemporaryDirectory { dir in
            let clinic = try Self.clinicWithScript(dir)
            // A drive at 0.7x (as a machine file's limits changed since calibrating could leave
            // it): 115 Hz needs 164.286 Hz, beyond rotary-r1's 150 Hz.
            let j = try clinic.open()
            // The clinic calibrated two simulated models with the same serial: take rotary-r1's.
            let machine = try #require(try j.calibrations().first { $0.machine.model.hasPrefix("Stipple R1 ") }).machine
            let body = """
                {"gain":0.7,"instrument":"machine telemetry (rate_mhz)","kind":"stroke_rate","machine":"rotary-r1","model":"linear",\
                "offset_hz":0,"passed":true,"points":[],"serial":"57170001","firmware":"\(machine.firmwareVersion)","technician":"tech-cal",\
                "tolerance_percent":1,"verification":[]}
                """
            let key = try #require(try MachineSigningKey.load(at: MachineSigningKey.path(forJournal: clinic.path)))
            let now = UTCTimestamp.now()
            let expires = UTCTimestamp(nanosecondsSinceEpoch: now.nanosecondsSinceEpoch + 86_400_000_000_000)
            let payload = try SignedCalibration.seal(ref: "rate-slow", machine: machine, performedAt: now, operatorRef: "tech-cal",
                                                     expiresAt: expires, body: body, key: key)
            _ = try j.addCalibration(ref: "rate-slow", machine: machine, performedAt: now, operatorRef: "tech-cal", expiresAt: expires, payload: payload)
            let ledger = try clinic.ledgerLength()
            let r = Self.run(clinic, cartridgeID: 1)
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix("error: stroke-rate set-point out of range (rotary-r1, profile crown-vertex): through rate calibration rate-slow the profile's 115 Hz needs a set-point of 164.286 Hz, outside the machine's 50-150 Hz") == true,
                    "\(r.err)")
            #expect(!r.out.contains("stipple run: rotary-r1"))
            #expect(try clinic.ledgerLength() == ledger)
        }
    }
}
