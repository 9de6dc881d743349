import Foundation
@testable import StippleJournal
import Testing

/// A value of the wrong type in a tampered file gives an error naming the record, not a crash.
@Suite struct UnreadableRecordTests {
    @Test func aPassWithTextWhereAnIntegerBelongsFailsTheSessionReadWithANamedError() throws {
        let f = try ExportFixture()
        try RawSQL.execute(f.tmp.journalPath, "UPDATE zone_passes SET strokes = 'lots' WHERE id = 2")
        #expect(throws: JournalError.unreadableRecord(table: "zone_passes", rowID: 2, column: "strokes", found: "the text \"lots\"")) {
            try f.journal.session(id: f.sessionID)
        }
        // verify reads raw values and names the same row.
        let p = try #require(try f.journal.verify().firstProblem)
        #expect(p.table == "zone_passes" && p.rowID == 2)
    }

    @Test func aSessionWithTextForItsMachineFailsTheListWithANamedError() throws {
        let f = try ExportFixture()
        try RawSQL.execute(f.tmp.journalPath, "UPDATE sessions SET machine_id = 'm1' WHERE id = \(f.sessionID)")
        do {
            _ = try f.journal.sessions()
            Issue.record("no error")
        } catch {
            #expect(error == .unreadableRecord(table: "sessions", rowID: f.sessionID, column: "machine_id", found: "the text \"m1\""))
            #expect(error.description.hasPrefix("error: unreadable journal record (sessions row \(f.sessionID), column machine_id): it holds the text \"m1\""))
            #expect(error.description.contains("stipple journal verify"))
        }
    }

    @Test func aSealWithTextForItsPassCountFailsTheSessionRead() throws {
        let f = try ExportFixture()
        try RawSQL.execute(f.tmp.journalPath, "UPDATE session_closures SET passes = 'three'")
        #expect(throws: JournalError.unreadableRecord(table: "session_closures", rowID: 1, column: "passes", found: "the text \"three\"")) {
            try f.journal.session(id: f.sessionID)
        }
    }

    @Test func registeringACartridgeOverATamperedOneFailsWithANamedError() throws {
        let f = try ExportFixture()
        try RawSQL.execute(f.tmp.journalPath, "UPDATE cartridges SET single_use = 'yes' WHERE uid = '\(Fixture.cartridge.uid)'")
        #expect(throws: JournalError.unreadableRecord(table: "cartridges", rowID: 1, column: "single_use", found: "the text \"yes\"")) {
            try f.journal.addCartridge(Fixture.cartridge)
        }
    }

    @Test func aWriterRecoveringASessionWithATamperedOperatorFailsWithANamedError() throws {
        let tmp = TempFolder()
        _ = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        try w.beginSession(Fixture.start())
        // Left open as a crash would leave it, then its operator column edited.
        try w.close()
        try RawSQL.execute(tmp.journalPath, "UPDATE sessions SET operator_id = 'op' WHERE id = 1")
        #expect(throws: JournalError.unreadableRecord(table: "sessions", rowID: 1, column: "operator_id", found: "the text \"op\"")) {
            try JournalWriter.open(at: tmp.journalPath)
        }
    }
}
