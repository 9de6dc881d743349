import Foundation
@testable import StippleJournal
import Testing

/// The JSON export carries the session verifiably, and offline verification catches every kind
/// of tamper and names the record.
@Suite struct SessionExportJSONTests {
    private func export(_ f: ExportFixture, redaction: ExportRedaction = .off) throws -> String {
        try SessionExportJSON.render(sessionID: f.sessionID, from: f.journal, redaction: redaction)
    }

    private func verify(_ text: String, trusted: Set<String>? = nil) throws -> ExportVerificationReport {
        try SessionExportVerifier.verify(text, source: "test.json", trustedKeys: trusted)
    }

    /// The records of a parsed export, as mutable objects.
    private func records(_ doc: CanonicalJSON) throws -> [[String: CanonicalJSON]] {
        try #require(doc["records"]?.arrayValue).map { try #require($0.objectValue) }
    }

    private func replacing(_ doc: CanonicalJSON, records: [[String: CanonicalJSON]]) -> String {
        var top = doc.objectValue ?? [:]
        top["records"] = .array(records.map(CanonicalJSON.object))
        return CanonicalJSON.object(top).rendered()
    }

    private func index(_ recs: [[String: CanonicalJSON]], _ table: String, row: Int64) throws -> Int {
        try #require(recs.firstIndex { $0["table"]?.stringValue == table && $0["row_id"]?.integerValue == row })
    }

