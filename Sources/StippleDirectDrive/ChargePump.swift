/// The square wave to the external watchdog that keeps both drivers enabled only while it
/// toggles. Toggled on cycle boundaries by time: once `now` reaches the next half-period instant
/// (on a fixed grid, so a late cycle does not stretch the following half periods). It stops,
/// leaving the line as it is, the moment a fault latches; the watchdog then drops the drivers
/// within its timeout in hardware, whatever the software does next.
public struct ChargePump: Sendable, Hashable {
    public let halfPeriodNanoseconds: UInt64
    public let timeoutNanoseconds: UInt64
    /// Edges a watchdog may need, each within its timeout of the last, before it enables the
    /// drivers after a stop. The loop moves nothing until the pump has made this many: a step or
    /// stroke sent before the enable would be lost.
    public static let edgesBeforeDrive = 3

    public private(set) var isRunning = false
    public private(set) var level: Bool
    public private(set) var lastToggle: UInt64?
    public private(set) var edgesSinceStart = 0
    private var nextToggle: UInt64 = 0

    /// - Parameter level: the line's level now (the first toggle must be an edge).
    public init(hertz: Int, timeoutMilliseconds: Int, level: Bool) {
        halfPeriodNanoseconds = 500_000_000 / UInt64(max(hertz, 1))
        timeoutNanoseconds = UInt64(max(timeoutMilliseconds, 1)) * 1_000_000
        self.level = level
    }

    /// Runs from `now`: the first toggle is due at once.
    public mutating func start(now: UInt64) {
        guard !isRunning else { return }
        isRunning = true
        edgesSinceStart = 0
        nextToggle = now
    }

    public mutating func stop() { isRunning = false }

    /// The level to write if a toggle is due at `now` (at most one per call).
    public mutating func toggle(now: UInt64) -> Bool? {
        guard isRunning, now >= nextToggle else { return nil }
        level.toggle()
        lastToggle = now
        edgesSinceStart += 1
        nextToggle &+= halfPeriodNanoseconds
        if nextToggle <= now {
            // A late cycle: stay on the grid, the next slot after now.
            let behind = (now - nextToggle) / halfPeriodNanoseconds + 1
            nextToggle &+= behind * halfPeriodNanoseconds
        }
        return level
    }

    /// The watchdog sees the drivers' enable: running, and enough edges made since (re)start.
    public var driversEnabled: Bool { isRunning && edgesSinceStart >= Self.edgesBeforeDrive }

    /// True if the watchdog has dropped the drivers by `now`: the pump ran, and its last edge is
    /// at least the timeout old.
    public func watchdogExpired(now: UInt64) -> Bool {
        guard isRunning, let last = lastToggle else { return false }
        return now >= last && now - last >= timeoutNanoseconds
    }
}
