import Foundation
import StippleModel

/// Aligned text columns for listings.
func renderTable(_ header: [String], _ rows: [[String]]) -> [String] {
    let all = [header] + rows
    var widths = [Int](repeating: 0, count: header.count)
    for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return all.map { row in
        row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
}

/// Pretty, key-sorted JSON text for `--json` output.
func renderJSON(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
          let text = String(data: data, encoding: .utf8)
    else { return "null" }
    return text
}

extension ConfigIssue {
    var json: [String: Any] {
        var d: [String: Any] = ["file": file, "problem": problem, "fix": fix, "message": description]
        if let key { d["key"] = key }
        if let value { d["value"] = value }
        return d
    }
}

extension Depth {
    /// Plain millimetres with two decimals at least, for tables.
    var mm: String { plain }
}

/// Prints one "ok"/"error" block per validated file and returns whether all were valid.
func reportValidation(_ results: [(file: String, summary: String, issues: [ConfigIssue], notes: [String])],
                      json: Bool, in ctx: CLIContext) -> ExitStatus {
    if json {
        ctx.print(renderJSON(results.map { r -> [String: Any] in
            ["file": r.file, "valid": r.issues.isEmpty, "summary": r.summary,
             "errors": r.issues.map(\.json), "notes": r.notes]
        }))
    } else {
        for r in results {
            if r.issues.isEmpty {
                ctx.print("ok: \(r.file): \(r.summary)")
                for n in r.notes { ctx.print("  note: \(n)") }
            } else {
                for issue in r.issues { ctx.printError("error: \(issue)") }
                for n in r.notes { ctx.printError("  note: \(n)") }
            }
        }
        let bad = results.filter { !$0.issues.isEmpty }.count
        if bad > 0 {
            ctx.printError("\(bad) of \(results.count) file(s) invalid")
        }
    }
    return results.allSatisfy { $0.issues.isEmpty } ? .success : .invalidInput
}

/// The INVALID cell of a listing: how many errors, in which file, and the command that shows them
/// (with the same --config-dir, since the verdict may depend on other files in it).
func invalidCell(kind: String, name: String, file: String, errors: Int, configDir: String?) -> String {
    let dirOption = configDir.map { " --config-dir \($0)" } ?? ""
    return "INVALID (\(errors) error(s) in \(file); see `stipple \(kind) show \(name)\(dirOption)`)"
}
