import Glibc

/// `stipple-bench [wire] [rt] [estop]`: runs the named benchmarks in that order, or all of them
/// without an argument. Figures only, never pass/fail: the exit status says whether the
/// benchmark could run, not whether a goal was met.
enum BenchmarkCommand {
    static let benchmarks: [(name: String, summary: String, run: @Sendable () -> Void)] = [
        ("wire", "Swift vs C frame codec throughput, allocations per frame", WireBenchmark.run),
        ("rt", "real-time loop wake-up lateness at 1 kHz, Swift vs C, side by side", RealTimeBenchmark.run),
        ("estop", "e-stop edge to motor_enable write latency through the edge watcher", EStopBenchmark.run),
        ("cycle", "heap allocations per control cycle while needling (simulated machine)", ControlCycleBenchmark.run),
        ("journal", "journal pass commits vs raw SQLite; telemetry ingest with the 1 kHz loop running", JournalBenchmark.run),
    ]

    static func main(_ arguments: [String]) {
        let asked = Array(arguments.dropFirst())
        if asked.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "help" }) {
            printUsage()
            exit(0)
        }
        let unknown = asked.filter { name in !benchmarks.contains { $0.name == name } }
        guard unknown.isEmpty else {
            print("error: unknown benchmark (\(unknown.joined(separator: ", "))): stipple-bench knows "
                  + "\(benchmarks.map(\.name).joined(separator: ", ")). Run stipple-bench --help")
            exit(2)
        }
        let selected = asked.isEmpty ? benchmarks : benchmarks.filter { asked.contains($0.name) }
        for (i, b) in selected.enumerated() {
            if i > 0 { print("") }
            b.run()
        }
    }

    static func printUsage() {
        print("usage: stipple-bench [benchmark...]   (no argument: all, in this order)")
        for b in benchmarks { print("  \(b.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(b.summary)") }
    }
}
