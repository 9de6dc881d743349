import Foundation
import StippleJournal
import Testing

enum PermissionProbe {
    static func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o777
    }
}

@Suite struct JournalFilesTests {
    @Test func theJournalItsSidecarsAndTheKeyArePrivate() throws {
        let tmp = TempFolder()
        let w = try JournalWriter.open(at: tmp.journalPath)
        let folder = (tmp.journalPath as NSString).deletingLastPathComponent
        #expect(PermissionProbe.mode(folder) == 0o700)
        #expect(PermissionProbe.mode(tmp.journalPath) == 0o600)
        #expect(PermissionProbe.mode(tmp.journalPath + "-wal") == 0o600)
        #expect(PermissionProbe.mode(tmp.journalPath + "-shm") == 0o600)
        #expect(PermissionProbe.mode(tmp.journalPath + ".lock") == 0o600)
        #expect(PermissionProbe.mode(w.signingKey.path) == 0o600)
        #expect(PermissionProbe.mode((w.signingKey.path as NSString).deletingLastPathComponent) == 0o700)
        #expect(w.signingKey.path == MachineSigningKey.path(forJournal: tmp.journalPath))
        try w.close()
    }

    @Test func theSigningKeyIsMadeOnceAndItsPublicKeyIsRawHex() throws {
        let tmp = TempFolder()
        let first = try JournalWriter.open(at: tmp.journalPath)
        let key = first.signingKey.publicKeyHex
        try first.close()
        let second = try JournalWriter.open(at: tmp.journalPath)
        #expect(second.signingKey.publicKeyHex == key)
        try second.close()
        #expect(key.count == 64 && Hex.decode(key)?.count == 32)
    }

    @Test func aDamagedKeyFileIsAnErrorNotANewKey() throws {
        let tmp = TempFolder()
        try JournalWriter.open(at: tmp.journalPath).close()
        try "not a key\n".write(toFile: MachineSigningKey.path(forJournal: tmp.journalPath), atomically: false, encoding: .utf8)
        #expect(throws: JournalError.self) { try JournalWriter.open(at: tmp.journalPath) }
    }

    @Test func aKeyIsWrittenWholeOrNotAtAllAndLeavesNoTemporaryFile() throws {
        let tmp = TempFolder()
        let keyPath = MachineSigningKey.path(forJournal: tmp.journalPath)
        let key = try MachineSigningKey.loadOrCreate(at: keyPath)
        let folder = (keyPath as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["ed25519.key"], "no temporary file left")
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8).count == 65)
        #expect(PermissionProbe.mode(keyPath) == 0o600)
        #expect(try MachineSigningKey.loadOrCreate(at: keyPath).publicKeyHex == key.publicKeyHex, "loaded, not made again")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["ed25519.key"])
    }

    @Test func theSchemaMatchesTheCanonicalColumnLists() throws {
        let tmp = TempFolder()
        _ = try Journal.open(at: tmp.journalPath)
        for table in JournalTable.allCases {
            let columns = try RawSQL.strings(tmp.journalPath, "SELECT name FROM pragma_table_info('\(table.rawValue)') ORDER BY cid")
            #expect(columns == table.columns, "\(table.rawValue)")
        }
        #expect(try RawSQL.strings(tmp.journalPath, "PRAGMA journal_mode") == ["wal"])
    }

    @Test func everyCommitIsFsyncedTheWriterConnectionRunsSynchronousFull() throws {
        let tmp = TempFolder()
        let j = try Journal.open(at: tmp.journalPath)
        // GRDB's pool sets NORMAL when it switches to WAL; FULL must survive that.
        #expect(try j.writerSynchronousLevel() == 2)
        try j.close()
        let again = try Journal.open(at: tmp.journalPath)
        #expect(try again.writerSynchronousLevel() == 2, "and on reopening an existing journal")
        try again.close()
    }

    @Test func utcTimestampsHaveOneFixedSpelling() throws {
        let t = UTCTimestamp(nanosecondsSinceEpoch: 1_795_000_000_123_456_789)
        #expect(t.iso8601 == "2026-11-18T11:06:40.123456Z")
        #expect(UTCTimestamp(iso8601: t.iso8601)?.nanosecondsSinceEpoch == 1_795_000_000_123_456_000)
        #expect(UTCTimestamp(iso8601: "2024-02-29T23:59:59Z")?.day == "2024-02-29")
        #expect(UTCTimestamp(nanosecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
        #expect(UTCTimestamp(iso8601: "2026-13-01T00:00:00Z") == nil)
        #expect(UTCTimestamp(iso8601: "yesterday") == nil)
    }
}
