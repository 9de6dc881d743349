/// The depth stage: moves toward its target no faster than the slew it is given, as a stepper
/// lead-screw or a position-controlled linear actuator does (the machine file's
/// `depth_slew_mm_per_s` bounds both).
struct SimulatedDepthStage {
    private(set) var positionMicrometres = 0.0
    /// The direction of the last move, for backlash: a lead screw's play sits on the flank it
    /// last pushed against. Starts deeper-going, as after homing from the retracted end.
    private(set) var lastMovedDeeper = true

    mutating func step(toward target: Double, slewMicrometresPerSecond: Double, seconds: Double) {
        let room = max(slewMicrometresPerSecond, 0) * seconds
        let diff = target - positionMicrometres
        if diff != 0 { lastMovedDeeper = diff > 0 }
        if abs(diff) <= room {
            positionMicrometres = target
        } else {
            positionMicrometres += diff > 0 ? room : -room
        }
    }
}
