import Foundation

/// Reads one TOML table strictly: every key it is asked for is type- and range-checked, every key it
/// was not asked for is reported as unknown by `finish()`, and every problem is collected rather
/// than thrown, so a file's errors are all reported in one pass (as Klipper's configfile does).
final class TableReader {
    let file: String
    let path: String
    private let values: [String: ConfigValue]
    private var consumed: Set<String> = []
    private let sink: IssueSink

    final class IssueSink {
        var issues: [ConfigIssue] = []
    }

    init(file: String, values: [String: ConfigValue], path: String = "", sink: IssueSink = IssueSink()) {
        self.file = file
        self.values = values
        self.path = path
        self.sink = sink
    }

    var issues: [ConfigIssue] { sink.issues }

    /// The issue list, for readers of tables nested in arrays (which `table(_:)` cannot reach).
    var sinkForNested: IssueSink { sink }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func report(_ key: String?, value: ConfigValue? = nil, _ problem: String, fix: String) {
        sink.issues.append(ConfigIssue(
            file: file, key: key.map(keyPath), value: value?.rendered, problem: problem, fix: fix))
    }

    /// Reports an issue at a key path that is already fully qualified.
    func reportAt(_ fullKey: String?, value: String?, _ problem: String, fix: String) {
        sink.issues.append(ConfigIssue(file: file, key: fullKey, value: value, problem: problem, fix: fix))
    }

    func has(_ key: String) -> Bool { values[key] != nil }

    /// The raw value, marked as read; a missing required key is reported with `expect` as the hint.
    func raw(_ key: String, required: Bool, expect: String) -> ConfigValue? {
        consumed.insert(key)
        guard let v = values[key] else {
            if required { report(key, "is required but missing", fix: "Add \(keyPath(key)) (\(expect))") }
            return nil
        }
        return v
    }

    func string(_ key: String, required: Bool = true, expect: String = "a string") -> String? {
        guard let v = raw(key, required: required, expect: expect) else { return nil }
        guard case .string(let s) = v else {
            report(key, value: v, "must be a string, not \(v.typeName)", fix: "Write it in quotes (\(expect))")
            return nil
        }
        if s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            report(key, value: v, "must not be empty", fix: "Give \(expect)")
            return nil
        }
        return s
    }

    func bool(_ key: String, required: Bool = true) -> Bool? {
        guard let v = raw(key, required: required, expect: "true or false") else { return nil }
        guard case .boolean(let b) = v else {
            report(key, value: v, "must be true or false, not \(v.typeName)", fix: "Write true or false, without quotes")
            return nil
        }
        return b
    }

    func integer(_ key: String, in range: ClosedRange<Int>, unit: String = "", required: Bool = true) -> Int? {
        let units = unit.isEmpty ? "" : " " + unit
        let expect = "a whole number from \(range.lowerBound) to \(range.upperBound)\(units)"
        guard let v = raw(key, required: required, expect: expect) else { return nil }
        guard case .integer(let i) = v else {
            report(key, value: v, "must be a whole number, not \(v.typeName)", fix: "Write \(expect)")
            return nil
        }
        guard range.contains(i) else {
            report(key, value: v, "is outside the allowed range \(range.lowerBound)-\(range.upperBound)\(units)",
                   fix: "Use \(expect)")
            return nil
        }
        return i
    }

    /// A number (integer or float) within `range`, rendered with `unit` in messages.
    func number(_ key: String, in range: ClosedRange<Double>, unit: String, required: Bool = true) -> Double? {
        let lo = ConfigValue.render(range.lowerBound), hi = ConfigValue.render(range.upperBound)
        let expect = "a number from \(lo) to \(hi) \(unit)"
        guard let v = raw(key, required: required, expect: expect) else { return nil }
        let d: Double
        switch v {
        case .integer(let i): d = Double(i)
        case .float(let f): d = f
        default:
            report(key, value: v, "must be a number, not \(v.typeName)", fix: "Write \(expect), without quotes")
            return nil
        }
        guard d.isFinite else {
            report(key, value: v, "must be a finite number", fix: "Write \(expect)")
            return nil
        }
        guard range.contains(d) else {
            report(key, value: v, "is outside the allowed range \(lo)-\(hi) \(unit)", fix: "Use \(expect)")
            return nil
        }
        return d
    }

    /// An array of non-empty strings with no duplicates. Bad entries are reported and left out;
    /// the rest are returned so callers can check them too (the file still fails on the report).
    func stringArray(_ key: String, required: Bool = true, expect: String) -> [(index: Int, value: String)]? {
        guard let v = raw(key, required: required, expect: expect) else { return nil }
        guard case .array(let items) = v else {
            report(key, value: v, "must be an array of strings, not \(v.typeName)", fix: "Write it as [\"...\", ...] (\(expect))")
            return nil
        }
        if items.isEmpty {
            report(key, value: v, "must not be empty", fix: "List at least one (\(expect))")
            return nil
        }
        var out: [(index: Int, value: String)] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item, !s.isEmpty else {
                reportAt(keyPath(key) + "[\(i)]", value: item.rendered, "must be a non-empty string, not \(item.typeName)",
                         fix: "Write each entry in quotes (\(expect))")
                continue
            }
            if out.contains(where: { $0.value == s }) {
                reportAt(keyPath(key) + "[\(i)]", value: item.rendered, "is listed twice",
                         fix: "Remove the duplicate")
                continue
            }
            out.append((i, s))
        }
        return out
    }

    /// A sub-table reader sharing this reader's issue list.
    func table(_ key: String, required: Bool = true, expect: String) -> TableReader? {
        guard let v = raw(key, required: required, expect: expect) else { return nil }
        guard case .table(let t) = v else {
            report(key, value: v, "must be a table, not \(v.typeName)", fix: "Write it as [\(keyPath(key))] or { ... } (\(expect))")
            return nil
        }
        return TableReader(file: file, values: t, path: keyPath(key), sink: sink)
    }

    /// Reports every key in this table that nobody asked for; call once all fields are read.
    func finish() {
        let known = consumed.sorted()
        for key in values.keys.sorted() where !consumed.contains(key) {
            var fix = "Remove it"
            if let near = known.min(by: { editDistance($0, key) < editDistance($1, key) }),
               editDistance(near, key) <= max(2, key.count / 3) {
                fix = "Did you mean \(keyPath(near))? Otherwise remove it"
            } else if !known.isEmpty {
                fix = "Remove it; known keys here: " + known.joined(separator: ", ")
            }
            report(key, value: values[key], "is not a known key", fix: fix)
        }
    }
}

/// Levenshtein distance, for "did you mean" hints on misspelt keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
