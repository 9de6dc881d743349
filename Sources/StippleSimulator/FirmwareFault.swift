/// The fault codes of Firmware-Protocol/README.md section 7, with the firmware's reaction.
enum FirmwareFault: UInt16, CaseIterable {
    case heartbeatTimeout = 1
    case estop = 2
    case motorStall = 3
    case overcurrent = 4
    case depthSensorDrift = 5
    case cartridgeRemoved = 6
    case limitViolation = 7
    case linkErrors = 8
    case `internal` = 9

    /// Every latched fault stops and retracts; these also drop the drive enable (disarm), per
    /// the spec's table. The others leave the drive armed but refuse `start` until reset.
    var disablesDrive: Bool {
        switch self {
        case .heartbeatTimeout, .estop, .overcurrent, .internal: true
        default: false
        }
    }

    /// Its bit in the firmware's latch word.
    var bit: UInt16 { 1 << rawValue }
}