    @Test func anExportCarriesTheSessionItsReferencesTheSealAndTheKeyAndVerifiesOffline() throws {
        let f = try ExportFixture()
        let text = try export(f)
        let doc = try CanonicalJSONParser.parse(text)
        #expect(doc["format"]?.stringValue == "stipple-session-export-v1")
        #expect(doc["machine_public_key"]?.stringValue == f.seal.publicKey)
        #expect(doc["seal"]?["signature"]?.stringValue == f.seal.signature)
        let recs = try records(doc)
        let tables = Set(recs.compactMap { $0["values"] == nil ? nil : $0["table"]?.stringValue })
        #expect(tables.isSuperset(of: ["clients", "consents", "operators", "machines", "pigments", "cartridges", "sessions",
                                       "session_pigments", "cartridge_uses", "zone_passes", "pass_interruptions",
                                       "pass_telemetry", "events", "session_closures"]))
        #expect(recs.filter { $0["table"]?.stringValue == "zone_passes" }.count == 3)
        let client = recs[try index(recs, "clients", row: 1)]["values"]
        #expect(client?["name"]?.stringValue == "Ana Client")
        #expect(client?["date_of_birth"]?.stringValue == "1988-02-29")
        // Storage classes survive: REAL stays real, INTEGER stays integer.
        let pass = recs[try index(recs, "zone_passes", row: 1)]["values"]
        #expect(pass?["rate_set_hz"] == .real(120))
        #expect(pass?["strokes"] == .integer(24))
        #expect(text.contains("\"rate_set_hz\": 120.0"))

        let r = try verify(text, trusted: [f.seal.publicKey])
        #expect(r.firstProblem == nil)
        #expect(r.records == recs.count)
        #expect(r.recomputed == recs.count)
        #expect(r.hashOnly == 0)
        #expect(r.headSeq == f.seal.headSeq && r.headHash == f.seal.headHash)
        // The client, consent and operator were journaled just before the session (and its
        // machine) in this journal, so the stretch under the seal reaches back over them too.
        #expect(r.sealed == recs.count)
    }

    @Test func theExportIsCanonicalSortedAndStable() throws {
        let f = try ExportFixture()
        let a = try export(f), b = try export(f)
        #expect(a == b)
        // Keys sorted at every level: the top-level keys appear in byte order.
        let top = a.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { String($0.dropFirst(3).prefix { $0 != "\"" }) }
        #expect(top == top.sorted())
        #expect(top == ["format", "machine_public_key", "records", "redacted", "scope", "seal", "session_id"])
        // Parsing and rendering again gives the same bytes.
        #expect(try CanonicalJSONParser.parse(a).rendered() == a)
    }

    @Test func changingAnyValueOfAnyRecordFailsVerificationNamingThatRecord() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        let recs = try records(doc)
        var checked = 0
        for (i, rec) in recs.enumerated() {
            guard let values = rec["values"]?.objectValue else { continue }
            for (column, value) in values {
                let changed: CanonicalJSON = switch value {
                case .null: .integer(1)
                case .integer(let n): .integer(n + 1)
                case .real(let d): .real(d + 0.001)
                case .string(let s): .string(s + "x")
                case .object: .object(["blob_base64": .string("AAAA")])
                default: .null
                }
                var copy = recs
                var v = values
                v[column] = changed
                copy[i]["values"] = .object(v)
                let r = try verify(replacing(doc, records: copy))
                let p = try #require(r.firstProblem, "\(rec["table"]!).\(column) change not detected")
                #expect(p.table == rec["table"]?.stringValue && p.rowID == rec["row_id"]?.integerValue, "\(column): \(p)")
                #expect(p.kind == .altered, "\(column): \(p)")
                checked += 1
            }
        }
        #expect(checked > 150)
    }

    @Test func anIntegerTurnedIntoTheSameRealIsAnAlteration() throws {
        let f = try ExportFixture()
        let text = try export(f)
        let tampered = text.replacingOccurrences(of: "\"strokes\": 24,", with: "\"strokes\": 24.0,")
        #expect(tampered != text)
        let p = try #require(try verify(tampered).firstProblem)
        #expect(p.kind == .altered && p.table == "zone_passes")
    }

    @Test func aForgerWhoRehashesARecordIsCaughtByTheNextLinkOrTheSeal() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        var recs = try records(doc)
        // Change pass 2's zone, give it a correct hash and link the next record to it: the next
        // record's own hash covers its previous hash, so it no longer recomputes.
        let i = try index(recs, "zone_passes", row: 2)
        var values = try #require(recs[i]["values"]?.objectValue)
        values["zone"] = .string("crown")
        recs[i]["values"] = .object(values)
        try rehash(&recs, from: i, through: i)
        let p1 = try #require(try verify(replacing(doc, records: recs)).firstProblem)
        #expect(p1.kind == .altered && p1.seq == recs[i + 1]["seq"]?.integerValue)
        // Re-hash everything up to the closure: the seal's head hash no longer matches.
        try rehash(&recs, from: i, through: recs.count - 1)
        let p2 = try #require(try verify(replacing(doc, records: recs)).firstProblem)
        #expect(p2.kind == .badSeal && p2.table == "session_closures")
    }

    /// Recomputes hashes (and the following previous-hash links) as someone knowing the public
    /// encoding would.
    private func rehash(_ recs: inout [[String: CanonicalJSON]], from: Int, through: Int) throws {
        for k in from...through {
            let name = try #require(recs[k]["table"]?.stringValue)
            let table = try #require(JournalTable(rawValue: name))
            let row = try #require(recs[k]["row_id"]?.integerValue)
            let values = try #require(recs[k]["values"]?.objectValue)
            let stored = [row.databaseValue] + table.columns.dropFirst().map { SessionExportJSON.databaseValue(values[$0]!)! }
            let seq = try #require(recs[k]["seq"]?.integerValue)
            let prev = try #require(recs[k]["prev_hash"]?.stringValue)
            let h = Ledger.hash(seq: seq, prev: prev, table: table, rowID: row, values: stored)
            recs[k]["hash"] = .string(h)
            if k + 1 < recs.count { recs[k + 1]["prev_hash"] = .string(h) }
        }
    }

    @Test func aSelfConsistentSessionRecordAddedAfterTheSealIsRefused() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        let recs = try records(doc)
        let event = recs[try index(recs, "events", row: 1)]
        // After the closure: next seq, linked to the closure, correctly hashed.
        var after = recs
        var extra = event
        extra["seq"] = .integer(try #require(recs.last?["seq"]?.integerValue) + 1)
        extra["row_id"] = .integer(99)
        extra["prev_hash"] = try #require(recs.last?["hash"])
        after.append(extra)
        try rehash(&after, from: after.count - 1, through: after.count - 1)
        let p1 = try #require(try verify(replacing(doc, records: after)).firstProblem)
        #expect(p1.kind == .altered && p1.table == "events" && p1.rowID == 99)
    }

    @Test func removingARecordIsDetected() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        var recs = try records(doc)
        let i = try index(recs, "pass_interruptions", row: 1)
        let seq = try #require(recs[i]["seq"]?.integerValue)
        recs.remove(at: i)
        let p = try #require(try verify(replacing(doc, records: recs)).firstProblem)
        #expect(p.kind == .chainBroken)
        #expect(p.detail.contains("ledger entry \(seq)"))
    }

    @Test func removingAPassAndItsEntryIsDetected() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        var recs = try records(doc)
        recs.remove(at: try index(recs, "zone_passes", row: 3))
        let p = try #require(try verify(replacing(doc, records: recs)).firstProblem)
        #expect(p.kind == .chainBroken || p.kind == .badSeal)
        #expect(p.table == "session_closures" || p.table == "pass_interruptions" || p.table == "pass_telemetry")
    }

    @Test func reorderingRecordsIsDetected() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        var recs = try records(doc)
        let a = try index(recs, "zone_passes", row: 1), b = try index(recs, "zone_passes", row: 2)
        recs.swapAt(a, b)
        let p = try #require(try verify(replacing(doc, records: recs)).firstProblem)
        #expect(p.kind == .chainBroken)
    }

    @Test func aChangedSignatureFailsEvenWithARecomputedClosureHash() throws {
        let f = try ExportFixture()
        let doc = try CanonicalJSONParser.parse(try export(f))
        var recs = try records(doc)
        let i = try index(recs, "session_closures", row: 1)
        var values = try #require(recs[i]["values"]?.objectValue)
        let sig = try #require(values["signature"]?.stringValue)
        values["signature"] = .string(String(sig.dropLast()) + (sig.hasSuffix("0") ? "1" : "0"))
        recs[i]["values"] = .object(values)
        try rehash(&recs, from: i, through: i)
        var top = try #require(doc.objectValue)
        var seal = try #require(top["seal"]?.objectValue)
        seal["signature"] = values["signature"]
        top["seal"] = .object(seal)
        top["records"] = .array(recs.map(CanonicalJSON.object))
        let p = try #require(try verify(CanonicalJSON.object(top).rendered()).firstProblem)
        #expect(p.kind == .badSeal && p.table == "session_closures")
        #expect(p.detail.contains("signature"))
    }

    @Test func aSealObjectThatDiffersFromTheClosureRecordIsDetected() throws {
        let f = try ExportFixture()
        let text = try export(f)
        var top = try #require(try CanonicalJSONParser.parse(text).objectValue)
        var seal = try #require(top["seal"]?.objectValue)
        seal["passes"] = .integer(2)
        top["seal"] = .object(seal)
        let p = try #require(try verify(CanonicalJSON.object(top).rendered()).firstProblem)
        #expect(p.kind == .altered && p.table == "session_closures")
    }

    @Test func anotherMachineKeyOrAnUntrustedKeyIsRefused() throws {
        let f = try ExportFixture()
        let text = try export(f)
        let other = String(repeating: "ab", count: 32)
        let swapped = text.replacingOccurrences(of: "\"machine_public_key\": \"\(f.seal.publicKey)\"", with: "\"machine_public_key\": \"\(other)\"")
        #expect(try verify(swapped).firstProblem?.kind == .badSeal)
        let p = try #require(try verify(text, trusted: [other]).firstProblem)
        #expect(p.kind == .untrustedKey)
    }

    @Test func anUnsealedExportDoesNotVerify() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        let id = try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 20))
        let text = try SessionExportJSON.render(sessionID: id, from: j)
        try w.close()
        let p = try #require(try verify(text).firstProblem)
        #expect(p.kind == .badSeal)
        #expect(p.detail.contains("nothing in it is signed"))
    }

    @Test func textThatIsNotAnExportIsRefusedWithAClearError() throws {
        #expect(throws: JournalError.self) { try verify("{\"format\": \"something-else\"}") }
        do {
            _ = try verify("{ not json")
            Issue.record("no error for malformed JSON")
        } catch let error as JournalError {
            #expect(error.description.hasPrefix("error: not a verifiable session export (test.json): it is not JSON"))
        }
    }

    @Test func aRedactedExportHasNoNameOrBirthDateAndStillVerifiesTheSealedRecords() throws {
        let f = try ExportFixture()
        let text = try export(f, redaction: .pseudonymous)
        #expect(!text.contains("Ana Client"))
        #expect(!text.contains("1988-02-29"))
        #expect(!text.contains("\"Ana\""))
        let doc = try CanonicalJSONParser.parse(text)
        let recs = try records(doc)
        let client = recs[try index(recs, "clients", row: 1)]
        #expect(client["values"]?["name"]?.stringValue == "c-001")
        #expect(client["values"]?["date_of_birth"]?.stringValue == "c-001")
        #expect(client["redacted_columns"] == .array(["date_of_birth", "name"]))
        #expect(doc["redacted"] == .bool(true))
        let r = try verify(text)
        #expect(r.firstProblem == nil)
        #expect(r.redacted == 2)
        // The redacted operator row (seq 3) cannot be recomputed: the seal reaches back to the
        // machine row after it, not over the client, consent and operator rows.
        #expect(r.sealed == recs.count - 3)
        // Redaction cannot be claimed for a column it never replaces.
        var copy = recs
        let i = try index(recs, "zone_passes", row: 1)
        copy[i]["redacted_columns"] = .array(["zone"])
        #expect(try verify(replacing(doc, records: copy)).firstProblem?.kind == .altered)
    }

    @Test func otherSessionsRowsInsideTheStretchTravelAsHashesOnly() throws {
        // A client registered by another process while the session runs lands inside the
        // session's stretch of the chain: its hash is exported, its name never.
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        let id = try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 20))
        _ = try j.addClient(ref: "c-002", name: "Someone Else", dateOfBirth: "1970-01-01")
        try w.ingest(Fixture.pass(at: 3_000_000_000, samples: 20))
        try w.endSession(at: 4_000_000_000)
        try w.close()
        let text = try SessionExportJSON.render(sessionID: id, from: j)
        #expect(!text.contains("Someone Else"))
        #expect(!text.contains("c-002"))
        let r = try verify(text)
        #expect(r.firstProblem == nil)
        #expect(r.hashOnly == 1)
        // The records before the foreign one are self-consistent but not under the seal.
        #expect(r.sealed < r.recomputed)
    }
}
