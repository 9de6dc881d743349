import CStippleRealTime
import Foundation
import Glibc
import StippleControl
import StippleHardware
import StippleModel
import StippleSimulator

/// The e-stop path on the simulated chip: an injector thread presses and releases the e-stop at
/// random intervals while an `EdgeWatcher` (SCHED_FIFO 90, memory locked, its defaults) guards
/// the lines, and each press is timed from the edge's timestamp (set by the chip as the level
/// changes) to the motor_enable write's timestamp (set by the chip as the write arrives).
/// Goal: p99 under 50 µs. The watcher's own figure (until its write returned) is shown too.
///
/// The injector stands in for the kernel's GPIO interrupt, which stamps the edge and wakes the
/// waiter without being preempted in between; so it runs at SCHED_FIFO 85 (below the watcher).
/// At normal priority, a build on the other core could preempt it between stamping the edge and
/// waking the watcher, and the figure would measure the injector instead of the e-stop path.
///
/// Two runs: the watcher where the scheduler puts it, and the watcher pinned to the injector's
/// CPU, as it would be pinned to the CPU taking the GPIO interrupt; the difference is the cost
/// of waking a thread on another CPU, which on a virtual machine is large.
enum EStopBenchmark {
    static let presses = 2_000
    static let pinnedCPU: Int32 = 1

    /// Results handed from the injector thread back to `measure`, read after it signalled.
    final class Outcome: @unchecked Sendable {
        var forwarded: [GPIOEdge] = []
        var watcherLatencies: [UInt64] = []
        var unanswered = 0
        var enableRefused = 0
        var injectorWarnings: [String] = []
        var failure: String?
    }

    static func run() {
        print("estop: e-stop edge -> motor_enable written inactive on the simulated chip, \(presses) presses at random "
              + "0.25-1.8 ms intervals; watcher SCHED_FIFO 90, injector SCHED_FIFO 85 (µs)")
        let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        measure(label: "watcher unpinned", cpu: nil)
        if cpus > Int(pinnedCPU) {
            measure(label: "watcher + injector on CPU \(pinnedCPU)", cpu: pinnedCPU)
        } else {
            print("  (one CPU only: the pinned run is the same as the unpinned one)")
        }
        print("  goal: p99 < 50 µs from edge to enable write")
    }

    static func measure(label: String, cpu: Int32?) {
        let machine: MachineSpec
        do {
            machine = try HardwareCatalog(layers: [.embedded]).machine(named: "rotary-r1").spec
        } catch {
            print("error: cannot load the built-in machine rotary-r1 (\(error))")
            return
        }
        let clock = SystemMonotonicClock()
        let chip = SimulatedGPIOChip(machine: machine, clock: clock)
        let watcher: EdgeWatcher
        do {
            watcher = try EdgeWatcher(gpio: chip, clock: clock, configuration: EdgeWatcherConfiguration(cpu: cpu))
            try watcher.start()
        } catch {
            print("error: the e-stop watcher could not start (\(error))")
            return
        }

        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let injector = Thread {
            inject(chip: chip, watcher: watcher, cpu: cpu, into: outcome)
            done.signal()
        }
        injector.start()
        done.wait()
        watcher.stop()
        if let failure = outcome.failure {
            print("error: \(failure)")
            return
        }

        // The k-th e-stop press pairs with the k-th write that switched motor_enable off.
        let pressedAt = outcome.forwarded.filter { $0.role == .estop && $0.active }.map(\.at.nanoseconds)
        let offs = chip.outputWrites.filter { $0.role == .motorEnable && !$0.active }.map(\.at.nanoseconds)
        let latencies = zip(pressedAt, offs).map { edge, write in write >= edge ? write - edge : 0 }

        print("  \(label):")
        row("edge -> enable write (chip's stamp)", latencies)
        row("edge -> write returned (watcher's)", outcome.watcherLatencies)
        print("    presses forwarded \(pressedAt.count), enable-off writes \(offs.count), unanswered \(outcome.unanswered), "
              + "dropped edges \(watcher.droppedEdges), backend errors \(watcher.errorCount)")
        if outcome.enableRefused > 0 { print("    enable refused (latched) \(outcome.enableRefused) times") }
        for w in outcome.injectorWarnings { print("    warning (injector): \(w)") }
        for w in watcher.warnings { print("    warning (watcher): \(w)") }
    }

    /// Runs on the injector thread.
    static func inject(chip: SimulatedGPIOChip, watcher: EdgeWatcher, cpu: Int32?, into outcome: Outcome) {
        var parameters = sched_param()
        parameters.sched_priority = 85
        let rc = pthread_setschedparam(pthread_self(), Int32(SCHED_FIFO), &parameters)
        if rc != 0 { outcome.injectorWarnings.append("SCHED_FIFO 85 refused (errno \(rc)): its preemption will show") }
        if let cpu, stipple_pin_thread_to_cpu(cpu) != 0 { outcome.injectorWarnings.append("not pinned to CPU \(cpu)") }
        var forwarded: [GPIOEdge] = []
        forwarded.reserveCapacity(4 * presses)
        outcome.watcherLatencies.reserveCapacity(presses)
        for _ in 0..<presses {
            if (try? watcher.writeMotorEnable(active: true)) != true { outcome.enableRefused += 1 }
            pause(nanoseconds: UInt64.random(in: 200_000...1_500_000))
            let before = watcher.estopActivations
            do { try chip.setInput(.estop, active: true) } catch {
                outcome.failure = "the simulated chip refused the e-stop input (\(error))"
                return
            }
            if waitForActivation(watcher, after: before) {
                if let r = watcher.lastEStopResponse { outcome.watcherLatencies.append(r.latencyNanoseconds) }
            } else {
                outcome.unanswered += 1
            }
            pause(nanoseconds: UInt64.random(in: 50_000...300_000))
            try? chip.setInput(.estop, active: false)
            watcher.drain(into: &forwarded)
            watcher.resetLatch()
        }
        // The last release may still be on its way through the ring.
        pause(nanoseconds: 20_000_000)
        watcher.drain(into: &forwarded)
        outcome.forwarded = forwarded
    }

    static func row(_ label: String, _ samples: [UInt64]) {
        let s = LatenessStatistics(samples: samples)
        func us(_ ns: UInt64) -> String { RealTimeBenchmark.us(ns) }
        print("    \(label.padding(toLength: 37, withPad: " ", startingAt: 0)) n=\(s.count)  min \(us(s.minNanoseconds))  "
              + "median \(us(s.medianNanoseconds))  p99 \(us(s.p99Nanoseconds))  max \(us(s.maxNanoseconds))")
    }

    /// Polls: this thread stands for the operator's world, not for anything real-time.
    static func waitForActivation(_ watcher: EdgeWatcher, after count: UInt64) -> Bool {
        for _ in 0..<50_000 {  // 1 s at 20 µs
            if watcher.estopActivations > count { return true }
            pause(nanoseconds: 20_000)
        }
        return false
    }

    static func pause(nanoseconds: UInt64) {
        var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var rest = timespec()
        while nanosleep(&ts, &rest) == -1 && errno == EINTR { ts = rest }
    }
}
