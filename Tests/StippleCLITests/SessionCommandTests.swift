import Foundation
import StippleJournal
import Testing

@Suite("stipple session")
struct SessionCommandTests {
    @Test func listShowsTheSessionWithClientStatusAndPasses() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["session", "list"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.first?.hasPrefix("SESSION") == true)
        let row = try #require(r.row("1"))
        #expect(row.contains("c-001") && row.contains("op-ana") && row.contains("completed") && row.contains("Rotary R1 R1-0042"))
        #expect(row.contains(" 3 "))
    }

    @Test func listFiltersByClient() throws {
        let f = try JournalCLIFixture()
        #expect(f.run(["session", "list", "--client", "c-001"]).row("1") != nil)
        let other = f.run(["session", "list", "--client", "c-002"])
        #expect(other.status == 0)
        #expect(other.out == "no sessions for client c-002\n")
    }

    @Test func listForAnUnknownClientFails() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["session", "list", "--client", "nobody"])
        #expect(r.status == 1)
        #expect(r.errorLines.first?.hasPrefix("error: unknown client (nobody): ") == true)
    }

    @Test func aMissingJournalIsAClearErrorAndIsNotCreated() throws {
        try withTemporaryDirectory { dir in
            let path = dir.path("nowhere/journal.sqlite")
            for args in [["session", "list"], ["session", "show", "1"], ["session", "export", "1", "--format", "json"],
                         ["journal", "verify"], ["journal", "backup", dir.path("b.sqlite")]] {
                let r = runCLI(args + ["--journal", path])
                #expect(r.status == 1, "\(args)")
                #expect(r.errorLines.first?.hasPrefix("error: no journal (\(path)): ") == true, "\(args)")
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func theJournalDefaultsToStippleHome() throws {
        let f = try JournalCLIFixture()
        let home = (f.path as NSString).deletingLastPathComponent
        let r = runCLI(["session", "list"], environment: ["STIPPLE_HOME": home])
        #expect(r.status == 0)
        #expect(r.row("1") != nil)
    }

    @Test func showPrintsPeopleMaterialsPassesAndSeal() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["session", "show", "1"])
        #expect(r.status == 0)
        #expect(r.outLines.first == "session 1: completed, 3 pass(es)")
        #expect(r.out.contains("client     Ana Client (c-001)"))
        #expect(r.out.contains("pigment    Scalp Ink Co Dark Brown 2, batch B12, lot LOT-77, expiry 2027-03-31"))
        #expect(r.out.contains("cartridge  9000001 3RL-0.25, lot L2611"))
        #expect(r.outLines.filter { $0.contains("frontal-hairline") }.count == 2)
        #expect(r.out.contains("key        \(f.seal.publicKey)"))
        let redacted = f.run(["session", "show", "1", "--redact"])
        #expect(!redacted.out.contains("Ana Client"))
        #expect(redacted.out.contains("client     c-001\n"))
    }

    @Test func showAnUnknownSessionFails() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["session", "show", "99"])
        #expect(r.status == 1)
        #expect(r.errorLines == ["error: unknown session (99): no session with this id is in the journal. List sessions with `stipple session list`"])
        let e = f.run(["session", "export", "99", "--format", "csv"])
        #expect(e.status == 1)
        #expect(e.errorLines.first?.hasPrefix("error: unknown session (99)") == true)
    }

    @Test func exportRefusesAnUnknownFormat() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["session", "export", "1", "--format", "xml"])
        #expect(r.status == 2)
        #expect(r.err.contains("xml"))
        #expect(r.err.contains("json") && r.err.contains("csv") && r.err.contains("fhir") && r.err.contains("html"))
    }

    @Test(arguments: ["json", "csv", "fhir", "html"])
    func exportToStdoutAndToAFileGiveTheSameBytesAndTheFileIsPrivate(format: String) throws {
        let f = try JournalCLIFixture()
        let out = f.run(["session", "export", "1", "--format", format])
        #expect(out.status == 0)
        #expect(!out.out.isEmpty)
        let file = f.dir.path("exports/session-1.\(format)")
        try FileManager.default.createDirectory(atPath: f.dir.path("exports"), withIntermediateDirectories: true)
        let written = f.run(["session", "export", "1", "--format", format, "-o", file])
        #expect(written.status == 0)
        #expect(written.out == "wrote session 1 as \(format) to \(file)\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == out.out)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Nothing but the export is left in the folder (no temporary file).
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.path("exports")) == ["session-1.\(format)"])
        // Written again over the existing file: replaced whole.
        #expect(f.run(["session", "export", "1", "--format", format, "-o", file]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == out.out)
    }

    @Test func exportToAnUnwritablePathFailsClearly() throws {
        let f = try JournalCLIFixture()
        let file = f.dir.path("no/such/folder/x.json")
        let r = f.run(["session", "export", "1", "--format", "json", "-o", file])
        #expect(r.status == 1)
        let line = try #require(r.errorLines.first)
        #expect(line.hasPrefix("error: cannot write export (\(file)): creating a file in "))
        #expect(line.contains("No such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test func csvExportKeepsCRLFLineEnds() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["session", "export", "1", "--format", "csv"])
        #expect(r.out.hasPrefix("session_id,client_id,client_name,"))
        #expect(r.out.components(separatedBy: "\r\n").count == 5)
        #expect(!r.out.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func redactedExportsCarryNoNameOrBirthDate() throws {
        let f = try JournalCLIFixture()
        for format in ["json", "csv", "fhir", "html"] {
            let r = f.run(["session", "export", "1", "--format", format, "--redact"])
            #expect(r.status == 0)
            #expect(!r.out.contains("Ana Client"), "\(format)")
            #expect(!r.out.contains("1988-02-29"), "\(format)")
            #expect(r.out.contains("c-001"), "\(format)")
        }
    }
}
