import Foundation
import StippleControl
import StippleJournal
import Testing

/// Editing, deleting, reordering or inserting rows behind the journal's back is caught and the
/// record named.
@Suite struct JournalTamperTests {
    /// A journal with one sealed session of three passes and some events.
    private func sealedJournal(_ tmp: TempFolder) throws -> (Journal, SessionSeal) {
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath, options: .init(keepTelemetry: true))
        try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        for k in 0..<3 { try w.ingest(Fixture.pass(at: 2_000_000_000 + UInt64(k) * 1_000_000_000, samples: 50)) }
        var f = ControlRecord(kind: .fault, at: 6_000_000_000)
        f.code = 3
        try w.ingest(f)
        let seal = try w.endSession(at: 7_000_000_000)
        try w.close()
        #expect(try j.verify(trustedKeys: [seal.publicKey]).isValid)
        return (j, seal)
    }

    private func problem(after sql: String) throws -> VerificationProblem {
        let tmp = TempFolder()
        let (j, _) = try sealedJournal(tmp)
        try RawSQL.execute(tmp.journalPath, sql)
        return try #require(try j.verify().firstProblem)
    }

    @Test func editingAnyColumnOfAnyJournaledTableIsDetected() throws {
        // Every column of every table that has a row in the fixture journal, one edit at a time.
        let tmp = TempFolder()
        let (j, _) = try sealedJournal(tmp)
        try j.close()
        var checked = 0
        for table in JournalTable.allCases {
            guard let id = try RawSQL.strings(tmp.journalPath, "SELECT id FROM \(table.rawValue) ORDER BY id LIMIT 1").first else { continue }
            for column in table.columns where column != "id" {
                let copy = tmp.path + "/copy-\(table.rawValue)-\(column).sqlite"
                try FileManager.default.copyItem(atPath: tmp.journalPath, toPath: copy)
                // Change the value whatever its type: NULL becomes 1, anything else gains a byte
                // or changes by one.
                // A CHECKed status can only become the other allowed value.
                let edit = column == "status" ? "UPDATE \(table.rawValue) SET status = 'interrupted' WHERE id = \(id)" : """
                    UPDATE \(table.rawValue) SET "\(column)" = CASE typeof("\(column)")
                      WHEN 'null' THEN 1 WHEN 'integer' THEN "\(column)" + 1000 WHEN 'real' THEN "\(column)" + 0.001
                      WHEN 'blob' THEN "\(column)" || x'00' ELSE "\(column)" || 'x' END WHERE id = \(id)
                    """
                try RawSQL.execute(copy, edit)
                let p = try #require(try Journal.open(at: copy).verify().firstProblem, "edit of \(table.rawValue).\(column) not detected")
                #expect(p.kind == .altered, "\(table.rawValue).\(column): \(p)")
                #expect(p.table == table.rawValue && p.rowID == Int64(id), "\(table.rawValue).\(column): \(p)")
                checked += 1
            }
        }
        #expect(checked > 80)
    }

    @Test func deletingARowIsDetectedAndNamed() throws {
        let p = try problem(after: "DELETE FROM zone_passes WHERE ordinal = 2")
        #expect(p.kind == .deleted)
        #expect(p.table == "zone_passes" && p.rowID == 2)
    }

    @Test func deletingALedgerEntryIsDetected() throws {
        let p = try problem(after: "DELETE FROM ledger WHERE seq = 5")
        #expect(p.kind == .chainBroken)
        #expect(p.seq == 6)
    }

    @Test func reorderingRowsIsDetected() throws {
        // Swap the content of passes 1 and 3 by swapping their ids (and ordinals).
        let p = try problem(after: """
            UPDATE zone_passes SET id = -1, ordinal = -1 WHERE id = 1;
            UPDATE zone_passes SET id = 1, ordinal = 1 WHERE id = 3;
            UPDATE zone_passes SET id = 3, ordinal = 3 WHERE id = -1;
            """)
        #expect(p.kind == .altered)
        #expect(p.table == "zone_passes" && p.rowID == 1)
    }

    @Test func reorderingLedgerEntriesIsDetected() throws {
        let p = try problem(after: """
            UPDATE ledger SET seq = -1 WHERE seq = 7;
            UPDATE ledger SET seq = 7 WHERE seq = 8;
            UPDATE ledger SET seq = 8 WHERE seq = -1;
            """)
        #expect(p.kind == .chainBroken || p.kind == .altered)
        #expect(p.seq == 7)
    }

    @Test func insertingARowIsDetectedAndNamed() throws {
        let p = try problem(after: """
            INSERT INTO events(session_id, kind, code, message, operator_id, at_utc, at_monotonic_ns)
            VALUES (1, 'note', NULL, 'added later', 1, '2026-11-20T09:00:05.000000Z', NULL)
            """)
        #expect(p.kind == .unchained)
        #expect(p.table == "events")
        // The fixture journaled one event (the fault); the forged one is the second.
        #expect(p.rowID == 2)
    }

    @Test func rewritingTheChainAfterAnEditStillBreaksTheSeal() throws {
        // An attacker edits a pass and recomputes every hash from there on (the chain has no
        // secret); the seal, signed over the old head, no longer matches.
        let tmp = TempFolder()
        let (j, _) = try sealedJournal(tmp)
        try RawSQL.execute(tmp.journalPath, "UPDATE zone_passes SET depth_set_mm = 1.4 WHERE id = 2")
        try ChainForger.rehash(tmp.journalPath)
        let p = try #require(try j.verify().firstProblem)
        #expect(p.kind == .badSeal)
        #expect(p.table == "session_closures")
    }

    @Test func aSealByAnotherKeyIsNotTrusted() throws {
        let tmp = TempFolder()
        let (j, seal) = try sealedJournal(tmp)
        #expect(try j.verify(trustedKeys: [seal.publicKey]).isValid)
        let p = try #require(try j.verify(trustedKeys: [String(repeating: "ab", count: 32)]).firstProblem)
        #expect(p.kind == .untrustedKey)
    }
}
