/// One fault the simulated firmware latched, as a firmware's own event log would keep it: when,
/// with what detail, how fast the needle was stroking, and when the stroke motor had stopped.
/// `stipple sim gadget` prints these, so the rig can show that the firmware's refresh deadline,
/// not the host, stopped the motor after an unplug.
public struct FirmwareLatchRecord: Sendable, Hashable {
    /// The fault code (Firmware-Protocol/README.md section 7).
    public var code: UInt16
    /// The fault report's detail (for heartbeat-timeout: milliseconds since the last heartbeat).
    public var detail: Int32
    /// The machine's clock (its caller's monotonic nanoseconds) when it latched.
    public var at: UInt64
    public var rateAtLatchHertz: Double
    /// When the stroke rate had fallen below 0.5 Hz afterwards; nil while still slowing.
    public var motorStoppedAt: UInt64?

    /// The fault's name as in the spec's table.
    public var name: String {
        switch FirmwareFault(rawValue: code) {
        case .heartbeatTimeout: "heartbeat-timeout"
        case .estop: "estop"
        case .motorStall: "motor-stall"
        case .overcurrent: "overcurrent"
        case .depthSensorDrift: "depth-sensor-drift"
        case .cartridgeRemoved: "cartridge-removed"
        case .limitViolation: "limit-violation"
        case .linkErrors: "link-errors"
        case .internal, nil: "internal"
        }
    }
}
