import Foundation
import Testing
import StippleSafetyEvidence
import CStippleRealTime
@testable import StippleControl

/// The real-time loop on a real thread and the real clock. Memory locking stays off here: it is
/// process-wide and would lock every other test's memory too; the benchmark runs with it.
@Suite("Real-time loop")
struct RealTimeLoopTests {
    static let ms: UInt64 = 1_000_000

    /// Preallocated storage the loop's body writes into; read only after the loop has ended.
    final class Trace: @unchecked Sendable {
        let cycles: UnsafeMutablePointer<UInt64>
        let deadlines: UnsafeMutablePointer<UInt64>
        let capacity: Int
        var slack: Int = -2
        init(capacity: Int) {
            self.capacity = capacity
            cycles = .allocate(capacity: capacity)
            deadlines = .allocate(capacity: capacity)
            cycles.initialize(repeating: .max, count: capacity)
            deadlines.initialize(repeating: 0, count: capacity)
        }
        deinit {
            cycles.deallocate()
            deadlines.deallocate()
        }
        func record(_ cycle: UInt64, _ deadline: UInt64) {
            guard cycle < capacity else { return }
            cycles[Int(cycle)] = cycle
            deadlines[Int(cycle)] = deadline
        }
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    @Test(.timeLimit(.minutes(1)))
    func runsTheAskedCyclesOnePeriodApartAndReportsSaneStatistics() throws {
        let n = 200
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(
            periodNanoseconds: Self.ms, lockMemory: false, cycleLimit: UInt64(n)))
        let trace = Trace(capacity: n)
        let started = Self.now()
        try loop.start { cycle, deadline in
            if cycle == 0 { trace.slack = stipple_timer_slack() }
            trace.record(cycle, deadline)
        }
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        let elapsed = Self.now() - started
        loop.stop()

        #expect(loop.cycles == UInt64(n))
        #expect((0..<n).allSatisfy { trace.cycles[$0] == UInt64($0) }, "the body sees cycles 0, 1, 2, ... in order")
        #expect(elapsed >= UInt64(n - 1) * Self.ms, "\(n) cycles at 1 ms cannot take less than \(n - 1) ms")
        for i in 1..<n {
            let step = trace.deadlines[i] - trace.deadlines[i - 1]
            #expect(step % Self.ms == 0 && step >= Self.ms, "deadlines lie on the 1 ms grid (cycle \(i): \(step) ns)")
        }
        let skipped = loop.skippedDeadlines
        #expect(trace.deadlines[n - 1] - trace.deadlines[0] == UInt64(n - 1 + Int(skipped)) * Self.ms)

