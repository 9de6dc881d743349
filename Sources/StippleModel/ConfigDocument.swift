import Foundation

/// Turns file text into a validated value: parse, read strictly, collect every issue.
enum ConfigDocument {
    static func decode<T>(text: String, file: String, _ read: (TableReader) -> T?) -> Result<T, ConfigError> {
        let (value, issues) = decodeAll(text: text, file: file, read)
        if let value, issues.isEmpty { return .success(value) }
        return .failure(ConfigError(issues))
    }

    /// Like `decode`, but also returns the value when every field needed to build it was readable
    /// even though the file has other problems (an unknown key, a duplicate entry). Callers use it
    /// only to find *more* problems to report; a file with any issue is never accepted.
    static func decodeAll<T>(text: String, file: String, _ read: (TableReader) -> T?) -> (T?, [ConfigIssue]) {
        switch ConfigFile.parse(text, file: file) {
        case .failure(let e):
            return (nil, e.issues)
        case .success(let root):
            let reader = TableReader(file: file, values: root)
            let value = read(reader)
            reader.finish()
            if value == nil && reader.issues.isEmpty {
                // A reader returned nil without saying why: still refuse, never accept half a file.
                return (nil, [ConfigIssue(file: file, problem: "could not be read", fix: "Check the file")])
            }
            return (value, reader.issues)
        }
    }

    /// Reads `name`, which must be a plain identifier equal to the file's stem, so that lookup by
    /// name and the file on disk can never disagree.
    static func name(_ r: TableReader, kind: String) -> String? {
        guard let name = r.string("name", expect: "the \(kind)'s name, equal to the file name without .toml") else { return nil }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }), name.count <= 64 else {
            r.report("name", value: .string(name), "must be 1-64 letters, digits, '-', '_' or '.'",
                     fix: "Rename it")
            return nil
        }
        let stem = URL(fileURLWithPath: r.file).deletingPathExtension().lastPathComponent
        if name != stem {
            r.report("name", value: .string(name), "does not match the file name \(stem).toml",
                     fix: "Rename the file to \(name).toml or set name = \"\(stem)\"")
            return nil
        }
        return name
    }
}
