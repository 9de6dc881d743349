/// What the practitioner or technician asks of the machine between cycles.
public enum OperatorRequest: Sendable, Hashable {
    /// Load settings; allowed only outside `running` and `paused`.
    case load(SessionSettings)
    /// Enable the drive for the loaded settings. `cartridgeCleared` is the single-use lockout's
    /// verdict, checked by the session before the request reaches the loop.
    case arm(cartridgeCleared: Bool)
    case disarm
    /// Stop needling without ending the pass (needle retracted, motor stopped).
    case pause
    case resume
    /// Leave `fault` or `e-stopped` once the cause is gone.
    case reset
    /// After link-lost: find the machine again and redo the handshake. Handled by the session
    /// (it is I/O), never by the control step; the fault still needs a `reset` afterwards.
    case reconnect
    /// A software e-stop (the console's STOP): the same reaction as the e-stop button, in the
    /// cycle that takes it: enable line down, `estop` sent, the pass ended, latched until reset.
    case emergencyStop
}
