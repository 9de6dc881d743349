import Foundation
@testable import StippleJournal
import Testing

/// The CSV export reads back in a spreadsheet: one row per pass, RFC 4180.
@Suite struct SessionExportCSVTests {
    /// An RFC 4180 reader: fields split on commas, quoted fields may hold commas, CRLF and
    /// doubled quotes; records end with CRLF.
    static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty else { throw CSVProblem(what: "quote inside an unquoted field") }
                quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r":
                guard chars.popFirst() == "\n" else { throw CSVProblem(what: "CR without LF") }
                record.append(field)
                records.append(record)
                record = []
                field = ""
            case "\n": throw CSVProblem(what: "bare LF line end")
            default: field.unicodeScalars.append(c)
            }
        }
        guard !quoted, field.isEmpty, record.isEmpty else { throw CSVProblem(what: "the last record does not end with CRLF") }
        return records
    }

    struct CSVProblem: Error { var what: String }

    @Test func oneRowPerPassWithAHeaderUTCTimesAndUnitsInTheNames() throws {
        let f = try ExportFixture()
        let d = try f.journal.session(id: f.sessionID)
        let rows = try Self.parse(SessionExportCSV.render(d))
        #expect(rows.count == 1 + 3)
        let header = rows[0]
        #expect(header == SessionExportCSV.header)
        #expect(header.contains("rate_set_hz") && header.contains("depth_p95_mm") && header.contains("duration_s"))
        #expect(rows.allSatisfy { $0.count == header.count })
        func cell(_ r: Int, _ name: String) throws -> String { rows[r][try #require(header.firstIndex(of: name))] }
        #expect(try cell(1, "zone") == "frontal-hairline")
        #expect(try cell(3, "zone") == "crown")
        #expect(try cell(1, "started_utc") == "2026-11-20T09:00:01.000000Z")
        #expect(UTCTimestamp(iso8601: try cell(2, "ended_utc")) == d.passes[1].endedAt)
        #expect(try cell(3, "rate_set_hz") == "110.0")
        #expect(Double(try cell(1, "depth_p5_mm")) == d.passes[0].depth?.p5)
        #expect(Double(try cell(1, "duration_s")) == 0.201)
        #expect(try cell(3, "stop_reason") == "e-stop")
        #expect(try cell(2, "interruptions") == "1")
        #expect(try cell(1, "client_name") == "Ana Client")
        #expect(try cell(1, "pigment_lot") == "LOT-77")
        #expect(try cell(1, "cartridge_lot") == "L2611")
    }

    @Test func fieldsWithCommasQuotesAndLineBreaksAreQuotedAndReadBack() throws {
        let profile = "soft, \"v2\"\r\nline"
        let f = try ExportFixture(profile: profile)
        let rows = try Self.parse(SessionExportCSV.render(try f.journal.session(id: f.sessionID)))
        let i = try #require(rows[0].firstIndex(of: "profile"))
        #expect(rows[1][i] == profile)
    }

    @Test func formulaLookingTextIsDefused() throws {
        let f = try ExportFixture(crownZone: "=HYPERLINK(\"x\")")
        let rows = try Self.parse(SessionExportCSV.render(try f.journal.session(id: f.sessionID)))
        let i = try #require(rows[0].firstIndex(of: "zone"))
        #expect(rows[3][i] == "'=HYPERLINK(\"x\")")
        #expect(SessionExportCSV.field("-0.5") == "-0.5")
    }

    @Test func aRedactedCSVHasThePseudonymForTheName() throws {
        let f = try ExportFixture()
        let text = SessionExportCSV.render(try f.journal.session(id: f.sessionID), redaction: .pseudonymous)
        #expect(!text.contains("Ana Client"))
        let rows = try Self.parse(text)
        let i = try #require(rows[0].firstIndex(of: "client_name"))
        #expect(rows[1][i] == "c-001")
    }
}
