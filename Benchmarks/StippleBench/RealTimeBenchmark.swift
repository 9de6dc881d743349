import CAllocCounter
import Foundation
import Glibc
import StippleControl

/// Wake-up lateness of `RealTimeLoop` at 1 kHz next to a plain C program running the same loop
/// with the same setup (Benchmarks/rt-loop-c), alternating Swift and C runs so both see the same
/// machine load, and printing each pair side by side with the Swift/C ratio of p99 (goal: within
/// 1.1x). Also counts the heap allocations made while the Swift loop's cycles ran (goal: 0),
/// with a body that pushes one record per cycle into a `RecordRing`, as the control loop does.
enum RealTimeBenchmark {
    static let cycles = 5_000
    /// Five pairs: on a shared machine one round's p99 can double from a neighbour's burst, and
    /// the median of five shrugs off two such rounds.
    static let rounds = 5
    static let period: UInt64 = 1_000_000
    static let priority: Int32 = 80

    struct Figures {
        var count: Int
        var min, median, p99, p999, max: UInt64
        var overruns: UInt64
    }

    /// What the control loop pushes each cycle, in miniature: a plain value, every tenth critical.
    struct Sample: DroppableRecord {
        var cycle: UInt64
        var deadline: UInt64
        var isDroppable: Bool
    }

    /// Allocation counts read inside the loop's body: plain stores by the loop's thread, read
    /// after the loop has ended.
    final class AllocationProbe: @unchecked Sendable {
        var atCycle100: UInt64 = 0
        var atLastCycle: UInt64 = 0
    }

    static func run() {
        let c = cLoopExecutable()
        print("rt: wake-up lateness at \(1_000_000_000 / period) Hz, \(cycles) cycles (\(cycles / 1000) s) per run, "
              + "mlockall + SCHED_FIFO \(priority) + 1 ns slack + cpu_dma_latency 0 + clock_nanosleep(TIMER_ABSTIME), Swift and C alternating")
        print("  run  loop       min    median       p99     p99.9       max  overruns   (µs)")
        var swiftRuns: [Figures] = [], cRuns: [Figures] = []
        var allocations: [UInt64] = []
        var pushed: [Int] = []
        var warnings: Set<String> = []
        var cProblem: String?
        for round in 1...rounds {
            switch swiftRun() {
            case .success(let (figures, allocated, records, w)):
                swiftRuns.append(figures)
                allocations.append(allocated)
                pushed.append(records)
                warnings.formUnion(w)
                printRow(round, "Swift", figures)
            case .failure(let error):
                print("error: the Swift loop could not run (\(error))")
                return
            }
            if let c {
                let (figures, problem) = cRun(c)
                if let figures {
                    cRuns.append(figures)
                    printRow(round, "C", figures)
                }
                if let problem { cProblem = problem }
            }
        }
        if let cProblem { print("  C loop: \(cProblem)") }
        for w in warnings.sorted() { print("  warning (Swift loop): \(w)") }

        if !cRuns.isEmpty, cRuns.count == swiftRuns.count {
            let ratios = zip(swiftRuns, cRuns).map { Double($0.p99) / Double(max($1.p99, 1)) }
            let swiftP99 = median(swiftRuns.map(\.p99)), cP99 = median(cRuns.map(\.p99))
            print(String(format: "  p99 Swift/C per round: %@ (median %.2f)",
                         ratios.map { String(format: "%.2f", $0) }.joined(separator: "  "), ratios.sorted()[ratios.count / 2]))
            print(String(format: "  p99 median of rounds: Swift %@ µs, C %@ µs, ratio %.2f (goal <= 1.10)",
                         us(swiftP99), us(cP99), Double(swiftP99) / Double(max(cP99, 1))))
        } else if c == nil {
            print("  C loop: not found next to stipple-bench and not buildable here; `make bench` builds it")
        }
        print("  Swift heap allocations during cycles 100-\(cycles - 1): \(allocations.map(String.init).joined(separator: ", ")) "
              + "per run (goal 0; counts the whole process, so another thread's allocation would show too); "
              + "records pushed into the ring per run: \(pushed.map(String.init).joined(separator: ", "))")
    }

