import StippleDirectDrive
import StippleHardware
import StippleModel

/// The direct-drive firmware's own stroke pulses (`StrokePulseLine`: the `StrokePulseTrain` the
/// firmware runs, writing `stroke_pulse` and logging each edge), as `stipple-bench edges` drives
/// them: `pulses` pulses at a steady `rateHz`, `width` wide. The train starts on the loop's first
/// question, 250 µs past that cycle's next deadline, because the loop's clock is only known once
/// it runs; stroke-edges-c starts its plan the same way. Both plan rise n at origin + n periods
/// (the train accumulates its period in nanoseconds; C computes n * 1e9 / rate), so each side's
/// error is measured against its own plan.
///
/// Loop thread only; nothing here allocates. A failed write is counted by the line, never
/// thrown: the loop has nowhere to throw to, and the benchmark reports the count.
final class BenchStrokePulseTrain: TimedEdgeSource, @unchecked Sendable {
    static let originLead: UInt64 = 250_000

    let pulses: UInt64
    private let line: StrokePulseLine
    private var started = false

    var plannedEdges: UInt64 { pulses * 2 }
    var fired: UInt64 { UInt64(line.edgesFired) }
    var failedWrites: UInt64 { UInt64(line.writeFailures) }

    init(rateHz: UInt64, widthNanoseconds: UInt64, pulses: UInt64, gpio: any GPIOLines) {
        self.pulses = pulses
        let millihertz = Int(rateHz) * 1000
        line = StrokePulseLine(
            train: StrokePulseTrain(pulseWidthMicroseconds: Int(widthNanoseconds / 1000), startRateMillihertz: millihertz,
                                    setpointMillihertz: millihertz, rampMilliseconds: 0),
            gpio: gpio, logCapacity: Int(pulses * 2) + 16)
    }

    func nextEdge(before limit: UInt64) -> UInt64? {
        if !started {
            started = true
            line.train.start(now: limit + Self.originLead)
        }
        return line.nextEdge(before: limit)
    }

    func fireEdge(planned: UInt64, actual: UInt64) {
        line.fireEdge(planned: planned, actual: actual)
        // The last pulse's rise made: plan no further rise (its fall still comes).
        if line.train.strokes >= Int(pulses) { line.train.stop() }
    }
}