        let s = loop.statistics
        #expect(s.count == n)
        #expect(s.minNanoseconds <= s.medianNanoseconds)
        #expect(s.medianNanoseconds <= s.p99Nanoseconds)
        #expect(s.p99Nanoseconds <= s.p999Nanoseconds)
        #expect(s.p999Nanoseconds <= s.maxNanoseconds)
        #expect(s.maxNanoseconds == loop.worstLatenessNanoseconds)
        #expect(s.medianNanoseconds < 20 * Self.ms, "median lateness \(s.medianNanoseconds) ns is not a sane figure")
        if loop.warnings.isEmpty {
            // Recent kernels give SCHED_FIFO threads no slack at all, hence 0 or the 1 ns asked.
            #expect(trace.slack == 1 || trace.slack == 0, "the loop's own thread runs with (at most) 1 ns timer slack")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func stopEndsARunningLoopAndJoinsItsThread() throws {
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(priority: nil, lockMemory: false))
        let reached = Completion()
        let trace = Trace(capacity: 1)
        try loop.start { cycle, _ in
            if cycle == 0 { trace.slack = stipple_timer_slack() }
            if cycle == 20 { reached.fire() }  // only once, and only in a test
        }
        #expect(reached.wait(seconds: 20))
        #expect(trace.slack == 1, "at normal priority the loop's own thread (not just the main thread) has 1 ns slack")
        loop.stop()
        let after = loop.cycles
        #expect(after >= 21)
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 0), "stop() returns only once the thread has ended")
        #expect(loop.cycles == after, "no cycle runs after stop() returned")
        loop.stop()  // a second stop is harmless
        #expect(throws: RealTimeError.alreadyStarted(what: "real-time loop")) { try loop.start { _, _ in } }
    }

    @Test(.timeLimit(.minutes(1)))
    func anOverrunSkipsToTheNextFutureDeadlineInsteadOfBursting() throws {
        let n = 12
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(
            priority: nil, lockMemory: false, cycleLimit: UInt64(n)))
        let trace = Trace(capacity: n)
        try loop.start { cycle, deadline in
            trace.record(cycle, deadline)
            if cycle == 5 {  // 3.5 periods of work in one cycle
                let until = RealTimeLoopTests.now() + 3_500_000
                while RealTimeLoopTests.now() < until {}
            }
        }
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        loop.stop()
        #expect(loop.overruns >= 1)
        #expect(loop.skippedDeadlines >= 3)
        let gap = trace.deadlines[6] - trace.deadlines[5]
        #expect(gap >= 4 * Self.ms, "the deadlines passed during the overrun are skipped (gap \(gap) ns)")
        #expect(gap % Self.ms == 0, "and the loop stays on its grid")
        let bursts = (1..<n).filter { trace.deadlines[$0] &- trace.deadlines[$0 - 1] < Self.ms }.count
        #expect(bursts == 0, "no catch-up burst")
        SafetyEvidence.record(hazard: "loop-overrun", what: "catch-up cycles run back to back", measured: Double(bursts), bound: 0, unit: "cycles")
        #expect(loop.cycles == UInt64(n), "every cycle still runs its body once")
    }

    @Test(.timeLimit(.minutes(1)))
    func setupFailuresBecomeWarningsAndTheLoopStillRuns() throws {
        var c = RealTimeConfiguration(lockMemory: true, cpu: 7, cycleLimit: 10)
        c.systemCalls = RealTimeSystemCalls(
            lockAllMemory: { EPERM }, setFIFOPriority: { _ in EPERM }, setTimerSlack: { _ in EINVAL },
            pinToCPU: { _ in EINVAL }, holdCPULatency: { _ in -EACCES }, releaseCPULatency: { _ in Issue.record("nothing was held") })
        let loop = try RealTimeLoop(configuration: c)
        try loop.start { _, _ in }
        #expect(loop.warnings.count == 5)
        #expect(loop.warnings.contains { $0.contains("to CPU 7 refused (EINVAL)") })
        #expect(loop.warnings.contains { $0.contains("SCHED_FIFO not permitted (EPERM)") && $0.contains("CAP_SYS_NICE") })
        #expect(loop.warnings.contains { $0.hasPrefix("mlockall") && $0.contains("CAP_IPC_LOCK") })
        #expect(loop.warnings.contains { $0.contains("timer slack") && $0.contains("EINVAL") })
        #expect(loop.warnings.contains { $0.contains("/dev/cpu_dma_latency, EACCES") })
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        loop.stop()
        #expect(loop.cycles == 10, "a loop without real-time rights runs, later, rather than not at all")
    }

    @Test func livePermissionsGiveNoWarningOrAWarningNamingTheCall() throws {
        let loop = try RealTimeLoop(configuration: RealTimeConfiguration(lockMemory: false, cycleLimit: 1))
        try loop.start { _, _ in }
        #expect(loop.waitUntilFinished(timeoutNanoseconds: 30_000_000_000))
        loop.stop()
        for w in loop.warnings {
            #expect(w.contains("SCHED_FIFO") || w.contains("timer slack") || w.contains("cpu_dma_latency"), "\(w)")
        }
    }

    @Test func outOfRangeConfigurationIsATypedErrorNamingTheField() {
        func field(_ c: RealTimeConfiguration) -> String? {
            do {
                _ = try RealTimeLoop(configuration: c)
                return nil
            } catch {
                guard case .invalidConfiguration(let field, _, _) = error else { return "other" }
                return field
            }
        }
        #expect(field(RealTimeConfiguration(periodNanoseconds: 0)) == "periodNanoseconds")
        #expect(field(RealTimeConfiguration(periodNanoseconds: 5_000_000_000)) == "periodNanoseconds")
        #expect(field(RealTimeConfiguration(priority: 0)) == "priority")
        #expect(field(RealTimeConfiguration(priority: 100)) == "priority")
        #expect(field(RealTimeConfiguration(latenessWindow: 0)) == "latenessWindow")
        #expect(field(RealTimeConfiguration(cycleLimit: 0)) == "cycleLimit")
        #expect(field(RealTimeConfiguration(cpu: -1)) == "cpu")
        #expect(field(RealTimeConfiguration(cpuLatencyLimitMicroseconds: -1)) == "cpuLatencyLimitMicroseconds")
        #expect(field(RealTimeConfiguration()) == nil)
        let message = RealTimeError.invalidConfiguration(field: "priority", value: "0", reason: "x").description
        #expect(message.contains("(priority = 0)"))
    }

    @Test func statisticsUseNearestRankPercentiles() {
        let s = LatenessStatistics(samples: (1...1000).reversed().map { UInt64($0) })
        #expect(s.count == 1000)
        #expect(s.minNanoseconds == 1)
        #expect(s.medianNanoseconds == 500)
        #expect(s.p99Nanoseconds == 990)
        #expect(s.p999Nanoseconds == 999)
        #expect(s.maxNanoseconds == 1000)
        #expect(LatenessStatistics.empty.count == 0)
        #expect(LatenessStatistics(samples: [7]).p999Nanoseconds == 7)
    }
}
