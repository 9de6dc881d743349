/// Finding depth zero after `arm`: wait for the charge pump to enable the drivers, leave the home
/// switch if the stage starts on it, seek it in the home direction at the homing speed, stop at
/// the step that trips it, back off `home_offset` and call that position zero.
///
/// The switch is read at the start of each cycle and the homing speed keeps steps at least two
/// cycles apart, so the switch is always read after the last step settled and before the next:
/// the trip point is known to the step, with no overshoot into the switch.
public struct DepthStageHoming: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        case waitingForDrivers
        case leavingSwitch
        case seeking
        case backingOff
        case homed
        case failed
    }

    public enum Outcome: Sendable, Hashable {
        case inProgress
        case homed
        /// No trip within the homing travel: `travelled` steps in the leg that gave up.
        case notFound(travelled: Int)
    }

    /// +1 if the home switch is deeper (home_direction "down"), -1 if shallower ("up").
    public let seekSign: Int
    public let travelSteps: Int
    public let offsetSteps: Int
    public let speedStepsPerSecond: Double
    public private(set) var phase: Phase = .waitingForDrivers
    /// The emitted position (before rebasing) where the switch tripped.
    public private(set) var tripPosition: Int?
    private var legStart = 0

    public init(seekSign: Int, travelSteps: Int, offsetSteps: Int, speedStepsPerSecond: Double) {
        self.seekSign = seekSign >= 0 ? 1 : -1
        self.travelSteps = max(travelSteps, 1)
        self.offsetSteps = max(offsetSteps, 0)
        self.speedStepsPerSecond = speedStepsPerSecond
    }

    /// Steps at least this far apart while homing: 80% of the homing speed's interval, so at
    /// most one step per two 1 ms cycles at half the maximum step rate.
    private var interval: UInt64 { UInt64(0.8e9 / speedStepsPerSecond) }

    /// One cycle of homing, before the cycle's step: `switchActive` read at the cycle's start.
    public mutating func update(switchActive: Bool, driversEnabled: Bool, motion: inout DepthStageMotion) -> Outcome {
        switch phase {
        case .homed: return .homed
        case .failed: return .notFound(travelled: abs(motion.emitted - legStart))
        case .waitingForDrivers:
            guard driversEnabled else { return .inProgress }
            motion.halt()
            legStart = motion.emitted
            if switchActive {
                phase = .leavingSwitch
                motion.move(to: legStart - seekSign * travelSteps, speed: speedStepsPerSecond, minimumStepIntervalNanoseconds: interval)
            } else {
                phase = .seeking
                motion.move(to: legStart + seekSign * travelSteps, speed: speedStepsPerSecond, minimumStepIntervalNanoseconds: interval)
            }
            return .inProgress
        case .leavingSwitch:
            if !switchActive {
                motion.halt()
                legStart = motion.emitted
                phase = .seeking
                motion.move(to: legStart + seekSign * travelSteps, speed: speedStepsPerSecond, minimumStepIntervalNanoseconds: interval)
                return .inProgress
            }
            return giveUpIfTravelled(motion)
        case .seeking:
            if switchActive {
                motion.halt()
                tripPosition = motion.emitted
                phase = .backingOff
                motion.move(to: motion.emitted - seekSign * offsetSteps, speed: speedStepsPerSecond, minimumStepIntervalNanoseconds: interval)
                return .inProgress
            }
            return giveUpIfTravelled(motion)
        case .backingOff:
            guard motion.atRest else { return .inProgress }
            motion.rebase(emittedIs: 0)
            phase = .homed
            return .homed
        }
    }

    private mutating func giveUpIfTravelled(_ motion: DepthStageMotion) -> Outcome {
        let travelled = abs(motion.emitted - legStart)
        guard travelled >= travelSteps else { return .inProgress }
        phase = .failed
        return .notFound(travelled: travelled)
    }
}
