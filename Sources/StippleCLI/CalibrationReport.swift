import Foundation

/// The text of a depth calibration: fit, every point with its residual, hysteresis, worst point
/// and verdict. `calibrate depth` prints it as it finishes; `calibration show` from the record.
enum CalibrationReport {
    static func lines(_ d: CalibrationDocument) -> [String] {
        var out: [String] = []
        func mm(_ v: Double) -> String { String(format: "%+.3f", v) }
        if d.kind == CalibrationDocument.membraneKind {
            out.append("membrane offset of cartridge type \(d.cartridge ?? "?"): \(String(format: "%.3f", d.membraneOffsetMillimetres ?? 0)) mm (on calibration \(d.base ?? "?"))")
        } else {
            out.append(String(format: "fit: needle = %.4f mm + %.5f x stage", d.offsetMillimetres, d.scale)
                + (d.quadraticUsed ? String(format: " %+.5f /mm x stage^2", d.quadraticPerMillimetre) : ""))
            if let f = d.fStatistic, let c = d.fCritical {
                let fText = f.isInfinite ? "inf" : String(format: "%.2f", f)
                out.append("second-order term: " + (d.quadraticUsed ? "significant" : "not significant")
                    + " (F = \(fText), 1% critical value \(String(format: "%.2f", c)))")
            }
            out.append(String(format: "gauge noise (residual s.d. without backlash): %.4f mm; hysteresis (back - deeper): mean %.4f mm", d.noiseMillimetres, d.meanHysteresisMillimetres))
        }
        if !d.cartridgeOffsetsMillimetres.isEmpty {
            out.append("cartridge membrane offsets: " + d.cartridgeOffsetsMillimetres.sorted { $0.key < $1.key }
                .map { "\($0.key) \(String(format: "%.3f", $0.value)) mm" }.joined(separator: ", "))
        }
        out.append("")
        out.append("   #  stage mm  approach  reading mm  residual mm")
        for (i, p) in d.points.enumerated() {
            let r = d.residualsMillimetres[i]
            let flag = abs(r) > d.toleranceMillimetres ? "  OUT" : (i == d.worstIndex ? "  worst" : "")
            out.append(String(format: "  %2d  %8.3f  %-8@  %10.3f  %11@%@", i + 1, p.stageMillimetres,
                              p.approachedDeeper ? "deeper" : "back", p.readingMillimetres, mm(r), flag))
        }
        if !d.hysteresisMillimetres.isEmpty {
            out.append("")
            out.append("hysteresis by position: " + d.hysteresisMillimetres.map {
                String(format: "%.3f: %@", $0[0], mm($0[1]))
            }.joined(separator: ", "))
        }
        out.append("")
        let worst = d.residualsMillimetres.isEmpty ? 0 : d.residualsMillimetres[d.worstIndex]
        out.append("worst point: #\(d.worstIndex + 1) at stage \(String(format: "%.3f", d.points.isEmpty ? 0 : d.points[d.worstIndex].stageMillimetres)) mm, residual \(mm(worst)) mm; tolerance +/-\(String(format: "%.3f", d.toleranceMillimetres)) mm")
        out.append("result: " + (d.passed ? "PASS" : "FAIL (\(d.failureSummary))"))
        return out
    }
}

extension CalibrationDocument {
    /// Why it failed, in a phrase.
    var failureSummary: String {
        let out = residualsMillimetres.filter { abs($0) > toleranceMillimetres }.count
        if out > 0 {
            return "\(out) of \(points.count) readings lie outside +/-\(String(format: "%.3f", toleranceMillimetres)) mm of the fit, worst "
                + String(format: "%+.3f", residualsMillimetres[worstIndex]) + " mm"
        }
        if let m = membraneOffsetMillimetres, !passed { return String(format: "the membrane offset %.3f mm is outside 0-0.6 mm", m) }
        return passed ? "passed" : "failed"
    }
}
