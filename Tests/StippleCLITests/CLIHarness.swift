import Foundation
import StippleCLI
import Testing

/// What one in-process CLI run produced.
struct CLIResult {
    var status: Int32
    var out: String
    var err: String

    var outLines: [String] { Self.lines(out) }
    var errLines: [String] { Self.lines(err) }

    /// stderr lines that report one problem (`error: ...`).
    var errorLines: [String] { errLines.filter { $0.hasPrefix("error: ") } }

    /// stdout parsed as JSON, as `--json` promises.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(out.utf8))
    }

    /// stdout parsed as a JSON array of objects (listings, validation reports).
    func jsonArray(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(try json() as? [[String: Any]], "stdout is not a JSON array of objects:\n\(out)",
                     sourceLocation: sourceLocation)
    }

    /// stdout parsed as one JSON object (`show --json`).
    func jsonObject(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try json() as? [String: Any], "stdout is not a JSON object:\n\(out)",
                     sourceLocation: sourceLocation)
    }

    /// The first cell of each table row below the header.
    var tableNames: [String] {
        outLines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The table row whose first cell is `name`.
    func row(_ name: String) -> String? {
        outLines.dropFirst().first { $0.split(separator: " ").first.map(String.init) == name }
    }

    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .reversed().drop { $0.isEmpty }.reversed()
    }
}

/// Collects text written by a command; commands run synchronously, the lock only keeps the
/// `@Sendable` capture honest.
private final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func append(_ s: String) { lock.withLock { text += s } }
    var value: String { lock.withLock { text } }
}

/// Runs `stipple ARGS` in-process with captured stdout/stderr and exactly `environment` (so a
/// developer's own $STIPPLE_CONFIG_DIR never leaks into a test).
func runCLI(_ arguments: [String], environment: [String: String] = [:]) -> CLIResult {
    let out = OutputBuffer(), err = OutputBuffer()
    let ctx = CLIContext(environment: environment, out: { out.append($0) }, err: { err.append($0) })
    let status = CLIRunner.run(arguments, in: ctx)
    return CLIResult(status: status, out: out.value, err: err.value)
}

/// A fresh folder under the system temp directory, removed when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) throws -> T) throws -> T {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    return try body(dir)
}

struct TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stipple-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// Writes `text` at `relativePath` (creating folders) and returns the file's full path.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    /// The full path of `relativePath` inside this folder, whether or not it exists.
    func path(_ relativePath: String) -> String {
        (path as NSString).appendingPathComponent(relativePath)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The files shipped in the repository's Hardware/ folder.
enum Shipped {
    static let machines = ["direct-d1", "linear-l2", "rotary-r1"]
    static let cartridges = ["1RL-0.18", "1RL-0.20", "1RL-0.25", "1RL-0.30", "1RL-0.35", "3RL-0.20", "3RL-0.25", "3RL-0.30"]
    static let profiles = ["crown-vertex", "donor-scar-camouflage", "first-session-conservative",
                           "frontal-hairline-soft", "mid-scalp-density", "temples"]

    /// Tests/StippleCLITests/CLIHarness.swift -> the package root's Hardware/.
    static let hardwareDirectory: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Hardware").path
    }()

    static func path(_ folder: String, _ name: String) -> String {
        "\(hardwareDirectory)/\(folder)/\(name).toml"
    }

    static func text(_ folder: String, _ name: String) throws -> String {
        try String(contentsOfFile: path(folder, name), encoding: .utf8)
    }
}

/// TOML text for test files; defaults are valid on both shipped machines.
enum Fixture {
    static func profile(
        name: String, cartridges: [String] = ["1RL-0.25"], target: String = "1.0", min: String = "0.8",
        max: String = "1.2", rate: String = "100", rampIn: Int = 300, zones: [String] = ["crown"],
        description: String = "test profile", extra: String = ""
    ) -> String {
        """
        name = "\(name)"
        description = "\(description)"
        zones = [\(zones.map { "\"\($0)\"" }.joined(separator: ", "))]
        compatible_cartridges = [\(cartridges.map { "\"\($0)\"" }.joined(separator: ", "))]
        rate_hz = \(rate)
        ramp_in_ms = \(rampIn)
        ramp_out_ms = 200
        \(extra)

        [depth_mm]
        target = \(target)
        min = \(min)
        max = \(max)

        [variation]
        depth_amplitude_mm = 0.05
        seed = 7

        """
    }

    static func machine(
        name: String, kind: String = "rotary", heartbeat: Int = 50, depthMax: String = "2.5", extra: String = ""
    ) -> String {
        """
        name = "\(name)"
        model = "Test pen"
        kind = "\(kind)"
        heartbeat_deadline_ms = \(heartbeat)
        \(extra)

        [usb]
        vendor_id = 0x1209
        product_id = 0x5701
        interface = 0
        endpoint_out = 0x01
        endpoint_in = 0x81

        [gpio]
        chip = "gpiochip0"
        pedal = { offset = 17, active_low = true }
        estop = { offset = 27, active_low = false }
        motor_enable = { offset = 22, active_low = false }
        cartridge_present = { offset = 23, active_low = true }
        status_led = { offset = 24, active_low = false }

        [limits]
        depth_min_mm = 0.0
        depth_max_mm = \(depthMax)
        depth_step_mm = 0.05
        rate_min_hz = 50
        rate_max_hz = 150
        stroke_length_mm = 3.5
        depth_slew_mm_per_s = 8.0
        ramp_min_ms = 100
        ramp_max_ms = 3000

        [actuator]
        motor_time_constant_ms = 40.0
        depth_stage = "stepper"
        motor_current_nominal_ma = 320
        motor_current_max_ma = 850
        depth_sensor_noise_um = 5

        """
    }

    static func cartridge(name: String, needles: Int = 1, diameter: String = "0.25", maxDepth: String = "2.0") -> String {
        """
        name = "\(name)"
        needles = \(needles)
        grouping = "RL"
        needle_diameter_mm = \(diameter)
        max_depth_mm = \(maxDepth)
        membrane_offset_mm = 0.2
        single_use = true

        """
    }
}

/// `error: FILE: key = value problem. fix` — the shape every validation error line must have.
func isWellFormedErrorLine(_ line: String, file: String) -> Bool {
    let prefix = "error: \(file): "
    guard line.hasPrefix(prefix) else { return false }
    let rest = line.dropFirst(prefix.count)
    guard let eq = rest.range(of: " = ") else { return false }
    let key = rest[..<eq.lowerBound]
    let afterValue = rest[eq.upperBound...]
    return !key.isEmpty && !key.contains(" ") && afterValue.contains(" ") && afterValue.contains(". ")
}

@Suite("Test harness")
struct HarnessTests {
    @Test func temporaryDirectoryIsRemovedAfterUse() throws {
        let kept = try withTemporaryDirectory { dir -> String in
            try dir.write("profiles/x.toml", "name = \"x\"\n")
            #expect(FileManager.default.fileExists(atPath: dir.path("profiles/x.toml")))
            return dir.path
        }
        #expect(!FileManager.default.fileExists(atPath: kept))
    }

    @Test func capturesStdoutAndStderrSeparately() {
        let ok = runCLI(["version"])
        #expect(ok.out.hasPrefix("stipple "))
        #expect(ok.err.isEmpty)
        let bad = runCLI(["machine", "show", "no-such-machine"])
        #expect(bad.out.isEmpty)
        #expect(bad.err.hasPrefix("error: "))
    }
}
