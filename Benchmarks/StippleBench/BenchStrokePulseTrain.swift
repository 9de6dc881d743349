import StippleHardware
import StippleModel

/// The stroke-pulse plan `stipple-bench edges` runs, as a `TimedEdgeSource` writing the
/// `stroke_pulse` line: rise n at `origin + n * 1e9 / rate` (integer nanoseconds from the plan's
/// origin, so rounding never accumulates), fall `width` later, `pulses` pulses. The origin is set
/// on the loop's first question, 250 µs past that cycle's next deadline, because the loop's clock
/// is only known once it runs; stroke-edges-c starts its plan the same way.
///
/// It stands in for the direct-drive firmware's `StrokePulseTrain`: the benchmark sees only a
/// `TimedEdgeSource`, so measuring the firmware's own train is a change of this one constructor.
/// Loop thread only; nothing here allocates. A failed write is counted, never thrown: the loop
/// has nowhere to throw to, and the benchmark reports the count.
final class BenchStrokePulseTrain: TimedEdgeSource, @unchecked Sendable {
    static let originLead: UInt64 = 250_000

    let rateHz: UInt64
    let widthNanoseconds: UInt64
    let pulses: UInt64
    let gpio: any GPIOLines
    private var origin: UInt64?
    /// Edges fired so far; edge k is rise (k even) or fall (k odd) of pulse k / 2.
    private(set) var fired: UInt64 = 0
    private(set) var failedWrites: UInt64 = 0

    var plannedEdges: UInt64 { pulses * 2 }

    init(rateHz: UInt64, widthNanoseconds: UInt64, pulses: UInt64, gpio: any GPIOLines) {
        self.rateHz = rateHz
        self.widthNanoseconds = widthNanoseconds
        self.pulses = pulses
        self.gpio = gpio
    }

    func nextEdge(before limit: UInt64) -> UInt64? {
        if origin == nil { origin = limit + Self.originLead }
        guard let origin, fired < plannedEdges else { return nil }
        let planned = origin + (fired / 2) * 1_000_000_000 / rateHz + (fired % 2 == 1 ? widthNanoseconds : 0)
        return planned < limit ? planned : nil
    }

    func fireEdge(planned: UInt64, actual: UInt64) {
        do {
            try gpio.write(.strokePulse, active: fired % 2 == 0)
        } catch {
            failedWrites += 1
        }
        fired += 1
    }
}
