import StippleModel

/// The stage positions a depth calibration visits, in order: `count` positions across the
/// machine's travel going deeper, then the same positions coming back shallower, so every
/// position is read from both sides and the lead screw's backlash shows as hysteresis.
///
/// The positions stay 5% of the travel inside its ends, and before each pass the stage goes to
/// the end it starts from: the first reading of each pass is then approached from the right side
/// too (a position at the very end could not be approached from beyond it).
public struct DepthCalibrationPlan: Sendable, Hashable {
    /// The issue asks for at least 7; 8 puts a point near each quarter and both ends.
    public static let defaultCount = 8

    public struct Move: Sendable, Hashable {
        public var stage: Depth
        /// A reading is taken here (false for the moves to a pass's starting end).
        public var read: Bool
        public var deeper: Bool
    }

    public let positions: [Depth]
    public let moves: [Move]

    public init(limits: MachineLimits, count: Int = DepthCalibrationPlan.defaultCount) {
        let lo = limits.depthMin.micrometres, hi = limits.depthMax.micrometres
        let margin = (hi - lo) / 20
        let step = max(limits.depthStep.micrometres, 1)
        let n = max(count, 2)
        var positions: [Depth] = []
        for i in 0..<n {
            let raw = Double(lo + margin) + Double(hi - lo - 2 * margin) * Double(i) / Double(n - 1)
            // On the machine's step grid, which the device and the profiles use.
            let snapped = lo + Int(((raw - Double(lo)) / Double(step)).rounded()) * step
            positions.append(Depth(micrometres: min(max(snapped, lo), hi)))
        }
        self.positions = positions
        var moves = [Move(stage: limits.depthMin, read: false, deeper: false)]
        moves += positions.map { Move(stage: $0, read: true, deeper: true) }
        moves.append(Move(stage: limits.depthMax, read: false, deeper: true))
        moves += positions.reversed().map { Move(stage: $0, read: true, deeper: false) }
        self.moves = moves
    }

    /// The moves where a reading is taken, in order: what a measurements file lists.
    public var readings: [Move] { moves.filter(\.read) }
}
