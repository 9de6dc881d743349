import CAllocCounter
import Foundation
import Glibc
import StippleControl
import StippleHardware
import StippleLinux
import StippleModel
import StippleSimulator

/// Stroke-pulse edge timing on a direct-drive machine: how far after its planned instant each
/// `stroke_pulse` edge reaches the line, for `RealTimeLoop` at 1 kHz firing a `TimedEdgeSource`
/// (`BenchStrokePulseTrain`) next to a plain C program running the same schedule through the same
/// kind of line (Benchmarks/stroke-edges-c), Swift and C alternating, samples pooled per side.
/// The error of an edge is the clock read after the line write returned minus the planned
/// instant: wake-up lateness plus the write's cost. Figures and Swift/C ratios, never pass/fail:
/// the machine is shared and noisy.
enum StrokeEdgeBenchmark {
    static let period: UInt64 = 1_000_000
    static let priority: Int32 = 80

    struct Options: Equatable {
        var chip: String?
        var line: Int?
        var seconds: Double = 10
        var rounds: Int = 2
        var rateHz: UInt64 = 150
        var widthMicroseconds: UInt64 = 2000

        static let names = ["--chip", "--line", "--seconds", "--rounds", "--rate", "--width"]

        /// From `--name value` pairs; nil and a message naming the option when one is wrong.
        static func parse(_ pairs: [(String, String)]) -> (Options?, String?) {
            var o = Options()
            for (name, value) in pairs {
                switch name {
                case "--chip": o.chip = value
                case "--line":
                    guard let v = Int(value), v >= 0 else { return (nil, "--line \(value): a line offset is a whole number >= 0") }
                    o.line = v
                case "--seconds":
                    guard let v = Double(value), v >= 0.1, v <= 3600 else { return (nil, "--seconds \(value): 0.1 to 3600") }
                    o.seconds = v
                case "--rounds":
                    guard let v = Int(value), (1...100).contains(v) else { return (nil, "--rounds \(value): 1 to 100") }
                    o.rounds = v
                case "--rate":
                    guard let v = UInt64(value), (1...1000).contains(v) else { return (nil, "--rate \(value): 1 to 1000 Hz") }
                    o.rateHz = v
                case "--width":
                    guard let v = UInt64(value), v >= 1 else { return (nil, "--width \(value): microseconds >= 1") }
                    o.widthMicroseconds = v
                default: return (nil, "\(name) is not an option of edges (\(names.joined(separator: ", ")))")
                }
            }
            if (o.chip == nil) != (o.line == nil) {
                return (nil, "--chip and --line go together: the chip (gpiochipN) and the offset of the line to pulse")
            }
            if o.widthMicroseconds * 1000 >= 1_000_000_000 / o.rateHz {
                return (nil, "--width \(o.widthMicroseconds) µs: a pulse must be shorter than its period at \(o.rateHz) Hz")
            }
            return (o, nil)
        }

        /// Per round and side.
        var roundSeconds: Double { seconds / Double(rounds) }
        var pulsesPerRound: UInt64 { max(1, UInt64(roundSeconds * Double(rateHz))) }
        /// The plan starts ~1.25 ms in and ends one width after the last rise: 10 cycles more cover it.
        var cyclesPerRound: Int { Int(roundSeconds * 1000) + 10 }
    }

    /// One side's round: its samples and counters.
    struct Round {
        var samples: [UInt64]
        var planned: UInt64
        var overruns: UInt64
        var delayed: UInt64
        var failedWrites: UInt64 = 0
        var allocations: UInt64?
    }

    /// Allocation counts read inside the loop's body, read after the loop has ended.
    final class AllocationProbe: @unchecked Sendable {
        var atCycle100: UInt64 = 0
        var atLastCycle: UInt64 = 0
    }

