import Foundation
import GRDB
import StippleControl
@testable import StippleJournal
import StippleSafetyEvidence
import Testing

/// The disk fills mid-session. Simulated with SQLite's `max_page_count` on the writer's own
/// connection (the database may not grow past a few more pages), not with a real full disk.
/// The write that no longer fits fails with a typed error the caller reports (the CLI and the
/// console then stop arming); every pass committed before it stays, and the next writer closes
/// the session as interrupted with a valid chain.
@Suite struct JournalDiskFullTests {
    @Test func aFullDiskFailsTheWriteKeepsTheCommittedPassesAndTheSessionClosesAsInterrupted() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        var sessionID: Int64 = 0
        var committed = 0
        var failure: JournalError?
        do {
            let w = try JournalWriter.open(at: tmp.journalPath, options: .init(keepTelemetry: true))
            sessionID = try w.beginSession(Fixture.start())
            w.register(Fixture.passSettings(), generation: 1)
            try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 50))
            #expect(w.committedPasses == 1)
            try w.journal.pool.writeWithoutTransaction { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages + 4)")
            }
            var at: UInt64 = 3_000_000_000
            for _ in 0..<50 where failure == nil {
                do throws(JournalError) {
                    try w.ingest(Fixture.pass(at: at, samples: 2_000))
                } catch {
                    failure = error
                }
                at += 3_000_000_000
            }
            committed = w.committedPasses
            try? w.close()
        }
        let error = try #require(failure, "the full disk was reported")
        #expect("\(error)".localizedCaseInsensitiveContains("full"), "\(error)")
        #expect(committed >= 1)

        let next = try JournalWriter.open(at: tmp.journalPath)
        #expect(next.recoveredSessions.map(\.sessionID) == [sessionID])
        try next.close()
        let d = try j.session(id: sessionID)
        #expect(d.summary.status == .interrupted)
        #expect(d.passes.map(\.ordinal) == Array(1...max(1, committed)))
        #expect(try j.verify().isValid)
        #expect(try j.integrityCheck() == ["ok"])
        SafetyEvidence.record(hazard: "disk-full", what: "committed passes lost", measured: Double(committed - d.passes.count),
                              bound: 0, unit: "passes")
    }
}
