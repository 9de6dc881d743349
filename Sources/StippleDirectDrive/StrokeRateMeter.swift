/// The stroke rate as made, from the actual instants of the most recent rising edges (at most
/// eight): what telemetry reports, so a loop that runs late shows as a lower rate rather than the
/// set-point it meant. Zero when fewer than two strokes are known or none came for two periods.
public struct StrokeRateMeter: Sendable, Hashable {
    public static let window = 8
    private var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
    private var t4: UInt64 = 0, t5: UInt64 = 0, t6: UInt64 = 0, t7: UInt64 = 0
    private var next = 0
    public private(set) var count = 0

    public init() {}

    private func at(_ i: Int) -> UInt64 {
        switch i & 7 {
        case 0: t0
        case 1: t1
        case 2: t2
        case 3: t3
        case 4: t4
        case 5: t5
        case 6: t6
        default: t7
        }
    }

    private mutating func put(_ i: Int, _ v: UInt64) {
        switch i & 7 {
        case 0: t0 = v
        case 1: t1 = v
        case 2: t2 = v
        case 3: t3 = v
        case 4: t4 = v
        case 5: t5 = v
        case 6: t6 = v
        default: t7 = v
        }
    }

    private var last: UInt64 { at(next + 7) }

    /// Mean interval over the strokes held (nil with fewer than two).
    private var meanInterval: UInt64? {
        let n = min(count, Self.window)
        guard n >= 2 else { return nil }
        let first = at(next + Self.window - n)
        return (last &- first) / UInt64(n - 1)
    }

    /// Notes a stroke made at `t`. After a pause of more than two periods the old strokes no
    /// longer describe the rate and are forgotten.
    public mutating func record(_ t: UInt64) {
        if count > 0 {
            let gap = t &- last
            if let mean = meanInterval, gap > 2 * mean { count = 0 }
            else if count == 1, gap > 1_000_000_000 { count = 0 }
        }
        put(next, t)
        next = (next + 1) & 7
        count = min(count + 1, Self.window)
    }

    /// Strokes per second at `now`, in millihertz.
    public func millihertz(now: UInt64) -> UInt32 {
        let n = min(count, Self.window)
        guard n >= 2, let mean = meanInterval, mean > 0 else { return 0 }
        if now > last, now - last > 2 * mean { return 0 }
        let span = Double(last &- at(next + Self.window - n))
        return UInt32(clamping: Int((Double(n - 1) * 1e12 / span).rounded()))
    }
}
