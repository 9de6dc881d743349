import Foundation
import StippleJournal
import Testing

@Suite("stipple journal")
struct JournalCommandTests {
    @Test func verifyPrintsOneOkLineWithCountAndHead() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["journal", "verify"])
        #expect(r.status == 0)
        #expect(r.err.isEmpty)
        #expect(r.outLines.count == 1)
        let line = try #require(r.outLines.first)
        #expect(line.hasPrefix("ok: journal verified (\(f.path)): "))
        #expect(line.contains(" records, 1 seals; head seq "))
        #expect(line.hasSuffix(" " + String(line.suffix(64))) && Hex.decode(String(line.suffix(64)))?.count == 32)
        #expect(f.run(["journal", "verify", "--trusted-key", f.seal.publicKey]).status == 0)
    }

    @Test func verifyWithAnotherTrustedKeyFails() throws {
        let f = try JournalCLIFixture()
        let r = f.run(["journal", "verify", "--trusted-key", String(repeating: "ab", count: 32)])
        #expect(r.status == 1)
        #expect(r.errorLines.first?.contains("session_closures row 1") == true)
        #expect(r.errorLines.first?.contains("untrusted-key") == true)
    }

    @Test func verifyNamesTheFirstAlteredRecordOfAnEditedFile() throws {
        let f = try JournalCLIFixture()
        // Edit the journal as a hex editor would: one byte of a zone name, in place.
        var bytes = try #require(FileManager.default.contents(atPath: f.path))
        let needle = Data("frontal-hairline".utf8)
        let at = try #require(bytes.range(of: needle))
        bytes[at.lowerBound] = UInt8(ascii: "F")
        try bytes.write(to: URL(fileURLWithPath: f.path))
        let r = f.run(["journal", "verify"])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        let line = try #require(r.errorLines.first)
        #expect(line.hasPrefix("error: verification failed (\(f.path): zone_passes row "))
        #expect(line.contains("altered"))
    }

    @Test func verifyFileChecksAnExportOfflineAndNamesATamperedRecord() throws {
        let f = try JournalCLIFixture()
        let file = f.dir.path("s1.json")
        #expect(f.run(["session", "export", "1", "--format", "json", "-o", file]).status == 0)
        // No journal needed: point --journal at nothing.
        let ok = runCLI(["journal", "verify", "--file", file, "--journal", f.dir.path("none.sqlite")])
        #expect(ok.status == 0)
        let line = try #require(ok.outLines.first)
        #expect(ok.outLines.count == 1)
        #expect(line.hasPrefix("ok: export of session 1 verified offline (\(file)): "))
        #expect(line.contains("head seq \(f.seal.headSeq) \(f.seal.headHash)"))
        #expect(line.contains("0 hash-only"))

        let text = try String(contentsOfFile: file, encoding: .utf8)
        let tampered = text.replacingOccurrences(of: "\"zone\": \"crown\"", with: "\"zone\": \"donor-scar\"")
        #expect(tampered != text)
        try tampered.write(toFile: file, atomically: true, encoding: .utf8)
        let bad = runCLI(["journal", "verify", "--file", file])
        #expect(bad.status == 1)
        let error = try #require(bad.errorLines.first)
        #expect(error.hasPrefix("error: verification failed (\(file): zone_passes row 3, ledger seq "))
        #expect(error.contains("altered: its values do not match its hash"))
    }

    @Test func verifyFileRefusesWhatIsNotAnExport() throws {
        try withTemporaryDirectory { dir in
            let file = try dir.write("x.json", "[1, 2]")
            let r = runCLI(["journal", "verify", "--file", file])
            #expect(r.status == 1)
            #expect(r.errorLines.first?.hasPrefix("error: not a verifiable session export (\(file)): ") == true)
            let missing = runCLI(["journal", "verify", "--file", dir.path("missing.json")])
            #expect(missing.status == 1)
            #expect(missing.errorLines.first?.hasPrefix("error: cannot read export (") == true)
        }
    }

    @Test func backupWritesAVerifiablePrivateCopyAndRefusesToOverwrite() throws {
        let f = try JournalCLIFixture()
        let dest = f.dir.path("backups/copy.sqlite")
        let r = f.run(["journal", "backup", dest])
        #expect(r.status == 0)
        #expect(r.outLines.first?.hasPrefix("ok: backed up \(f.path) to \(dest): ") == true)
        let mode = try FileManager.default.attributesOfItem(atPath: dest)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let copy = runCLI(["session", "list", "--journal", dest])
        #expect(copy.row("1")?.contains("completed") == true)
        #expect(runCLI(["journal", "verify", "--journal", dest]).status == 0)
        let again = f.run(["journal", "backup", dest])
        #expect(again.status == 1)
        #expect(again.errorLines.first?.hasPrefix("error: cannot back up to (\(dest)): the file exists and is not empty") == true)
    }

    @Test func theGroupsWithoutASubcommandShowTheirHelp() {
        for group in ["session", "journal"] {
            let r = runCLI([group])
            #expect(r.status == 2)
            #expect(r.err.contains("SUBCOMMANDS"))
        }
    }
}