    /// Returns false when a side could not run at all (a named chip or line that cannot be had).
    @discardableResult
    static func run(_ options: Options) -> Bool {
        let backend = options.chip.map { "libgpiod v1 on \($0) line \(options.line ?? 0) (Swift: LinuxGPIOLines; C: gpiod_line_set_value)" }
            ?? "in memory (Swift: SimulatedGPIOChip stamped by CLOCK_MONOTONIC, a mutex and a write log per edge; C: a volatile store)"
        print("edges: stroke_pulse edge timing error = clock after the line write - planned instant; "
              + "\(options.rateHz) Hz pulses \(options.widthMicroseconds) µs wide on absolute deadlines, 1 kHz loop, empty body, "
              + String(format: "%.1f s per side in %d round(s), Swift and C alternating", options.seconds, options.rounds))
        print("  backend: \(backend)")
        print("  setup both sides: mlockall + SCHED_FIFO \(priority) + 1 ns timer slack + cpu_dma_latency 0 (warnings below if refused)")
        let c = cExecutable()
        let machine: MachineSpec?
        if options.chip == nil {
            do {
                machine = try HardwareCatalog(layers: [.embedded]).machine(named: "direct-d1").spec
            } catch {
                print("error: cannot load the built-in machine direct-d1 for its stroke_pulse line (\(error))")
                return false
            }
        } else {
            machine = nil
        }

        print("  round side    edges      min      p50      p99      max  overruns  delayed   (µs; edges fired/planned; "
              + "overruns: cycles whose body ran past the next deadline; delayed: cycles whose edges did)")
        var swiftRounds: [Round] = [], cRounds: [Round] = []
        var warnings: Set<String> = []
        var cProblems: Set<String> = []
        for round in 1...options.rounds {
            switch swiftRun(options, machine: machine) {
            case .success(let (r, w)):
                swiftRounds.append(r)
                warnings.formUnion(w)
                printRow(round, "Swift", r)
            case .failure(let message):
                print("error: the Swift side could not run: \(message)")
                return false
            }
            if let c {
                let (r, problem) = cRun(c, options)
                if let r {
                    cRounds.append(r)
                    printRow(round, "C", r)
                }
                if let problem { cProblems.insert(problem) }
            }
        }
        for w in warnings.sorted() { print("  warning (Swift loop): \(w)") }
        for p in cProblems.sorted() { print("  C side: \(p)") }
        if c == nil { print("  C side: stroke-edges-c not found next to stipple-bench and not buildable here; `make bench` builds it") }

        let swift = pooled(swiftRounds), cPooled = pooled(cRounds)
        printRow(nil, "Swift", swift)
        if !cRounds.isEmpty { printRow(nil, "C", cPooled) }
        let swiftFailed = swiftRounds.reduce(0) { $0 + $1.failedWrites }
        if swiftFailed > 0 { print("  warning: \(swiftFailed) Swift line writes failed") }
        if swift.samples.count != Int(swift.planned) {
            print("  warning: the Swift loop fired \(swift.samples.count) of \(swift.planned) planned edges")
        }
        let allocations = swiftRounds.compactMap(\.allocations)
        print("  Swift heap allocations during cycles 100-last, per round: \(allocations.map(String.init).joined(separator: ", ")) "
              + "(whole process" + (options.chip == nil ? "; the simulated chip's write log growing past 1024 writes is the expected few)" : ")"))

        guard !cRounds.isEmpty, cRounds.count == swiftRounds.count else { return c == nil || !cRounds.isEmpty }
        let s = LatenessStatistics(samples: swift.samples), k = LatenessStatistics(samples: cPooled.samples)
        func ratio(_ a: UInt64, _ b: UInt64) -> String { String(format: "%.2f", Double(a) / Double(max(b, 1))) }
        print("  Swift/C (pooled): p50 \(ratio(s.medianNanoseconds, k.medianNanoseconds))  "
              + "p99 \(ratio(s.p99Nanoseconds, k.p99Nanoseconds))  max \(ratio(s.maxNanoseconds, k.maxNanoseconds))"
              + "   (per round p99: \(zip(swiftRounds, cRounds).map { ratio(LatenessStatistics(samples: $0.samples).p99Nanoseconds, LatenessStatistics(samples: $1.samples).p99Nanoseconds) }.joined(separator: " ")))")
        return true
    }

    static func pooled(_ rounds: [Round]) -> Round {
        Round(samples: rounds.flatMap(\.samples), planned: rounds.reduce(0) { $0 + $1.planned },
              overruns: rounds.reduce(0) { $0 + $1.overruns }, delayed: rounds.reduce(0) { $0 + $1.delayed },
              failedWrites: rounds.reduce(0) { $0 + $1.failedWrites })
    }

