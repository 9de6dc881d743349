import Foundation
import GRDBSQLite
import StippleControl
import StippleJournal
import StippleModel

/// The session journal under load, figures only:
///   1. pass-boundary commits (a zone pass with 1,000 telemetry samples ending: statistics, the
///      row, its chain entry, fsync) through `JournalWriter`, p50/p99;
///   2. the same rows inserted through the raw SQLite C API with the same pragmas (WAL,
///      synchronous=FULL, one transaction per pass), interleaved with (1) in blocks on the same
///      disk, and the ratio of the two (goal >= 0.7x);
///   3. telemetry ingest with the real-time loop running at 1 kHz and offering 200 samples per
///      cycle, next to the same loop whose records are only popped: samples/s journaled, ring
///      drops, and the loop's overruns and lateness side by side (goal >= 100,000/s with no
///      overrun caused by logging).
enum JournalBenchmark {
    static let samplesPerPass = 1_000

    static func run() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stipple-bench-journal-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            print("journal: pass-boundary commits (\(samplesPerPass) samples per pass, WAL, synchronous=FULL) in \(folder)")
            try commits(folder: folder)
            print("")
            print("journal: telemetry ingest while the 1 kHz real-time loop runs")
            try ingest(folder: folder)
        } catch {
            print("error: journal benchmark (\(folder)): \(error)")
            exit(1)
        }
    }

    // MARK: - Setup

    static let day = UTCTimestamp(iso8601: "2026-11-20T09:00:00.000000Z")!
    static let cartridge = CartridgeIdentity(uid: 9_000_001, typeName: "3RL-0.25", lot: "L2611", singleUse: true)

    /// A writer with a consented client and an open session whose generation 1 is registered.
    static func openSession(_ path: String) throws -> JournalWriter {
        let j = try Journal.open(at: path, now: { day })
        _ = try j.addClient(ref: "c-bench", name: nil, dateOfBirth: nil)
        _ = try j.addConsent(clientRef: "c-bench", documentRef: "consent-bench", signedAt: day)
        _ = try j.addOperator(ref: "op-bench", name: "Bench")
        try j.close()
        let w = try JournalWriter.open(at: path, now: { day })
        let pigment = try Pigment(brand: "Bench Ink", name: "Dark Brown", batch: "B1", lot: "LOT-1",
                                  expiry: CalendarDate("2099-12-31")!, dilution: 1)
        _ = try w.beginSession(SessionStart(
            clientRef: "c-bench", operatorRef: "op-bench",
            machine: MachineIdentity(model: "Rotary R1", serial: "R1-BENCH", firmwareVersion: "0.1.0"),
            pigments: [pigment], cartridges: [cartridge], anchor: TimeAnchor(monotonicNanoseconds: 0, utc: day)))
        w.register(PassSettings(zone: "crown", profileName: "crown-vertex", profileHash: PassSettings.contentHash(of: "bench"),
                                cartridge: cartridge, pigmentLot: "LOT-1", rateSetHertz: 115, depthSetMillimetres: 1.25,
                                steadyAfterNanoseconds: 0), generation: 1)
        return w
    }

    static func telemetry(at t: UInt64, _ i: Int) -> ControlRecord {
        var r = ControlRecord(kind: .telemetry, at: t)
        r.rateHertz = Double(115_000 + (i * 37 % 1001) - 500) / 1000
        r.depthMillimetres = Double(1250 + (i * 13 % 101) - 50) / 1000
        r.currentMilliamperes = UInt16(350 + i % 7)
        return r
    }

    static func passEnd(started: UInt64, at t: UInt64, samples: Int) -> ControlRecord {
        var e = ControlRecord(kind: .passEnded, at: t)
        e.summary.startedAt = started
        e.summary.endedAt = t
        e.summary.strokes = UInt32(samples) * 115 / 1000
        e.summary.samples = UInt32(samples)
        e.summary.rateMeanHertz = 115
        e.summary.rateMinHertz = 114.5
        e.summary.rateMaxHertz = 115.5
        e.summary.depthMeanMillimetres = 1.25
        e.summary.depthMinMillimetres = 1.2
        e.summary.depthMaxMillimetres = 1.3
        return e
    }

    static func percentile(_ v: [UInt64], _ p: Double) -> Double {
        let s = v.sorted()
        return s.isEmpty ? 0 : Double(s[min(s.count - 1, Int(Double(s.count - 1) * p))]) / 1000
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: - 1 and 2: commits, journal vs raw SQLite

    static func commits(folder: String) throws {
        let path = folder + "/commits/journal.sqlite"
        let w = try openSession(path)
        let raw = try RawSQLiteTwin(copyingSchemaFrom: path, to: folder + "/raw.sqlite")
        var journalTimes: [UInt64] = [], rawTimes: [UInt64] = []
        var t: UInt64 = 1_000_000_000
        let blocks = 10, perBlock = 30
        for _ in 0..<blocks {
            // Blocks alternate so that both see the same disk and the same neighbours.
            for _ in 0..<perBlock {
                var start = ControlRecord(kind: .passStarted, at: t)
                start.code = 1
                try w.ingest(start)
                for i in 0..<samplesPerPass { try w.ingest(telemetry(at: t + UInt64(i + 1) * 1_000_000, i)) }
                let end = passEnd(started: t, at: t + UInt64(samplesPerPass + 1) * 1_000_000, samples: samplesPerPass)
                let t0 = now()
                try w.ingest(end)
                journalTimes.append(now() - t0)
                t = end.at + 1_000_000_000
            }
            let rows = try raw.lastPassRows(from: path)
            for _ in 0..<perBlock {
                let t0 = now()
                try raw.insert(rows)
                rawTimes.append(now() - t0)
            }
        }
        _ = try w.endSession(at: t)
        try w.close()
        let jMean = Double(journalTimes.reduce(0, +)) / Double(journalTimes.count) / 1000
        let rMean = Double(rawTimes.reduce(0, +)) / Double(rawTimes.count) / 1000
        print(String(format: "  JournalWriter pass end   p50 %7.1f µs  p99 %7.1f µs  mean %7.1f µs  (%d passes: statistics, row, chain entry, fsync)",
                     percentile(journalTimes, 0.5), percentile(journalTimes, 0.99), jMean, journalTimes.count))
        print(String(format: "  raw SQLite same rows     p50 %7.1f µs  p99 %7.1f µs  mean %7.1f µs  (%d transactions: the pass row and its ledger row)",
                     percentile(rawTimes, 0.5), percentile(rawTimes, 0.99), rMean, rawTimes.count))
        // Both ratios: the mean carries the disk's occasional multi-millisecond fsync, the median not.
        print(String(format: "  ratio                    %.2fx of raw SQLite's commit rate by median, %.2fx by mean (goal >= 0.7x; time raw / journal)",
                     percentile(rawTimes, 0.5) / percentile(journalTimes, 0.5), rMean / jMean))
    }

    // MARK: - 3: ingest with the loop running

    static func ingest(folder: String) throws {
        let seconds = 5.0
        let offered = 200
        let baseline = try loopRun(seconds: seconds, samplesPerCycle: offered, writer: nil)
        let w = try openSession(folder + "/ingest/journal.sqlite")
        let journaled = try loopRun(seconds: seconds, samplesPerCycle: offered, writer: w)
        _ = try w.endSession(at: now())
        try w.close()
        for (name, r) in [("records only popped", baseline), ("journaled", journaled)] {
            print(String(format: "  %-20@ %9.0f samples/s taken of %d/s offered, %llu telemetry dropped, %llu critical dropped; "
                         + "loop %llu cycles, %llu overruns, lateness p99 %.0f µs, max %.0f µs",
                         name, r.samplesPerSecond, offered * 1000, r.droppedTelemetry, r.droppedCritical,
                         r.cycles, r.overruns, r.p99Microseconds, r.maxMicroseconds))
        }
        print(String(format: "  %d passes committed while ingesting; overruns journaled - popped: %lld (goal: none caused by logging)",
                     journaled.passes, Int64(journaled.overruns) - Int64(baseline.overruns)))
    }

    struct LoopFigures {
        var samplesPerSecond = 0.0
        var droppedTelemetry: UInt64 = 0
        var droppedCritical: UInt64 = 0
        var cycles: UInt64 = 0
        var overruns: UInt64 = 0
        var p99Microseconds = 0.0
        var maxMicroseconds = 0.0
        var passes = 0
    }

    /// The loop offers `samplesPerCycle` telemetry records per 1 ms cycle and a pass boundary
    /// every second; this thread (the journal thread) drains the ring into `writer`, or only pops.
    static func loopRun(seconds: Double, samplesPerCycle: Int, writer: JournalWriter?) throws -> LoopFigures {
        let ring = try RecordRing<ControlRecord>(capacity: 65_536, reserve: 1_024)
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration())
        try loop.start { cycle, deadline in
            let t = deadline
            if cycle % 1000 == 0 {
                if cycle > 0 {
                    _ = ring.tryPush(passEnd(started: t - 999_000_000, at: t, samples: 999 * samplesPerCycle), droppable: false)
                }
                var s = ControlRecord(kind: .passStarted, at: t + 1)
                s.code = 1
                _ = ring.tryPush(s, droppable: false)
            }
            for i in 0..<samplesPerCycle { _ = ring.tryPush(telemetry(at: t + UInt64(i), i), droppable: true) }
        }
        var taken = 0, passes = 0
        var batch: [ControlRecord] = []
        batch.reserveCapacity(65_536)
        let start = now()
        let end = start + UInt64(seconds * 1e9)
        while now() < end {
            batch.removeAll(keepingCapacity: true)
            if ring.drain(into: &batch) == 0 {
                usleep(200)
                continue
            }
            for r in batch {
                if r.kind == .telemetry { taken += 1 }
                if r.kind == .passEnded { passes += 1 }
                if let writer { try writer.ingest(r) }
            }
        }
        loop.stop()
        _ = loop.waitUntilFinished(timeoutNanoseconds: 2_000_000_000)
        let elapsed = Double(now() - start) / 1e9
        let s = loop.statistics
        return LoopFigures(samplesPerSecond: Double(taken) / elapsed, droppedTelemetry: ring.droppedTelemetry,
                           droppedCritical: ring.droppedCritical, cycles: loop.cycles, overruns: loop.overruns,
                           p99Microseconds: Double(s.p99Nanoseconds) / 1000, maxMicroseconds: Double(s.maxNanoseconds) / 1000,
                           passes: passes)
    }
}
