/// Numbered faults: the firmware's (1-9, Firmware-Protocol/README.md section 7) and the host's
/// own (100+). Each has a name for records and a message that says what to do.
public enum FaultCode: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case heartbeatTimeout = 1
    case estop = 2
    case motorStall = 3
    case overcurrent = 4
    case depthSensorDrift = 5
    case cartridgeRemoved = 6
    case limitViolation = 7
    case linkErrors = 8
    case firmwareInternal = 9
    /// Direct drive: the depth stage's home switch did not trigger within the homing travel.
    case homeNotFound = 10
    /// Direct drive: the step generator fell behind its motion plan beyond its bound.
    case stageLag = 11
    /// Direct drive: the loop was silent past the charge-pump watchdog's timeout.
    case loopStalled = 12
    /// Host side: the link to the controller board went down.
    case linkLost = 100
    /// Host side: the firmware refused a command the treatment depends on.
    case commandRefused = 101
    /// Host side: the actual stroke rate left its tolerance for too long.
    case rateOutOfBounds = 102

    /// A code the firmware sent that this host does not know is treated as internal.
    public init(wire: UInt16) { self = FaultCode(rawValue: wire) ?? .firmwareInternal }

    public var name: String {
        switch self {
        case .heartbeatTimeout: "heartbeat-timeout"
        case .estop: "estop"
        case .motorStall: "motor-stall"
        case .overcurrent: "overcurrent"
        case .depthSensorDrift: "depth-sensor-drift"
        case .cartridgeRemoved: "cartridge-removed"
        case .limitViolation: "limit-violation"
        case .linkErrors: "link-errors"
        case .firmwareInternal: "firmware-internal"
        case .homeNotFound: "home-not-found"
        case .stageLag: "stage-lag"
        case .loopStalled: "loop-stalled"
        case .linkLost: "link-lost"
        case .commandRefused: "command-refused"
        case .rateOutOfBounds: "rate-out-of-bounds"
        }
    }

    public var description: String { "fault \(rawValue) \(name)" }

    /// What the operator should do before resetting.
    public var advice: String {
        switch self {
        case .heartbeatTimeout: "the machine stopped because the host went quiet; check the cable and that nothing else loads the controller, then reset"
        case .estop: "release the e-stop button, make the area safe, then reset"
        case .motorStall: "the needle motor stalled; check the cartridge for a jam, then reset"
        case .overcurrent: "the motor drew too much current; replace the cartridge and check the machine, then reset"
        case .depthSensorDrift: "the measured depth left its tolerance; recalibrate the machine before treating again"
        case .cartridgeRemoved: "the cartridge came out mid-pass; fit a new sterile cartridge, then reset"
        case .limitViolation: "a command was outside the machine's configured limits; check the profile"
        case .linkErrors: "the link is corrupting frames; check or replace the USB cable"
        case .firmwareInternal: "the firmware reported an internal error; power-cycle the machine"
        case .homeNotFound: "the depth stage's home switch never triggered; check the switch, its wire and that the stage moves freely, then reset (the stage homes again at the next arm)"
        case .stageLag: "the control loop fell behind the depth stage's steps; check what else loads the controller (stipple run warns about real-time settings), then reset (the stage homes again at the next arm)"
        case .loopStalled: "the control loop stalled long enough for the charge-pump watchdog to drop the drivers; check what else loads the controller, then reset"
        case .linkLost: "the link to the machine was lost; reconnect the cable, then reset"
        case .commandRefused: "the machine refused a command; check the profile and the machine's state"
        case .rateOutOfBounds: "the stroke rate left its tolerance; check the cartridge and the motor"
        }
    }
}
