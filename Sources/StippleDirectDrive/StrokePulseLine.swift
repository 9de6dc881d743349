import StippleHardware
import StippleModel

/// A `StrokePulseTrain` wired to the `stroke_pulse` line: makes each edge with `gpio.write`,
/// logs its planned and actual instant, and measures the rate from the rises actually made.
/// The firmware drives its needle through one; a benchmark can drive one alone through
/// `TimedEdgeSource`, as the real-time loop does.
public final class StrokePulseLine: TimedEdgeSource {
    public var train: StrokePulseTrain
    public let log: StrokeEdgeLog
    public private(set) var meter = StrokeRateMeter()
    /// Edges made, late ones (made inside `service` after their instant), and the worst lateness.
    public private(set) var edgesFired = 0
    public private(set) var lateEdges = 0
    public private(set) var maximumLatenessNanoseconds: UInt64 = 0
    /// Writes the GPIO backend refused. The first failure is the caller's to act on (see
    /// `lastWriteFailed`); the firmware latches an internal fault.
    public private(set) var writeFailures = 0
    public private(set) var lastWriteFailed = false
    private let gpio: GPIOLines

    public init(train: StrokePulseTrain, gpio: GPIOLines, logCapacity: Int = StrokeEdgeLog.defaultCapacity) {
        self.train = train
        self.gpio = gpio
        log = StrokeEdgeLog(capacity: logCapacity)
    }

    public func nextEdge(before limit: UInt64) -> UInt64? { train.nextEdge(before: limit) }

    /// Makes the edge due at `planned`, the clock reading `actual`.
    public func fireEdge(planned: UInt64, actual: UInt64) { fire(actual: actual, late: false) }

    /// Makes every edge due by `now`, each recorded as late if its instant had passed.
    public func fireDue(now: UInt64) {
        // Bounded: each edge made plans the next strictly after `now` or flips the level.
        var guardCount = 0
        while train.nextEdge(before: now &+ 1) != nil, guardCount < 4 {
            fire(actual: now, late: true)
            guardCount += 1
        }
    }

    private func fire(actual: UInt64, late: Bool) {
        guard let made = train.fire(actual: actual) else { return }
        let rising = made.edge == .rise
        do {
            try gpio.write(.strokePulse, active: rising)
            lastWriteFailed = false
        } catch {
            writeFailures += 1
            lastWriteFailed = true
        }
        let wasLate = late && actual > made.planned
        log.record(planned: made.planned, actual: actual, rising: rising, late: wasLate)
        edgesFired += 1
        if wasLate { lateEdges += 1 }
        if actual > made.planned { maximumLatenessNanoseconds = max(maximumLatenessNanoseconds, actual - made.planned) }
        if rising { meter.record(actual) }
    }
}