    static func swiftRun() -> Result<(Figures, UInt64, Int, [String]), RealTimeError> {
        do {
            let loop = try RealTimeLoop(configuration: RealTimeConfiguration(
                periodNanoseconds: period, priority: priority, lockMemory: true, timerSlackNanoseconds: 1,
                latenessWindow: cycles, cycleLimit: UInt64(cycles), threadName: "bench-rt"))
            let probe = AllocationProbe()
            let ring = try RecordRing<Sample>(capacity: 8192, reserve: 64)
            let last = UInt64(cycles - 1)
            try loop.start { cycle, deadline in
                if cycle == 100 { probe.atCycle100 = stipple_alloc_count() }
                ring.tryPush(Sample(cycle: cycle, deadline: deadline, isDroppable: cycle % 10 != 0))
                if cycle == last { probe.atLastCycle = stipple_alloc_count() }
            }
            _ = loop.waitUntilFinished(timeoutNanoseconds: UInt64(cycles) * period * 4 + 5_000_000_000)
            loop.stop()
            let s = loop.statistics
            let figures = Figures(count: s.count, min: s.minNanoseconds, median: s.medianNanoseconds,
                                  p99: s.p99Nanoseconds, p999: s.p999Nanoseconds, max: s.maxNanoseconds,
                                  overruns: loop.overruns)
            let records = ring.count
            return .success((figures, probe.atLastCycle &- probe.atCycle100, records, loop.warnings))
        } catch {
            return .failure(error)
        }
    }

    /// Runs the C loop once: its figures, or why there are none.
    static func cRun(_ executable: String) -> (Figures?, String?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["\(cycles)", "\(period)", "\(priority)"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (nil, "could not run \(executable): \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
        guard process.terminationStatus == 0, fields.count == 7 else {
            return (nil, "\(executable) failed (status \(process.terminationStatus)): \(errors)")
        }
        let warning = errors.isEmpty ? nil : errors.trimmingCharacters(in: .whitespacesAndNewlines)
        return (Figures(count: Int(fields[0]), min: fields[1], median: fields[2], p99: fields[3],
                        p999: fields[4], max: fields[5], overruns: fields[6]), warning)
    }

    /// `rt-loop-c` next to this executable (`make bench` puts it there); else built there from
    /// Benchmarks/rt-loop-c with `cc -O2` when run from the package root; else nil.
    static func cLoopExecutable() -> String? {
        let fm = FileManager.default
        let me = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("rt-loop-c").path
        let source = "Benchmarks/rt-loop-c/rt_loop.c"
        if fm.isExecutableFile(atPath: path), !isOlder(path, than: source) { return path }
        guard fm.fileExists(atPath: source) else { return nil }
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-O2", "-Wall", "-Wextra", "-o", path, source]
        guard (try? cc.run()) != nil else { return nil }
        cc.waitUntilExit()
        return cc.terminationStatus == 0 ? path : nil
    }

    static func isOlder(_ a: String, than b: String) -> Bool {
        let fm = FileManager.default
        guard let ta = (try? fm.attributesOfItem(atPath: a))?[.modificationDate] as? Date,
              let tb = (try? fm.attributesOfItem(atPath: b))?[.modificationDate] as? Date else { return false }
        return ta < tb
    }

    static func printRow(_ round: Int, _ name: String, _ f: Figures) {
        func col(_ ns: UInt64) -> String { pad(us(ns), 9) }
        print("  \(pad(String(round), 3))  \(name.padding(toLength: 5, withPad: " ", startingAt: 0)) "
              + "\(col(f.min)) \(col(f.median)) \(col(f.p99)) \(col(f.p999)) \(col(f.max)) \(pad(String(f.overruns), 9))")
    }

    static func us(_ ns: UInt64) -> String { String(format: "%.1f", Double(ns) / 1000) }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func median(_ v: [UInt64]) -> UInt64 { v.sorted()[v.count / 2] }
}
