/// Why a zone pass ended, as recorded on it.
public enum StopReason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pedalReleased = 1
    case estop = 2
    case fault = 3
    case linkLost = 4
    case cartridgeRemoved = 5
    case disarmed = 6

    public var description: String {
        switch self {
        case .pedalReleased: "pedal-released"
        case .estop: "e-stop"
        case .fault: "fault"
        case .linkLost: "link-lost"
        case .cartridgeRemoved: "cartridge-removed"
        case .disarmed: "disarmed"
        }
    }
}
