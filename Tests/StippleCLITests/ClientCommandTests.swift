import Foundation
import StippleJournal
import Testing

@Suite("stipple client, operator, pigment")
struct ClientCommandTests {
    @Test func aClinicStartsFromNothingAndListsWhatItAdded() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let j = try clinic.open()
            let c = try #require(try j.client(ref: "c-001"))
            #expect(c.name == "Ana Client" && c.dateOfBirth == "1988-02-29")
            #expect(c.consents.map(\.documentRef) == ["consent-2026-001"])
            #expect(c.consents.first?.signedAt.iso8601 == "2025-01-15T00:00:00.000000Z")
            #expect(try j.operators().map(\.ref) == ["op-ana", ClinicJournal.technician])
            #expect(try j.pigments().map(\.lot) == ["LOT-77"])
            #expect(try j.verify().isValid)

            let list = runCLI(["client", "list"], environment: clinic.environment)
            #expect(list.status == 0)
            #expect(list.outLines.first?.hasPrefix("CLIENT") == true)
            let row = try #require(list.row("c-001"))
            #expect(row.contains("Ana Client") && row.contains("consent-2026-001 (2025-01-15)") && row.contains("  0  "))
            let ops = runCLI(["operator", "list", "--json"], environment: clinic.environment)
            #expect(try ops.jsonArray().first?["id"] as? String == "op-ana")
            let pigments = runCLI(["pigment", "list"], environment: clinic.environment)
            #expect(pigments.row("LOT-77")?.contains("Scalp Ink Co") == true)
            #expect(pigments.row("LOT-77")?.contains("2099-12-31") == true)
        }
    }

    @Test func showListsTheClientsSessions() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let script = try dir.write("s.toml", RunCommandTests.session)
            let run = runCLI(RunCommandTests.crown + ["--sim", "--script", script, "--fast"] + ClinicJournal.runOptions(),
                             environment: clinic.environment)
            #expect(run.status == 0, "\(run.err)")
            let show = runCLI(["client", "show", "c-001"], environment: clinic.environment)
            #expect(show.status == 0, "\(show.err)")
            #expect(show.out.contains("consent  consent-2026-001 signed 2025-01-15"))
            #expect(show.out.contains("sessions (1, newest first)"))
            let line = try #require(show.outLines.first { $0.hasPrefix("  1 ") })
            #expect(line.contains("completed") && line.contains("op-ana") && line.contains("#57170001 fw 0.1.0"), "\(line)")
            let json = try runCLI(["client", "show", "c-001", "--json"], environment: clinic.environment).jsonObject()
            let sessions = try #require(json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 1)
            #expect(sessions.first?["status"] as? String == "completed")
            #expect(sessions.first?["passes"] as? Int == 1)
        }
    }

    @Test func aDuplicateClientIsRefusedAndNothingIsAdded() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let before = try clinic.ledgerLength()
            let r = runCLI(["client", "add", "c-001", "--consent", "other", "--consent-signed", "2025-02-01"], environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.errorLines == ["error: duplicate client (c-001): a client with this id is already in the journal. Pick another pseudonymous id or use the existing client"])
            #expect(try clinic.ledgerLength() == before)
        }
    }

    @Test(arguments: [
        (["c 1", "--consent", "d", "--consent-signed", "2025-01-01"], "error: invalid client id (c 1)"),
        (["c-2", "--consent", "d", "--consent-signed", "2025-13-01"], "error: invalid consent date (--consent-signed 2025-13-01)"),
        (["c-2", "--consent", "d", "--consent-signed", "2999-01-01"], "it is after today"),
        (["c-2", "--born", "29-02-1988", "--consent", "d", "--consent-signed", "2025-01-01"], "error: invalid date of birth (--born 29-02-1988)"),
        (["c-2", "--consent", " ", "--consent-signed", "2025-01-01"], "error: invalid consent document id"),
    ])
    func badClientInputIsRefusedAndWritesNothing(args: [String], message: String) throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let before = try clinic.ledgerLength()
            let r = runCLI(["client", "add"] + args, environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.err.contains(message), "\(r.err)")
            #expect(try clinic.ledgerLength() == before)
            #expect(try clinic.open().client(ref: "c-2") == nil)
        }
    }

    @Test func consentIsRequiredToAddAClient() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir, seed: false)
            let r = runCLI(["client", "add", "c-9"], environment: clinic.environment)
            #expect(r.status == 2)
            #expect(r.err.contains("--consent"))
            #expect(!FileManager.default.fileExists(atPath: clinic.path))
        }
    }

    @Test func listingsOfAMissingJournalSayHowToStartAndCreateNothing() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir, seed: false)
            for group in ["client", "operator", "pigment"] {
                let r = runCLI([group, "list"], environment: clinic.environment)
                #expect(r.status == 1)
                #expect(r.errorLines == ["error: no journal (\(clinic.path)): nothing has been journaled there yet. Add a client with `stipple client add`, or pass --journal PATH"])
            }
            #expect(!FileManager.default.fileExists(atPath: clinic.path))
            let show = runCLI(["client", "show", "nobody", "--journal", clinic.path], environment: [:])
            #expect(show.status == 1 && show.err.contains("error: no journal"))
        }
    }

    @Test func anUnknownClientIsNamedWithTheFix() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let r = runCLI(["client", "show", "c-404"], environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("error: unknown client (c-404): ") && r.err.contains("stipple client add c-404"))
        }
    }

    @Test func noJournalLocationIsAClearError() {
        let r = runCLI(["client", "list"], environment: [:])
        #expect(r.status == 1)
        #expect(r.errorLines == ["error: no journal location: neither --journal, $STIPPLE_HOME nor $HOME is set. Pass --journal PATH"])
    }

    @Test func aDuplicateOperatorIsRefused() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let r = runCLI(["operator", "add", "op-ana"], environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("error: duplicate operator (op-ana): already registered in \(clinic.path) as Ana Operator."))
        }
    }

    @Test func anExpiredPigmentLotIsNotRegistered() throws {
        try withTemporaryDirectory { dir in
            let clinic = try ClinicJournal(dir)
            let before = try clinic.ledgerLength()
            let r = runCLI(["pigment", "add", "--brand", "B", "--name", "N", "--batch", "X", "--lot", "OLD-1", "--expiry", "2020-01-31",
                            "--dilution", "0"], environment: clinic.environment)
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("error: pigment lot expired (lot OLD-1): it expired on 2020-01-31"))
            #expect(try clinic.ledgerLength() == before)
            let bad = runCLI(["pigment", "add", "--brand", "B", "--name", "N", "--batch", "X", "--lot", "L", "--expiry", "2099-01-31",
                              "--dilution", "11"], environment: clinic.environment)
            #expect(bad.status == 1 && bad.err.contains("dilution 11.0 is not 0-10 parts"))
        }
    }
}
