/// The stroke pulse schedule of a direct-drive needle: one pulse to the solenoid driver is one
/// stroke. It plans edges at absolute instants and says which edge to make; it writes no line
/// itself (`StrokePulseLine` does), so it can be driven and tested alone.
///
/// - Rising edges sit on a grid of absolute deadlines: the next is the previous *planned* rise
///   plus one period at the rate of that instant, never the actual time plus a period, so a late
///   edge does not shift the ones after it and the stroke count over a second stays exact.
/// - The falling edge is the pulse width after the *actual* rise: the width is what the driver
///   needs to throw the needle through its stroke, so it is measured from when the coil was
///   really energised.
/// - No bursts: a rise that would come less than one pulse width after the (late) fall is
///   skipped, as is any rise whose successor is already past; skipped strokes are counted. The
///   coil always gets at least as long to return as it was driven.
/// - `stop` plans no further rise, but a pulse already high still falls at its planned instant:
///   the coil is never left driven, and the needle is never thrown half-way.
///
/// Allocation-free; a value type, so it can be copied into a benchmark or a test.
public struct StrokePulseTrain: Sendable, Hashable {
    /// Which line level an edge makes.
    public enum Edge: Sendable, Hashable {
        case rise
        case fall
    }

    /// An edge the train made: which, and the instant it was planned for (after any skip).
    public struct FiredEdge: Sendable, Hashable {
        public var edge: Edge
        public var planned: UInt64
    }

    public let pulseWidthNanoseconds: UInt64
    /// Where `start` begins its ramp: the machine's rate_min (or the set-point, if lower).
    public let startRateMillihertz: Int
    public private(set) var setpointMillihertz: Int
    /// The ramp `start` uses and a running `setRate` was last given.
    public private(set) var rampNanoseconds: UInt64
    /// Rising edges are being planned.
    public private(set) var isRunning = false
    /// The coil is driven now (the last edge made was a rise).
    public private(set) var isHigh = false
    /// Rising edges made since init.
    public private(set) var strokes = 0
    /// Rising edges left out because the loop was too late to make them without a burst.
    public private(set) var skippedStrokes = 0

    private var rampFromHertz: Double
    private var rampToHertz: Double
    private var rampStart: UInt64 = 0
    private var rampDuration: UInt64 = 0
    private var nextRise: UInt64?
    private var nextFall: UInt64?

    /// - Parameters:
    ///   - pulseWidthMicroseconds: `direct_drive.stroke_pulse_width_us`.
    ///   - startRateMillihertz: the machine's `rate_min_hz`, where `start` begins.
    ///   - setpointMillihertz: the rate until `setRate` (default: the start rate).
    ///   - rampMilliseconds: the ramp `start` uses until `setRate` gives one.
    public init(pulseWidthMicroseconds: Int, startRateMillihertz: Int, setpointMillihertz: Int? = nil,
                rampMilliseconds: Int = 0) {
        pulseWidthNanoseconds = UInt64(max(pulseWidthMicroseconds, 1)) * 1_000
        self.startRateMillihertz = max(startRateMillihertz, 1)
        self.setpointMillihertz = max(setpointMillihertz ?? startRateMillihertz, 1)
        rampNanoseconds = UInt64(max(rampMilliseconds, 0)) * 1_000_000
        rampFromHertz = Double(self.setpointMillihertz) / 1000
        rampToHertz = rampFromHertz
    }

    /// The planned rate at `t`: linear along the current ramp, constant after it.
    public func rateHertz(at t: UInt64) -> Double {
        guard rampDuration > 0, t < rampStart &+ rampDuration else { return rampToHertz }
        guard t > rampStart else { return rampFromHertz }
        let f = Double(t - rampStart) / Double(rampDuration)
        return rampFromHertz + (rampToHertz - rampFromHertz) * f
    }

    private func period(at t: UInt64) -> UInt64 {
        UInt64((1e9 / max(rateHertz(at: t), 0.001)).rounded())
    }

    /// Begins stroking at `now` (the first rise is due at once), ramping from the start rate (or
    /// the set-point if lower) to the set-point over the ramp time. No-op while running.
    public mutating func start(now: UInt64) {
        guard !isRunning else { return }
        let target = Double(setpointMillihertz) / 1000
        ramp(from: min(Double(startRateMillihertz) / 1000, target), to: target, over: rampNanoseconds, at: now)
        isRunning = true
        if isHigh, let fall = nextFall {
            nextRise = max(now, fall &+ pulseWidthNanoseconds)
        } else {
            nextRise = now
        }
    }

    /// A new set-point; while running, ramps linearly to it from the rate planned at `now`.
    public mutating func setRate(millihertz: Int, rampMilliseconds: Int, now: UInt64) {
        setpointMillihertz = max(millihertz, 1)
        rampNanoseconds = UInt64(max(rampMilliseconds, 0)) * 1_000_000
        let target = Double(setpointMillihertz) / 1000
        if isRunning {
            ramp(from: rateHertz(at: now), to: target, over: rampNanoseconds, at: now)
        } else {
            ramp(from: target, to: target, over: 0, at: now)
        }
    }

    private mutating func ramp(from: Double, to: Double, over duration: UInt64, at t: UInt64) {
        rampFromHertz = from
        rampToHertz = to
        rampStart = t
        rampDuration = duration
    }

    /// Plans no further rise; a pulse already high still falls at its planned instant.
    public mutating func stop() {
        isRunning = false
        nextRise = nil
    }

    /// Stops and, if a pulse is high, brings its fall forward to `now` (e-stop, a latched fault).
    public mutating func stopNow(now: UInt64) {
        stop()
        if isHigh, let fall = nextFall, fall > now { nextFall = now }
    }

    /// The next planned edge's instant, if before `limit`.
    public func nextEdge(before limit: UInt64) -> UInt64? {
        let next = isHigh ? nextFall : nextRise
        guard let next, next < limit else { return nil }
        return next
    }

    /// Makes the next planned edge, due at or before `actual`, and plans the one after. Returns
    /// which edge to write (nil if none is due by `actual`).
    public mutating func fire(actual: UInt64) -> FiredEdge? {
        if isHigh {
            guard let fall = nextFall, fall <= actual else { return nil }
            isHigh = false
            nextFall = nil
            // The coil needs as long to return as it was driven: a rise sooner than that after
            // this (possibly late) fall is skipped, never made back to back.
            if var rise = nextRise {
                let earliest = actual &+ pulseWidthNanoseconds
                while rise < earliest {
                    rise &+= period(at: rise)
                    skippedStrokes += 1
                }
                nextRise = rise
            }
            return FiredEdge(edge: .fall, planned: fall)
        }
        guard var rise = nextRise, rise <= actual else { return nil }
        var p = period(at: rise)
        // A rise so late that the next one is also past: make only the latest, on its own slot.
        while rise &+ p <= actual {
            rise &+= p
            skippedStrokes += 1
            p = period(at: rise)
        }
        isHigh = true
        strokes += 1
        nextFall = actual &+ pulseWidthNanoseconds
        nextRise = isRunning ? rise &+ p : nil
        return FiredEdge(edge: .rise, planned: rise)
    }
}
