import Foundation
import StippleControl
import StippleJournal
import Testing
import StippleSafetyEvidence

@Suite struct JournalCrashSafetyTests {
    @Test func aSecondWriterInTheSameProcessIsRefused() throws {
        let tmp = TempFolder()
        let w = try JournalWriter.open(at: tmp.journalPath)
        let e = #expect(throws: JournalError.self) {
            _ = try JournalWriter.open(at: tmp.journalPath, options: .init(lockWaitSeconds: 0.1))
        }
        #expect(e == .writerActive(path: tmp.journalPath + ".lock", holder: "pid \(getpid())"))
        #expect(e?.description.contains("another writer holds it") == true)
        #expect(w.journal.hasLiveWriter)
        try w.close()
        #expect(!(try Journal.open(at: tmp.journalPath).hasLiveWriter))
        // Once the first is closed, a new writer opens.
        try JournalWriter.open(at: tmp.journalPath).close()
    }

    @Test func aWriterLockHeldByAnotherProcessIsRefused() throws {
        let tmp = TempFolder()
        try JournalWriter.open(at: tmp.journalPath).close()
        // util-linux flock(1) holds the lock from another process for two seconds.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["--exclusive", tmp.journalPath + ".lock", "sleep", "2"]
        try p.run()
        defer {
            p.terminate()
            p.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(3)
        while !WriterProbe.held(tmp.journalPath), Date() < deadline { usleep(10_000) }
        #expect(throws: JournalError.self) { try JournalWriter.open(at: tmp.journalPath, options: .init(lockWaitSeconds: 0.2)) }
    }

    @Test func aSessionLeftOpenIsClosedAsInterruptedWithItsCommittedPassesOnTheNextOpen() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let crashed = try JournalWriter.open(at: tmp.journalPath)
        let id = try crashed.beginSession(Fixture.start())
        crashed.register(Fixture.passSettings(), generation: 1)
        try crashed.ingest(Fixture.pass(at: 2_000_000_000, samples: 20))
        try crashed.ingest(Fixture.pass(at: 3_000_000_000, samples: 20))
        // A third pass starts and never ends: the process "dies" (the lock is released as the
        // kernel would; nothing else is written).
        try crashed.ingest(Array(Fixture.pass(at: 4_000_000_000, samples: 20).prefix(10)))
        try crashed.close()
        #expect(try j.sessions().first?.status == .open)

        let next = try JournalWriter.open(at: tmp.journalPath)
        #expect(next.recoveredSessions == [RecoveredSession(sessionID: id, lastPassOrdinal: 2,
                                                            endedAt: UTCTimestamp(iso8601: "2026-11-20T09:00:02.021000Z")!)])
        try next.close()
        let d = try j.session(id: id)
        #expect(d.summary.status == .interrupted)
        #expect(d.passes.map(\.ordinal) == [1, 2])
        SafetyEvidence.record(hazard: "power-loss", what: "committed passes lost", measured: Double(2 - d.passes.count), bound: 0, unit: "passes")
        let event = try #require(d.events.last)
        #expect(event.kind == .interrupted)
        #expect(event.message.contains("last committed pass 2"))
        let seal = try #require(d.seal)
        #expect(seal.status == .interrupted && seal.isSignatureValid)
        #expect(try j.verify(trustedKeys: [seal.publicKey]).isValid)
        #expect(try j.integrityCheck() == ["ok"])
        // Recovery happens once.
        let again = try JournalWriter.open(at: tmp.journalPath)
        #expect(again.recoveredSessions.isEmpty)
        try again.close()
    }

    @Test func anOnlineBackupIsAVerifiableCopy() throws {
        let tmp = TempFolder()
        _ = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 20))
        // Taken while the writer has its session open.
        let dest = tmp.path + "/backups/b1.sqlite"
        try w.journal.backup(to: dest)
        try w.endSession(at: 3_000_000_000)
        try w.close()
        let copy = try Journal.open(at: dest)
        #expect(try copy.integrityCheck() == ["ok"])
        #expect(try copy.verify().isValid)
        #expect(try copy.sessions().first?.passes == 1)
        #expect(PermissionProbe.mode(dest) == 0o600)
        #expect(PermissionProbe.mode(tmp.path + "/backups") == 0o700)
        #expect(throws: JournalError.self) { try w.journal.backup(to: dest) }
    }
}

enum WriterProbe {
    static func held(_ journalPath: String) -> Bool {
        (try? Journal.open(at: journalPath).hasLiveWriter) ?? false
    }
}
