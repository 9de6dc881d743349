import Glibc

/// `stipple-bench [wire] [rt] [estop] [cycle] [journal] [edges] [edge options]`: runs the named
/// benchmarks in that order, or all of them without a name. `--name value` pairs are options of
/// `edges` (the backend, the duration and the pulse plan). Figures only, never pass/fail: the exit status says whether the
/// benchmark could run, not whether a goal was met.
enum BenchmarkCommand {
    static let benchmarks: [(name: String, summary: String, run: @Sendable () -> Void)] = [
        ("wire", "Swift vs C frame codec throughput, allocations per frame", WireBenchmark.run),
        ("rt", "real-time loop wake-up lateness at 1 kHz, Swift vs C, side by side", RealTimeBenchmark.run),
        ("estop", "e-stop edge to motor_enable write latency through the edge watcher", EStopBenchmark.run),
        ("cycle", "heap allocations per control cycle while needling (simulated machine)", ControlCycleBenchmark.run),
        ("journal", "journal pass commits vs raw SQLite; telemetry ingest with the 1 kHz loop running", JournalBenchmark.run),
        // Run with the parsed options by `main`; this entry runs the defaults.
        ("edges", "stroke_pulse edge timing error, RealTimeLoop + TimedEdgeSource vs C, side by side", { StrokeEdgeBenchmark.run(.init()) }),
    ]

    static func main(_ arguments: [String]) {
        var asked: [String] = []
        var pairs: [(String, String)] = []
        var rest = arguments.dropFirst()[...]
        while let a = rest.popFirst() {
            if a == "-h" || a == "--help" || a == "help" {
                printUsage()
                exit(0)
            }
            if a.hasPrefix("--") {
                guard let value = rest.popFirst() else {
                    print("error: option \(a) has no value. Run stipple-bench --help")
                    exit(2)
                }
                pairs.append((a, value))
            } else {
                asked.append(a)
            }
        }
        let (parsed, problem) = StrokeEdgeBenchmark.Options.parse(pairs)
        guard let edgeOptions = parsed else {
            print("error: bad edges option (\(problem ?? "?")). Run stipple-bench --help")
            exit(2)
        }
        if !pairs.isEmpty, !asked.contains("edges") {
            print("error: options \(pairs.map(\.0).joined(separator: ", ")) belong to edges: name it (stipple-bench edges \(pairs.map { "\($0.0) \($0.1)" }.joined(separator: " ")))")
            exit(2)
        }
        let unknown = asked.filter { name in !benchmarks.contains { $0.name == name } }
        guard unknown.isEmpty else {
            print("error: unknown benchmark (\(unknown.joined(separator: ", "))): stipple-bench knows "
                  + "\(benchmarks.map(\.name).joined(separator: ", ")). Run stipple-bench --help")
            exit(2)
        }
        let selected = asked.isEmpty ? benchmarks : benchmarks.filter { asked.contains($0.name) }
        var failed = false
        for (i, b) in selected.enumerated() {
            if i > 0 { print("") }
            if b.name == "edges" { failed = !StrokeEdgeBenchmark.run(edgeOptions) || failed } else { b.run() }
        }
        if failed { exit(1) }
    }

    static func printUsage() {
        print("usage: stipple-bench [benchmark...]   (no argument: all, in this order)")
        for b in benchmarks { print("  \(b.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(b.summary)") }
        print("edges options: --chip gpiochipN --line OFFSET (libgpiod on a real line; default: in memory), "
              + "--seconds S (per side, default 10), --rounds N (alternating, default 2), --rate HZ (150), --width US (2000)")
    }
}
