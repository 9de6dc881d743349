import StippleDirectDrive
import StippleSimulator

/// What a direct-drive run's report adds: what the loop made (strokes, steps, the timing of each
/// stroke edge against its plan) and, with the simulator, what the hardware counted from the lines
/// alone. The two counts side by side are the check that the loop did what it meant to.
enum DirectDriveReport {
    /// - Parameter virtualTime: edges then fire exactly on plan unless the loop (a scripted hang)
    ///   was not there to fire them, so only those are worth reporting.
    static func lines(firmware fw: DirectDriveFirmware, hardware: SimulatedDirectDriveMachine?, virtualTime: Bool) -> [String] {
        let s = fw.status
        let e = fw.edgeLog.lateness()
        var out = [
            "direct drive: the loop made \(s.strokes) stroke pulses (\(s.skippedStrokes) skipped after a late loop) and \(s.stepsEmitted) steps; stage at step \(s.positionSteps)\(s.homed ? " from home zero" : " (not homed)")",
            virtualTime
                ? String(format: "stroke edges: %d, in virtual time on their planned instants; %d made late by a hung loop (worst %.1f ms)",
                         e.edges, e.lateEdges, Double(e.maxNanoseconds) / 1e6)
                : String(format: "stroke edges: %d timed against their plan, lateness p50 %.1f µs, p99 %.1f µs, max %.1f µs (%d made late inside a cycle)",
                         e.edges, Double(e.p50Nanoseconds) / 1000, Double(e.p99Nanoseconds) / 1000, Double(e.maxNanoseconds) / 1000, e.lateEdges),
        ]
        if let hw = hardware {
            let h = hw.status
            let c = h.counters
            out.append("simulated hardware: \(c.strokes) needle strokes, \(c.blockedStrokes) blocked (drivers off), \(c.strokePulseFaults) bad pulse widths; "
                + "\(c.steps) steps, \(c.lostSteps) lost; charge-pump watchdog tripped \(c.watchdogTrips) time(s)")
        }
        return out
    }
}
