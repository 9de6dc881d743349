/// The printable report of one session for the client file: one A4 page per session, self
/// contained (inline CSS with print rules, inline SVG, no scripts, fonts, images or links to
/// fetch), every value from the journal HTML-escaped.
///
/// Sections: who and when (client, operator, dates, machine, calibration, plan, consent),
/// ink passport (pigments), cartridges, the scalp zone map shaded by passes, the passes, faults
/// and other events, and the verification block: the journal's verification at export time,
/// its chain head, and the session's seal, so a printed page can be matched to the journal
/// and to the JSON export later.
public enum SessionReportHTML {
    public static func render(_ d: SessionDetail, verification: VerificationReport, redaction: ExportRedaction = .off) -> String {
        let e = HTMLText.escape
        var h = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Session \(d.summary.id) — \(e(redaction.clientDisplayName(d.client)))</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <main class="report">
            <header><h1>Scalp micropigmentation — session \(d.summary.id)</h1>
            <p class="status status-\(e(d.summary.status.rawValue))">\(e(d.summary.status.rawValue))</p></header>

            """
        var facts: [(String, String)] = [("Client", redaction.clientDisplayName(d.client) + (redaction.isOn || d.client.name == nil ? "" : " (\(d.client.ref))"))]
        if let dob = redaction.dateOfBirth(d.client) { facts.append(("Date of birth", dob)) }
        facts.append(("Operator", redaction.operatorDisplayName(d.operatorRecord)))
        facts.append(("Date", d.summary.startedAt.day))
        facts.append(("Started (UTC)", d.summary.startedAt.iso8601))
        facts.append(("Ended (UTC)", d.summary.endedAt?.iso8601 ?? "not ended"))
        facts.append(("Machine", "\(d.summary.machine.model), serial \(d.summary.machine.serial), firmware \(d.summary.machine.firmwareVersion)"))
        facts.append(("Calibration", d.calibrationRef ?? "none recorded"))
        if let plan = d.plan { facts.append(("Treatment plan", "\(plan.plannedSessions) sessions, \(plan.spacingDays) days apart")) }
        facts.append(("Consent", d.client.consents.isEmpty ? "none on file"
            : d.client.consents.map { "\($0.documentRef) (signed \($0.signedAt.day))" }.joined(separator: "; ")))
        h += "<section class=\"facts\"><table>\n"
        for (k, v) in facts { h += "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>\n" }
        h += "</table></section>\n"

        h += "<section><h2>Pigments (ink passport)</h2>\n"
        h += table(["Brand", "Name", "Batch", "Lot", "Expiry", "Dilution"], d.pigments.map {
            [$0.brand, $0.name, $0.batch, $0.lot, $0.expiry, "\($0.dilution.description) : 1"]
        }, empty: "No pigment recorded.")
        h += "</section>\n<section><h2>Cartridges</h2>\n"
        h += table(["Unique id", "Type", "Lot", "Single use", "Fitted (UTC)"], d.cartridges.map {
            [String($0.cartridge.uid), $0.cartridge.typeName, $0.cartridge.lot, $0.cartridge.singleUse ? "yes" : "no", $0.usedAt.iso8601]
        }, empty: "No cartridge recorded.")
        h += "</section>\n"

        var counts: [String: Int] = [:]
        for p in d.passes { counts[p.zone, default: 0] += 1 }
        let mapped = Set(ScalpZoneMap.shapes.map(\.zone))
        let others = counts.filter { !mapped.contains($0.key) }.sorted { $0.key < $1.key }
        h += "<section class=\"map\"><h2>Zones treated</h2><div class=\"map-row\">\(ScalpZoneMap.svg(passes: counts))<ul>"
        for s in ScalpZoneMap.shapes {
            h += "<li>\(e(ScalpZoneMap.label(s.zone))): \(counts[s.zone] ?? 0)</li>"
        }
        for (zone, n) in others { h += "<li>\(e(ScalpZoneMap.label(zone))): \(n) (not on the map)</li>" }
        h += "</ul></div></section>\n"

        h += "<section><h2>Zone passes</h2>\n"
        h += table(["#", "Zone", "Profile", "Start (UTC)", "Duration s", "Strokes", "Rate Hz set / mean (min–max)",
                    "Stage depth mm set / mean (p5–p95)", "Stop", "Pauses"], d.passes.map { p in
            [String(p.ordinal), ScalpZoneMap.label(p.zone), p.profileName, p.startedAt.iso8601, fixed(Double(p.durationNanoseconds) / 1e9, 3),
             String(p.strokes),
             "\(fixed(p.rateSetHertz, 1)) / " + (p.rate.map { "\(fixed($0.mean, 1)) (\(fixed($0.min, 1))–\(fixed($0.max, 1)))" } ?? "no data"),
             "\(fixed(p.depthSetMillimetres, 2)) / " + (p.depth.map { s in
                 "\(fixed(s.mean, 2))" + (s.p5.flatMap { a in s.p95.map { b in " (\(fixed(a, 2))–\(fixed(b, 2)))" } } ?? "") } ?? "no data"),
             p.stopReason + (p.faultCode.map { " (fault \($0))" } ?? ""),
             p.interruptions.isEmpty ? "" : p.interruptions.map(\.reason).joined(separator: ", ")]
        }, empty: "No zone pass recorded.")
        // The journal keeps the stage's set depth; the needle reaches it less the cartridge type's
        // membrane offset. Said here so nobody reads it as the depth in the skin.
        h += "<p class=\"note\">Stage depth is where the depth stage was set; the needle goes in that much less the cartridge type's membrane offset (its cartridge file).</p>\n"
        h += "</section>\n<section><h2>Faults and events</h2>\n"
        h += table(["Time (UTC)", "Kind", "Code", "Message", "Operator"], d.events.map {
            [$0.at.iso8601, $0.kind.rawValue, $0.code.map(String.init) ?? "", $0.message, $0.operatorRef ?? ""]
        }, empty: "No fault or event recorded.")
        h += "</section>\n"

        h += "<footer class=\"verification\"><h2>Verification</h2><table>\n"
        let status = verification.firstProblem.map { "FAILED — \($0.description)" }
            ?? "verified: \(verification.entriesChecked) records, \(verification.sealsChecked) seals"
        var rows: [(String, String)] = [("Journal at export", status),
                                        ("Chain head", "seq \(verification.headSeq), \(verification.headHash)")]
        if let s = d.seal {
            rows.append(("Seal", "\(s.status.rawValue), ended \(s.endedAt.iso8601), \(s.passes) passes, head seq \(s.headSeq)"))
            rows.append(("Sealed head hash", s.headHash))
            rows.append(("Machine key (Ed25519)", s.publicKey))
            rows.append(("Signature", s.signature))
        } else {
            rows.append(("Seal", "none: the session was open when this report was made"))
        }
        for (k, v) in rows { h += "<tr><th>\(e(k))</th><td class=\"mono\">\(e(v))</td></tr>\n" }
        h += "</table><p class=\"small\">Check this record with <code>stipple journal verify</code> on the journal, or "
            + "<code>stipple journal verify --file</code> on the session's JSON export.</p></footer>\n"
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    static func table(_ header: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(HTMLText.escape(empty))</p>\n" }
        var t = "<table class=\"grid\"><thead><tr>" + header.map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows { t += "<tr>" + r.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>\n" }
        return t + "</tbody></table>\n"
    }

    /// `places` decimals, half away from zero, `.` as the point whatever the locale.
    static func fixed(_ d: Double, _ places: Int) -> String {
        guard d.isFinite else { return d.description }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let n = Int64((abs(d) * scale).rounded())
        let whole = n / Int64(scale), frac = n % Int64(scale)
        var f = String(frac)
        while f.count < places { f = "0" + f }
        return (d < 0 && n != 0 ? "-" : "") + String(whole) + (places > 0 ? "." + f : "")
    }

    static let css = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; margin: 0; }
        .report { max-width: 190mm; margin: 0 auto; padding: 8mm; }
        h1 { font-size: 14pt; margin: 0 0 2mm; }
        h2 { font-size: 10.5pt; margin: 4mm 0 1.5mm; border-bottom: 1px solid #999; }
        header { display: flex; justify-content: space-between; align-items: baseline; }
        .status { font-weight: bold; text-transform: uppercase; }
        .status-interrupted, .status-open { color: #a00; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: 0.6mm 1.5mm; }
        .grid th, .grid td { border: 1px solid #bbb; font-size: 8.5pt; }
        .grid thead th { background: #eee; }
        .facts th, .verification th { width: 38mm; }
        .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
        .map-row { display: flex; gap: 6mm; align-items: center; }
        .map-row ul { margin: 0; padding-left: 4mm; columns: 2; column-gap: 8mm; font-size: 8.5pt; }
        .map-row li { break-inside: avoid; margin-left: 4mm; }
        .note { font-size: 8pt; color: #444; margin: 1mm 0 0; }
        .small, .empty { font-size: 8pt; color: #444; }
        @media print {
          @page { size: A4; margin: 10mm; }
          body { font-size: 8.5pt; }
          .report { padding: 0; max-width: none; page-break-after: always; break-after: page; }
          section, footer, tr { break-inside: avoid; }
          svg { width: 48mm; height: 60mm; }
        }
        """
}
