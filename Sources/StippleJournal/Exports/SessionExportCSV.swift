import Foundation

/// The session's zone passes as CSV for spreadsheets: RFC 4180 (comma separated, CRLF line
/// ends, a header row, fields quoted when they hold a comma, a quote, CR or LF, quotes doubled),
/// one row per zone pass in pass order, times in UTC ISO 8601, units in the column names.
///
/// Numbers are written with `.` as the decimal point whatever the locale, in the shortest
/// spelling that reads back as the same value; a statistic the pass has none of (every sample
/// dropped) is an empty field.
public enum SessionExportCSV {
    public static let header = [
        "session_id", "client_id", "client_name", "operator_id", "pass", "zone", "profile", "profile_sha256",
        "started_utc", "ended_utc", "duration_s", "strokes",
        "rate_set_hz", "rate_mean_hz", "rate_min_hz", "rate_max_hz", "rate_p5_hz", "rate_p95_hz",
        "depth_set_mm", "depth_mean_mm", "depth_min_mm", "depth_max_mm", "depth_p5_mm", "depth_p95_mm",
        "samples_loop", "samples_journal", "stop_reason", "fault_code", "interruptions", "interruption_reasons",
        "machine_model", "machine_serial", "firmware_version", "cartridge_uid", "cartridge_type", "cartridge_lot",
        "pigment_brand", "pigment_name", "pigment_lot", "pigment_expiry",
    ]

    public static func render(_ d: SessionDetail, redaction: ExportRedaction = .off) -> String {
        var lines = [header.map(field).joined(separator: ",")]
        for p in d.passes {
            let pigment = d.pigments.first { $0.rowID == p.pigmentRowID }
            let cells: [String] = [
                String(d.summary.id), d.client.ref, redaction.clientName(d.client) ?? "", d.operatorRecord.ref,
                String(p.ordinal), p.zone, p.profileName, p.profileHash,
                p.startedAt.iso8601, p.endedAt.iso8601, number(Double(p.durationNanoseconds) / 1e9), String(p.strokes),
                number(p.rateSetHertz), number(p.rate?.mean), number(p.rate?.min), number(p.rate?.max), number(p.rate?.p5), number(p.rate?.p95),
                number(p.depthSetMillimetres), number(p.depth?.mean), number(p.depth?.min), number(p.depth?.max),
                number(p.depth?.p5), number(p.depth?.p95),
                String(p.samplesLoop), String(p.samplesJournal), p.stopReason, p.faultCode.map(String.init) ?? "",
                String(p.interruptions.count), p.interruptions.map(\.reason).joined(separator: "; "),
                p.machine.model, p.machine.serial, p.machine.firmwareVersion,
                String(p.cartridge.uid), p.cartridge.typeName, p.cartridge.lot,
                pigment?.brand ?? "", pigment?.name ?? "", pigment?.lot ?? "", pigment?.expiry ?? "",
            ]
            lines.append(cells.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A field, quoted if RFC 4180 asks it. Text starting with `=`, `+`, `@` or a `-` that is not
    /// a number gets a leading `'` so a spreadsheet shows it instead of running it as a formula
    /// (CSV injection through a zone name or a lot typed by someone).
    static func field(_ s: String) -> String {
        var s = s
        if let first = s.unicodeScalars.first, "=+@".unicodeScalars.contains(first) || (first == "-" && Double(s) == nil) {
            s = "'" + s
        }
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ d: Double?) -> String {
        guard let d, d.isFinite else { return "" }
        return d.description
    }
}
