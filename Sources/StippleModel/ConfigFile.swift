import Foundation
import TOMLKit

/// Reads a configuration file's bytes and parses them as TOML, refusing inputs that cannot be a
/// hand-written hardware description (too large, binary, not UTF-8) before the parser sees them.
public enum ConfigFile {
    /// Hardware descriptions are a few kilobytes; anything near this is a wrong file, not a profile.
    public static let maximumSize = 256 * 1024

    /// Reads `path` from disk. Problems are returned as issues naming the file.
    public static func read(path: String) -> Result<String, ConfigError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ConfigError([ConfigIssue(
                file: path, problem: "file not found",
                fix: "Check the path, or use `list` to see the files Stipple knows")]))
        }
        if isDirectory.boolValue {
            return .failure(ConfigError([ConfigIssue(
                file: path, problem: "is a directory, not a file",
                fix: "Name a .toml file inside it")]))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ConfigError([ConfigIssue(
                file: path, problem: "cannot be opened for reading",
                fix: "Check its permissions")]))
        }
        defer { try? handle.close() }
        // Read one byte past the limit so an oversize file is detected without loading all of it.
        let data: Data
        do {
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            return .failure(ConfigError([ConfigIssue(
                file: path, problem: "read failed (\(error.localizedDescription))",
                fix: "Check the disk and the file")]))
        }
        return decode(data, file: path)
    }

    /// Checks size and encoding of raw bytes and returns them as text.
    public static func decode(_ data: Data, file: String) -> Result<String, ConfigError> {
        if data.isEmpty {
            return .failure(ConfigError([ConfigIssue(
                file: file, problem: "is empty",
                fix: "Start from a shipped example (`stipple machine show NAME`) and edit it")]))
        }
        if data.count > maximumSize {
            return .failure(ConfigError([ConfigIssue(
                file: file, problem: "is larger than \(maximumSize / 1024) KiB, far beyond any hardware description",
                fix: "Check that this is the right file")]))
        }
        if data.contains(0) {
            return .failure(ConfigError([ConfigIssue(
                file: file, problem: "contains NUL bytes: it is a binary file, not TOML text",
                fix: "Check that this is the right file")]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ConfigError([ConfigIssue(
                file: file, problem: "is not valid UTF-8 text",
                fix: "Save it as UTF-8")]))
        }
        return .success(text)
    }

    /// Parses TOML text into a root table.
    public static func parse(_ text: String, file: String) -> Result<[String: ConfigValue], ConfigError> {
        do {
            let table = try TOMLTable(string: text)
            guard case .table(let root) = ConfigValue(table) else {
                return .failure(ConfigError([ConfigIssue(file: file, problem: "has no top-level table", fix: "")]))
            }
            return .success(root)
        } catch let error as TOMLParseError {
            let at = error.source.begin
            return .failure(ConfigError([ConfigIssue(
                file: "\(file):\(at.line):\(at.column)",
                problem: "is not valid TOML (\(error.description))",
                fix: "Fix the syntax at that line and column")]))
        } catch {
            return .failure(ConfigError([ConfigIssue(
                file: file, problem: "is not valid TOML (\(error))", fix: "Fix the syntax")]))
        }
    }
}
