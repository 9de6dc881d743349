import StippleHardware
import StippleModel
import StippleSimulator

/// Line writes planned at absolute virtual instants, played in time order into a simulated chip:
/// a stand-in for the direct-drive loop, so the simulated hardware can be tested before (and
/// independently of) the loop that will drive it.
struct DirectDriveTimeline {
    private var writes: [(at: UInt64, order: Int, role: GPIOLineRole, active: Bool)] = []

    static let ms: UInt64 = 1_000_000
    static let us: UInt64 = 1_000

    mutating func set(_ role: GPIOLineRole, _ active: Bool, at t: UInt64) {
        writes.append((t, writes.count, role, active))
    }

    /// One pulse: rise at `t`, fall `width` later.
    mutating func pulse(_ role: GPIOLineRole, at t: UInt64, width: UInt64) {
        set(role, true, at: t)
        set(role, false, at: t + width)
    }

    /// `count` pulses, the first at `start`, one every `period`.
    mutating func pulses(_ role: GPIOLineRole, count: Int, from start: UInt64, every period: UInt64, width: UInt64) {
        for i in 0..<UInt64(count) { pulse(role, at: start + i * period, width: width) }
    }

    /// The charge pump toggling every `halfPeriod` from `start` up to (not including) `end`;
    /// `startingActive` must differ from the line's level, or the first write is no edge.
    mutating func chargePump(from start: UInt64, to end: UInt64, halfPeriod: UInt64 = 2 * ms, startingActive: Bool = true) {
        var level = startingActive
        var t = start
        while t < end {
            set(.chargePump, level, at: t)
            level.toggle()
            t += halfPeriod
        }
    }

    /// Plays every write due at or before `end`, advancing the clock to each, then to `end`.
    /// Writes played are removed, so a test can play, look, plan more and play on.
    mutating func play(until end: UInt64, chip: SimulatedGPIOChip, clock: VirtualClock) throws {
        writes.sort { ($0.at, $0.order) < ($1.at, $1.order) }
        let due = writes.prefix { $0.at <= end }
        for w in due {
            clock.advance(toNanoseconds: w.at)
            try chip.write(w.role, active: w.active)
        }
        writes.removeFirst(due.count)
        clock.advance(toNanoseconds: end)
    }
}
