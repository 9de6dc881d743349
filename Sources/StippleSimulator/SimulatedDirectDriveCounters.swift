/// Everything the simulated direct-drive hardware counted since power-up. Tests compare these
/// with what the loop meant to do: a lost step or a bad pulse is a loop bug made visible.
public struct SimulatedDirectDriveCounters: Sendable, Hashable {
    /// Needle strokes: rising stroke edges while the solenoid driver was enabled.
    public var strokes = 0
    /// Rising stroke edges that made no stroke, because motor_enable was off or the watchdog had
    /// dropped the drivers.
    public var blockedStrokes = 0
    /// Stroke pulses shorter than the tolerances' minimum (the needle did not fully throw).
    public var shortStrokePulses = 0
    /// Stroke pulses longer than the configured width plus tolerance (cut short by the watchdog
    /// or ended by the loop).
    public var longStrokePulses = 0
    /// Steps the stage took.
    public var steps = 0
    /// Step pulses while depth_enable was off or the watchdog had dropped the drivers.
    public var stepsLostWhileDisabled = 0
    /// Step pulses sooner after the last step than the maximum step rate allows.
    public var stepsLostTooFast = 0
    /// Charge-pump edges seen, either direction.
    public var chargePumpEdges = 0
    /// Times the watchdog dropped enabled drivers because the charge pump stopped.
    public var watchdogTrips = 0

    public init() {}

    /// Stroke pulses the solenoid driver would flag: too short or too long.
    public var strokePulseFaults: Int { shortStrokePulses + longStrokePulses }
    /// Step pulses that did not move the stage.
    public var lostSteps: Int { stepsLostWhileDisabled + stepsLostTooFast }
}
