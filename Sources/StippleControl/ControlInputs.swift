import StippleWire

/// Everything the control step sees in one cycle. The session fills it from the GPIO edges and
/// the link; the step itself does no I/O.
public struct ControlInputs: Sendable {
    /// Logical levels after this cycle's edges.
    public var pedalDown = false
    public var estopActive = false
    public var cartridgePresent = true
    /// An e-stop edge went active during this cycle (even if it was released again already).
    public var estopEdge = false
    public var linkUp = true
    /// The latest telemetry received this cycle, if any.
    public var telemetry: Telemetry?
    /// A fault the firmware reported this cycle.
    public var deviceFault: (code: UInt16, detail: Int32)?
    /// A command the firmware refused this cycle (status != 0).
    public var refusedCommand: (command: UInt8, status: UInt16)?
    /// A clock_reply received this cycle.
    public var clockReply: (nonce: UInt32, deviceTicks: UInt64)?
    public var request: OperatorRequest?

    public init() {}

    /// Takes in one message from the machine.
    public mutating func absorb(_ message: Message) {
        switch message {
        case .telemetry(let t): telemetry = t
        case .faultReport(_, let code, let detail): deviceFault = (code, detail)
        case .commandResult(let cmd, let status, _) where status != 0: refusedCommand = (cmd, status)
        case .clockReply(let nonce, let ticks): clockReply = (nonce, ticks)
        default: break
        }
    }
}
