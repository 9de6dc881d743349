/// Firmware misbehaviour a `SimulatedMachine` can be switched into, so `stipple selftest` can be
/// shown to catch it. Unlike `SimulatedFault` these are not physical faults the firmware reacts
/// to: they are a broken firmware, which is what a self-test exists to find.
public struct SimulatedFirmwareQuirks: Sendable, Hashable {
    /// The firmware never enforces its refresh deadline: heartbeats stop and it keeps driving
    /// (a firmware built without its watchdog).
    public var ignoresRefreshDeadline: Bool
    /// Telemetry stops while everything else (commands, replies) still works: a stuck
    /// telemetry timer.
    public var telemetryStalled: Bool

    public init(ignoresRefreshDeadline: Bool = false, telemetryStalled: Bool = false) {
        self.ignoresRefreshDeadline = ignoresRefreshDeadline
        self.telemetryStalled = telemetryStalled
    }
}
