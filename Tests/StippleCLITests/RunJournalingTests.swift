import Foundation
import StippleJournal
import Testing
import StippleSafetyEvidence

@Suite("stipple run journals the session")
struct RunJournalingTests {
    static let demo = ["run", "--machine", "rotary-r1", "--cartridge", "1RL-0.20", "--profile", "frontal-hairline-soft",
                       "--zone", "frontal-hairline", "--sim", "--script", Self.demoScript, "--fast"]

    /// Examples/demo-session.toml: hairline twice, temple-left, temple-right with an e-stop, crown.
    static let demoScript: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/demo-session.toml").path
    }()

    @Test func aFastRunJournalsEveryPassEventAndTheSeal() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let r = runCLI(Self.demo + ClinicJournal.runOptions(), environment: clinic.environment)
            // The e-stopped temple pass leaves the session reset, not faulted: exit 0.
            #expect(r.status == 0, "\(r.err)")
            #expect(r.outLines.filter { $0.hasPrefix("journal: pass ") && $0.hasSuffix(" committed") }
                == (1...5).map { "journal: pass \($0) committed" })
            #expect(r.out.contains("journal: session 1 completed, 5 zone pass(es), in \(clinic.path)"))

            let j = try clinic.open()
            let d = try j.session(id: 1)
            #expect(d.summary.status == .completed)
            #expect(d.summary.clientRef == "c-001" && d.operatorRecord.ref == "op-ana")
            #expect(d.summary.machine == MachineIdentity(model: "Stipple R1 rotary pen, stepper depth stage", serial: "57170001", firmwareVersion: "0.1.0"))
            #expect(d.passes.map(\.zone) == ["frontal-hairline", "frontal-hairline", "temple-left", "temple-right", "crown"])
            #expect(d.passes.map(\.stopReason) == ["pedal-released", "pedal-released", "pedal-released", "e-stop", "pedal-released"])
            #expect(d.passes.map(\.cartridge.uid) == [7001, 7001, 7001, 7001, 7002])
            #expect(d.passes.allSatisfy { $0.cartridge.lot == "CL-2611" && $0.pigmentRowID == d.pigments.first?.rowID })
            #expect(d.passes.map(\.profileName) == ["frontal-hairline-soft", "frontal-hairline-soft", "temples", "temples", "crown-vertex"])
            // 00:00.500 - 00:04.500 in the script: 4 s of monotonic time, not a UTC difference.
            #expect(d.passes[0].durationNanoseconds == 4_000_000_000)
            #expect(d.passes[0].rate != nil && d.passes[0].depth?.p5 != nil && d.passes[0].samplesJournal > 0)
            #expect(d.passes.allSatisfy { !$0.hasTelemetry })
            #expect(d.pigments.map(\.lot) == ["LOT-77"])
            #expect(Set(d.cartridges.map(\.cartridge.uid)) == [7001, 7002])
            #expect(d.events.map(\.kind) == [.estop, .reset])
            #expect(d.events.allSatisfy { $0.operatorRef == "op-ana" })
            let seal = try #require(d.seal)
            #expect(seal.status == .completed && seal.passes == 5 && seal.isSignatureValid)
            #expect(r.out.contains("seal: ledger seq \(seal.headSeq) hash \(seal.headHash)"))
            #expect(r.out.contains("Ed25519 signature \(seal.signature)"))
            #expect(try j.verify(trustedKeys: [seal.publicKey]).isValid)
            #expect(try j.integrityCheck() == ["ok"])
        }
    }

    @Test func keepTelemetryStoresEachPassesSamples() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let script = try dir.write("s.toml", RunCommandTests.session)
            let r = runCLI(RunCommandTests.crown + ["--sim", "--script", script, "--fast", "--keep-telemetry"] + ClinicJournal.runOptions(),
                           environment: clinic.environment)
            #expect(r.status == 0, "\(r.err)")
            let j = try clinic.open()
            let pass = try #require(try j.session(id: 1).passes.first)
            #expect(pass.hasTelemetry)
            // 2 s at the simulator's 500 Hz telemetry.
            let samples = try j.telemetry(passRowID: pass.rowID)
            #expect((900...1001).contains(samples.count), "\(samples.count) samples")
        }
    }

    /// Each refusal: exit 1, the journal's message, no session started, not a row written.
    @Test(arguments: [
        (["--client", "c-404"], "error: unknown client (c-404): "),
        (["--client", "c-noconsent"], "error: missing consent (client c-noconsent): "),
        (["--operator", "op-nobody"], "error: unknown operator (op-nobody): "),
        (["--pigment", "brand=B,name=N,batch=X,lot=OLD-1,expiry=2020-01-31,dilution=1"], "error: pigment lot expired (lot OLD-1): it expired on 2020-01-31"),
        (["--pigment", "LOT-404"], "error: unknown pigment lot (LOT-404): "),
        (["--cartridge-id", "555"], "error: cartridge reused (cartridge 555): this single-use cartridge was already used on client c-001 in session 1"),
    ])
    func badInputIsRefusedBeforeTheMachineIsTouchedAndWritesNothing(override: [String], message: String) throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let script = try dir.write("s.toml", RunCommandTests.session)
            // A session that used cartridge 555, and a client without consent.
            let first = runCLI(RunCommandTests.crown + ["--sim", "--script", script, "--fast"] + ClinicJournal.runOptions(cartridgeID: 555),
                               environment: clinic.environment)
            #expect(first.status == 0, "\(first.err)")
            _ = try clinic.open().addClient(ref: "c-noconsent")
            let before = try clinic.ledgerLength()

            var options = ClinicJournal.runOptions(cartridgeID: 556)
            for i in stride(from: 0, to: override.count, by: 2) {
                let at = try #require(options.firstIndex(of: override[i]))
                options[at + 1] = override[i + 1]
            }
            let r = runCLI(RunCommandTests.crown + ["--sim", "--script", script, "--fast"] + options, environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix(message) == true, "\(r.err)")
            #expect(!r.out.contains("stipple run:"), "the machine was not started")
            #expect(try clinic.ledgerLength() == before)
            #expect(try clinic.open().sessions().count == 1)
        }
    }

    @Test func aScriptsLaterCartridgeIsCheckedBeforeTheStartToo() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            // The demo's crown cartridge 7002 was used on another client already.
            _ = try clinic.open().addClient(ref: "c-002", name: nil, dateOfBirth: nil, consentDocument: "k2",
                                            consentSignedAt: UTCTimestamp(iso8601: "2025-01-01T00:00:00Z")!)
            let crown = runCLI(RunCommandTests.crown + ["--sim", "--script", try dir.write("s.toml", RunCommandTests.session), "--fast"]
                + ClinicJournal.runOptions(client: "c-002", cartridgeID: 7002), environment: clinic.environment)
            #expect(crown.status == 0, "\(crown.err)")
            let before = try clinic.ledgerLength()
            let r = runCLI(Self.demo + ClinicJournal.runOptions(), environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix("error: cartridge reused (cartridge 7002): this single-use cartridge was already used on client c-002") == true, "\(r.err)")
            #expect(try clinic.ledgerLength() == before)
        }
    }

    @Test(arguments: [
        ([] as [String], "error: no client (--client)"),
        (["--client", "c-001"], "error: no operator (--operator)"),
        (["--client", "c-001", "--operator", "op-ana"], "error: no pigment (--pigment)"),
        (["--client", "c-001", "--operator", "op-ana", "--pigment", "L"], "error: no cartridge lot (--cartridge-lot)"),
        (["--client", "c-001", "--operator", "op-ana", "--pigment", "brand=B,lot=L", "--cartridge-lot", "C"],
         "error: invalid pigment (--pigment \"brand=B,lot=L\"): name, batch, expiry, dilution missing"),
    ])
    func aJournaledRunSaysWhatItStillNeeds(options: [String], message: String) throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir, seed: false)
            let r = runCLI(RunCommandTests.crown + ["--sim", "--script", try dir.write("s.toml", RunCommandTests.session), "--fast"] + options,
                           environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix(message) == true, "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: clinic.path))
        }
    }

    @Test func noJournalIsForSimulatorsOnly() {
        let hw = runCLI(RunCommandTests.crown + ["--no-journal"])
        #expect(hw.status == 2)
        #expect(hw.err.contains("--no-journal is for simulators (--sim, --sim-socket): a session on a real machine is always journaled"))
        let mixed = runCLI(RunCommandTests.crown + ["--sim", "--no-journal", "--operator", "op-ana"])
        #expect(mixed.status == 2)
        #expect(mixed.err.contains("--no-journal runs without a record"))
    }

    /// A real-time run whose loop overruns (a scripted 5 ms hang, well short of the firmware's
    /// 50 ms deadline, so no fault) journals its overrun count, the one the run report prints.
    @Test func aRealTimeRunJournalsItsLoopOverruns() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let script = try dir.write("hang.toml", """
                [[step]]
                at_ms = 100
                action = "arm"
                [[step]]
                at_ms = 200
                action = "pedal-down"
                [[step]]
                at_ms = 400
                action = "loop-hang"
                duration_ms = 5
                [[step]]
                at_ms = 600
                action = "pedal-up"

                """)
            let r = runCLI(RunCommandTests.crown + ["--sim", "--script", script, "--journal", clinic.path]
                + ClinicJournal.runOptions(cartridgeID: 5), environment: clinic.environment)
            #expect(r.status == 0, "\(r.err)")
            func count(after prefix: String, in line: Substring) -> UInt64? {
                guard let range = line.range(of: prefix) else { return nil }
                return UInt64(line[range.upperBound...].prefix { $0.isNumber })
            }
            let printed = try #require(r.outLines.lazy.compactMap { line -> UInt64? in
                guard line.hasPrefix("control loop: "), let at = line.range(of: " max ") else { return nil }
                return count(after: "µs, ", in: line[at.upperBound...])
            }.first, "\(r.out)")
            #expect(printed >= 1, "the 5 ms hang overran")
            let events = try clinic.open().session(id: 1).events
            let note = try #require(events.first { $0.kind == .note && $0.message.hasPrefix("control loop: ") },
                                    "events: \(events.map(\.message))")
            let journaled = try #require(count(after: "control loop: ", in: note.message[...]))
            #expect(journaled == printed)
            SafetyEvidence.record(hazard: "loop-overrun", what: "overruns missing from the journal", measured: Double(printed) - Double(min(journaled, printed)),
                                  bound: 0, unit: "cycles")
        }
    }

    @Test func aSecondWriterOnTheSameJournalIsRefused() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let holder = try JournalWriter.open(at: clinic.path)
            defer { try? holder.close() }
            let r = runCLI(RunCommandTests.crown + ["--sim", "--script", try dir.write("s.toml", RunCommandTests.session), "--fast"]
                + ClinicJournal.runOptions(), environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix("error: journal in use (\(clinic.path).lock): another writer holds it") == true, "\(r.err)")
        }
    }
}
