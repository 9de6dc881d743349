/// Statistics of one zone pass. Rate and depth figures cover the steady part of the pass (after
/// ramp-in) when there is one, else the whole pass.
public struct PassSummary: Sendable, Hashable {
    public var pass: UInt32 = 0
    public var startedAt: UInt64 = 0
    public var endedAt: UInt64 = 0
    public var strokes: UInt32 = 0
    public var rateMeanHertz = 0.0, rateMinHertz = 0.0, rateMaxHertz = 0.0
    /// Set depth measured on the stage, in millimetres.
    public var depthMeanMillimetres = 0.0, depthMinMillimetres = 0.0, depthMaxMillimetres = 0.0
    public var samples: UInt32 = 0
    public var stopReason: StopReason = .pedalReleased
    /// The fault that ended the pass, when `stopReason` is `.fault`.
    public var faultCode: UInt16 = 0

    public init() {}

    public var durationNanoseconds: UInt64 { endedAt >= startedAt ? endedAt - startedAt : 0 }
}

/// A fixed-size record leaving the control loop through the ring to the journal. Plain values
/// only, so pushing one never allocates.
public struct ControlRecord: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        case stateChanged, passStarted, passEnded, fault, estop, reset, telemetry, requestRefused, commandRefused
        /// A reconnect found the machine again and the handshake completed (the fault stays
        /// latched until the operator resets it).
        case linkRestored
    }

    public var kind: Kind
    /// Host monotonic nanoseconds.
    public var at: UInt64
    public var from: MachineState = .idle
    public var to: MachineState = .idle
    /// Fault code, refused command id, refusal reason, or (pass started) settings generation.
    public var code: UInt16 = 0
    public var summary = PassSummary()
    public var rateHertz = 0.0
    public var depthMillimetres = 0.0
    public var currentMilliamperes: UInt16 = 0

    public init(kind: Kind, at: UInt64) {
        self.kind = kind
        self.at = at
    }

    /// Telemetry may be dropped when the ring is short of room; boundaries and faults never.
    public var isDroppable: Bool { kind == .telemetry }
}

/// Why an operator request was refused (`ControlRecord.code` of a `requestRefused` record).
public enum RefusalReason: UInt16, Sendable, Hashable, CustomStringConvertible {
    case transitionNotAllowed = 1
    case settingsLockedWhileRunning = 2
    case noSettingsLoaded = 3
    case cartridgeMissing = 4
    case cartridgeReused = 5
    case linkDown = 6
    case causeStillPresent = 7
    case pedalDown = 8

    public var description: String {
        switch self {
        case .transitionNotAllowed: "not allowed in this state"
        case .settingsLockedWhileRunning: "settings can change only while the needle is not engaged"
        case .noSettingsLoaded: "no machine, cartridge and profile loaded"
        case .cartridgeMissing: "no cartridge fitted"
        case .cartridgeReused: "this single-use cartridge was used on another client"
        case .linkDown: "the machine is not connected"
        case .causeStillPresent: "the cause (e-stop pressed, cartridge out, link down) is still present"
        case .pedalDown: "release the pedal first"
        }
    }
}
