import StippleWire

/// Everything the control step remembers between cycles. A value: the step is
/// `(state, inputs, now) -> (state, outputs)`, so tests can copy, compare and replay it.
public struct ControlState: Sendable {
    public internal(set) var machine: MachineState = .idle
    public internal(set) var settings: SessionSettings?
    /// How many times settings were loaded: pass records carry it, so a reader that knows the
    /// order of its loads knows what each pass ran with without strings in the record.
    public internal(set) var settingsGeneration: UInt16 = 0
    public internal(set) var latchedFault: FaultCode?
    public internal(set) var passIndex: UInt32 = 0
    public internal(set) var inPass = false
    public internal(set) var lastTelemetry: Telemetry?
    /// The set depth last commanded, micrometres on the stage.
    public internal(set) var commandedDepthMicrometres = 0
    public internal(set) var clockSync: DeviceClockSync?
    /// The device clock rate reported at identify.
    public var deviceTickHertz: UInt32 = 1_000_000

    var passStartedAt: UInt64 = 0
    var runStartedAt: UInt64 = 0
    var strokesAtStart: UInt32?
    var all = PassAccumulator()
    var steady = PassAccumulator()
    var variation = DotVariation(seed: 0)
    var nextDotAt: UInt64 = 0
    var lastDepthSentAt: UInt64 = 0
    var rateBadSince: UInt64?
    var depthBadSince: UInt64?
    var pendingStopAt: UInt64?
    var heartbeatCounter: UInt32 = 0
    var lastHeartbeatAt: UInt64?
    var clockNonce: UInt32 = 0
    var clockSentAt: UInt64?
    var lastClockRequestAt: UInt64?
    var lastEstopActive = false

    public init() {}
}
