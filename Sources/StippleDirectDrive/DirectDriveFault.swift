/// The fault codes of Firmware-Protocol/README.md section 7 as the direct-drive firmware uses them.
///
/// Every latch disarms on direct drive, including 3, 5, 6 and 8 which a controller board keeps
/// armed: a latch stops the charge pump, and with it the external watchdog drops both drivers'
/// enable in hardware. Reporting "armed" with the drivers unpowered would be a lie, and the stage's
/// position is no longer trusted, so `arm` re-homes.
public enum DirectDriveFault: UInt16, Sendable, Hashable, CaseIterable {
    case heartbeatTimeout = 1
    case estop = 2
    case motorStall = 3
    case overcurrent = 4
    case depthSensorDrift = 5
    case cartridgeRemoved = 6
    case limitViolation = 7
    case linkErrors = 8
    case `internal` = 9
    case homeNotFound = 10
    case stageLag = 11
    case loopStalled = 12

    /// Its bit in a latch word (`DirectDriveFirmwareStatus.latchedFaultMask`).
    public var bit: UInt16 { 1 << rawValue }
}

/// `command_result.status` (Firmware-Protocol/README.md section 7).
enum CommandStatus: UInt16 {
    case ok = 0
    case refusedInThisState = 1
    case outsideLimits = 2
    case faultLatched = 3
    case unknownCommand = 4
}
