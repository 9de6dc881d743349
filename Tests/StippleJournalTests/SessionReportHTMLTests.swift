import Foundation
@testable import StippleJournal
import Testing

/// The printable report: self-contained, escaped, with the zone map and the verification.
@Suite struct SessionReportHTMLTests {
    private func report(_ f: ExportFixture, redaction: ExportRedaction = .off) throws -> String {
        SessionReportHTML.render(try f.journal.session(id: f.sessionID), verification: try f.journal.verify(), redaction: redaction)
    }

    @Test func theReportHasEverySectionTheMapAndTheVerification() throws {
        let f = try ExportFixture()
        let html = try report(f)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for text in ["Ana Client (c-001)", "1988-02-29", "Ana (op-ana)", "2026-11-20", "Rotary R1, serial R1-0042, firmware 1.4.2",
                     "Scalp Ink Co", "Dark Brown 2", "B12", "LOT-77", "2027-03-31", "1.0 : 1", "9000001", "L2611",
                     "consent-2026-001", "e-stop", "fault", "@media print"] {
            #expect(html.contains(text), "missing \(text)")
        }
        // Zone map: the hairline had two passes, the crown one, the temples none.
        #expect(html.contains(#"data-zone="frontal-hairline" data-passes="2""#))
        #expect(html.contains(#"data-zone="crown" data-passes="1""#))
        #expect(html.contains(#"data-zone="temple-left" data-passes="0""#))
        #expect(html.contains("<svg"))
        // Verification block: the chain head and the seal.
        let v = try f.journal.verify()
        #expect(html.contains(v.headHash))
        #expect(html.contains(f.seal.signature) && html.contains(f.seal.publicKey) && html.contains(f.seal.headHash))
        #expect(html.contains("verified: \(v.entriesChecked) records"))
        // Three pass rows in the passes table.
        #expect(html.components(separatedBy: "<td>Frontal hairline</td>").count - 1 == 2)
    }

    @Test func theReportLoadsNothingFromOutside() throws {
        let html = try report(try ExportFixture())
        for forbidden in ["<script", "<link", "src=", "href=", "url(", "@import", "<img", "<iframe"] {
            #expect(!html.lowercased().contains(forbidden), "found \(forbidden)")
        }
        // The only URL is the SVG namespace, which is a name, not a fetch.
        #expect(html.components(separatedBy: "http").count - 1 == 1)
    }

    @Test func everythingFromTheJournalIsEscaped() throws {
        let f = try ExportFixture(clientName: "<script>alert('x')</script> & \"Co\"", crownZone: "crown<b>", profile: "p&<i>")
        let html = try report(f)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"))
        #expect(!html.contains("crown<b>") && html.contains("crown&lt;b&gt;"))
        #expect(!html.contains("p&<i>") && html.contains("p&amp;&lt;i&gt;"))
    }

    @Test func aRedactedReportShowsOnlyPseudonymousIds() throws {
        let f = try ExportFixture()
        let html = try report(f, redaction: .pseudonymous)
        #expect(!html.contains("Ana Client"))
        #expect(!html.contains("1988-02-29"))
        #expect(!html.contains("Ana (op-ana)"))
        #expect(html.contains("<th>Client</th><td>c-001</td>"))
        #expect(html.contains("<th>Operator</th><td>op-ana</td>"))
    }

    @Test func aFailedVerificationIsPrinted() throws {
        let f = try ExportFixture()
        try f.journal.close()
        try RawSQL.execute(f.tmp.journalPath, "UPDATE zone_passes SET strokes = strokes + 1 WHERE id = 2")
        let j = try Journal.open(at: f.tmp.journalPath)
        let html = SessionReportHTML.render(try j.session(id: f.sessionID), verification: try j.verify())
        #expect(html.contains("FAILED — zone_passes row 2"))
    }
}
