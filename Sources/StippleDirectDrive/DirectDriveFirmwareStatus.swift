/// The direct-drive firmware's own view, for tests, the console and a technician. Building it
/// allocates nothing (`latchedFaults` does, when asked).
public struct DirectDriveFirmwareStatus: Sendable, Hashable {
    /// An `identify` has opened a connection.
    public var identified = false
    public var armed = false
    public var running = false
    /// The stage is held at home zero (retract, disarm, or not yet started).
    public var retracted = true
    public var homing = false
    /// Home zero is known (since the last `arm`; a fault forgets it).
    public var homed = false
    /// Steps emitted, signed, from home zero once homed (from where homing began while homing).
    public var positionSteps = 0
    public var targetSteps = 0
    /// Following error: steps the stage is behind its motion plan.
    public var stepsOwed = 0
    /// Steps made since init.
    public var stepsEmitted = 0
    /// Rising stroke edges made since init.
    public var strokes = 0
    /// Strokes left out rather than made back to back after a late loop.
    public var skippedStrokes = 0
    public var strokeRateMillihertz: UInt32 = 0
    public var chargePumpRunning = false
    /// A bit per latched fault code (`DirectDriveFault.bit`).
    public var latchedFaultMask: UInt16 = 0
    /// Stroke edges made; those made late inside `service`; the worst lateness.
    public var strokeEdges = 0
    public var lateStrokeEdges = 0
    public var maximumStrokeEdgeLatenessNanoseconds: UInt64 = 0
    public var telemetrySent = 0
    public var faultReportsSent = 0
    /// Messages the link could not queue (its queue was full), telemetry excepted.
    public var messagesLost = 0
    public var commandsExecuted = 0
    public var commandsRefused = 0
    /// Host bytes dropped because the inbound buffer was full (the host resends).
    public var bytesDropped = 0
    /// GPIO writes the backend refused.
    public var gpioWriteFailures = 0

    public init() {}

    /// The latched fault codes, lowest first.
    public var latchedFaults: [UInt16] { DirectDriveFault.allCases.filter { latchedFaultMask & $0.bit != 0 }.map(\.rawValue) }
}
