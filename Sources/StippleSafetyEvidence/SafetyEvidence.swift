import Foundation

/// What a safety test measured, for `make safety` (docs/SAFETY.md): each test that proves a
/// hazard row records the figure it asserted against the row's bound, and the runner prints it
/// next to the bound. Writes nothing unless `STIPPLE_SAFETY_EVIDENCE` names a file, so the tests
/// run the same under `make test`.
///
/// One JSON object per line, appended with O_APPEND in a single write (tests run in parallel).
public enum SafetyEvidence {
    public static let environmentVariable = "STIPPLE_SAFETY_EVIDENCE"

    /// - Parameters:
    ///   - hazard: the row's id in docs/SAFETY.md, e.g. "usb-unplug".
    ///   - what: what was measured, as the table prints it: "link-lost in".
    ///   - measured: the figure, in `unit`.
    ///   - bound: the row's bound, in the same unit (the runner checks measured <= bound too).
    ///   - unit: "ms", "µs", "steps", "cycles", "frames", ...
    public static func record(hazard: String, what: String, measured: Double, bound: Double, unit: String,
                              test: String = #function, file: String = #fileID) {
        guard let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty else { return }
        let object: [String: Any] = ["hazard": hazard, "what": what, "measured": measured, "bound": bound,
                                     "unit": unit, "test": test, "file": file]
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        line.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    }
}
