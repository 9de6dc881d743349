/// What an observer of the simulated direct-drive machine sees at one instant.
public struct SimulatedDirectDriveStatus: Sendable, Hashable {
    /// Needle strokes since power-up.
    public var strokes: Int
    /// Strokes in the last second up to the instant of the status (so, strokes per second).
    public var strokeRateHertz: Double
    /// The stage's physical position in steps from the home switch's trip point, positive deeper.
    public var positionSteps: Int
    /// `positionSteps` in millimetres.
    public var positionMillimetres: Double
    /// Step pulses that did not move the stage (disabled, or too fast).
    public var lostSteps: Int
    /// True while the charge-pump watchdog holds both drivers disabled (also before the pump
    /// first started).
    public var watchdogTripped: Bool
    /// The depth_home input's logical level.
    public var homeSwitchActive: Bool
    public var counters: SimulatedDirectDriveCounters
}