    /// One Swift round: the loop with the pulse train on the asked backend.
    static func swiftRun(_ options: Options, machine: MachineSpec?) -> Result<(Round, [String]), BenchFailure> {
        let gpio: any GPIOLines
        if let chip = options.chip, let line = options.line {
            do {
                gpio = try LinuxGPIOLines(chip: chip, lines: [.strokePulse: .offset(line, activeLow: false)],
                                          consumer: "stipple-bench")
            } catch {
                return .failure(BenchFailure(message: "\(error)"))
            }
        } else if let machine {
            gpio = SimulatedGPIOChip(machine: machine, clock: SystemMonotonicClock())
        } else {
            return .failure(BenchFailure(message: "no backend"))
        }
        let train = BenchStrokePulseTrain(rateHz: options.rateHz, widthNanoseconds: options.widthMicroseconds * 1000,
                                          pulses: options.pulsesPerRound, gpio: gpio)
        let recorder = EdgeTimingRecorder(train, capacity: Int(train.plannedEdges) + 16)
        let cycles = options.cyclesPerRound
        do {
            let loop = try RealTimeLoop(configuration: RealTimeConfiguration(
                periodNanoseconds: period, priority: priority, lockMemory: true, timerSlackNanoseconds: 1,
                latenessWindow: cycles, cycleLimit: UInt64(cycles), threadName: "bench-edges"))
            let probe = AllocationProbe()
            let last = UInt64(cycles - 1)
            try loop.start(edges: recorder) { cycle, _ in
                if cycle == 100 { probe.atCycle100 = stipple_alloc_count() }
                if cycle == last { probe.atLastCycle = stipple_alloc_count() }
            }
            _ = loop.waitUntilFinished(timeoutNanoseconds: UInt64(cycles) * period * 4 + 5_000_000_000)
            loop.stop()
            let round = Round(samples: recorder.samples, planned: train.plannedEdges, overruns: loop.overruns,
                              delayed: loop.cyclesDelayedByEdges, failedWrites: train.failedWrites,
                              allocations: cycles > 100 ? probe.atLastCycle &- probe.atCycle100 : nil)
            return .success((round, loop.warnings))
        } catch {
            return .failure(BenchFailure(message: "\(error)"))
        }
    }

    struct BenchFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// One C round: its samples, or why there are none; a warning line from its setup, if any.
    static func cRun(_ executable: String, _ options: Options) -> (Round?, String?) {
        var arguments = ["--seconds", String(options.roundSeconds), "--rate", "\(options.rateHz)",
                         "--width", "\(options.widthMicroseconds)", "--priority", "\(priority)", "--samples"]
        if let chip = options.chip, let line = options.line { arguments += ["--chip", chip, "--line", "\(line)"] }
        let outcome: ChildProcess.Outcome
        switch ChildProcess.run(executable, arguments) {
        case .success(let o): outcome = o
        case .failure(let error): return (nil, "could not run \(executable): \(error)")
        }
        let errors = outcome.standardError
        let lines = outcome.standardOutput.split(separator: "\n")
        let head = lines.first?.split(separator: " ") ?? []
        let numbers = head.dropFirst().compactMap { UInt64($0) }
        guard outcome.status == 0, head.count == 10, numbers.count == 9 else {
            return (nil, "\(executable) failed (status \(outcome.status)): \(errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let expectedBackend = options.chip == nil ? "memory" : "libgpiod"
        guard head[0] == expectedBackend else { return (nil, "ran backend \(head[0]), not \(expectedBackend)") }
        let samples = lines.dropFirst().compactMap { UInt64($0) }
        let warning = errors.isEmpty ? nil : errors.trimmingCharacters(in: .whitespacesAndNewlines)
        return (Round(samples: samples, planned: numbers[1], overruns: numbers[7], delayed: numbers[8]), warning)
    }

    /// `stroke-edges-c` next to this executable (`make bench` puts it there), rebuilt there from
    /// Benchmarks/stroke-edges-c with `cc -O2 ... -lgpiod` when missing or older than its source
    /// and run from the package root; else nil.
    static func cExecutable() -> String? {
        let fm = FileManager.default
        let me = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("stroke-edges-c").path
        let source = "Benchmarks/stroke-edges-c/stroke_edges.c"
        if fm.isExecutableFile(atPath: path), !RealTimeBenchmark.isOlder(path, than: source) { return path }
        guard fm.fileExists(atPath: source) else { return fm.isExecutableFile(atPath: path) ? path : nil }
        guard case .success(let cc) = ChildProcess.run("/usr/bin/env", ["cc", "-O2", "-Wall", "-Wextra", "-o", path, source, "-lgpiod"]),
              cc.status == 0 else { return nil }
        return path
    }

    static func printRow(_ round: Int?, _ name: String, _ r: Round) {
        let s = LatenessStatistics(samples: r.samples)
        func col(_ ns: UInt64) -> String { RealTimeBenchmark.pad(RealTimeBenchmark.us(ns), 8) }
        let label = round.map { RealTimeBenchmark.pad(String($0), 5) } ?? "  all"
        print("  \(label) \(name.padding(toLength: 5, withPad: " ", startingAt: 0)) \(RealTimeBenchmark.pad("\(s.count)/\(r.planned)", 11)) "
              + "\(col(s.minNanoseconds)) \(col(s.medianNanoseconds)) \(col(s.p99Nanoseconds)) \(col(s.maxNanoseconds)) "
              + "\(RealTimeBenchmark.pad(String(r.overruns), 9)) \(RealTimeBenchmark.pad(String(r.delayed), 8))")
    }
}
