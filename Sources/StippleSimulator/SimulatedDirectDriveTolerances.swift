/// What the simulated direct-drive hardware forgives: the solenoid driver, the stepper and the
/// charge-pump watchdog each accept pulses only within limits, and a loop that strays outside them
/// shows up in the machine's counters. The machine file gives the nominal numbers; these say how
/// far from them the hardware still works, so tests can tighten or loosen them.
public struct SimulatedDirectDriveTolerances: Sendable, Hashable {
    /// A stroke pulse shorter than this cannot throw the needle through its full stroke.
    public var minimumStrokePulseNanoseconds: UInt64
    /// A stroke pulse longer than the configured width by more than this fraction heats the coil
    /// and holds the needle in the skin: a fault even though the stroke happened.
    public var strokePulseWidthTolerance: Double
    /// A step that comes sooner than `(1 - this) / max_step_rate_hz` after the last one is beyond
    /// the stepper's pull-out rate and is lost. A quarter: the rotor's inertia carries it through
    /// an occasional short interval (a 1 ms loop with real jitter sends 0.9 ms now and then at
    /// the maximum rate, and the loop holds back anything under 0.8 ms); a stepper loses steps
    /// when pulses come much faster than it can follow, such as two in one cycle. At 0.02 every
    /// slightly early cycle at 1,000 steps/s would have counted as lost, and a loop that held
    /// those steps back would owe more on every early cycle until it stalled.
    public var stepIntervalTolerance: Double
    /// Charge-pump edges, each within the timeout of the one before, that the watchdog needs to
    /// enable the drivers again after it tripped (or at power-up): one stray edge from a dying
    /// loop must not re-enable the needle.
    public var chargePumpEdgesToEnable: Int
    /// Where the stage starts, measured from the home switch away from the home direction.
    public var startMillimetresFromHome: Double
    /// False simulates a home switch that never triggers (broken wire, dead opto).
    public var homeSwitchWorks: Bool

    public init(minimumStrokePulseNanoseconds: UInt64 = 200_000, strokePulseWidthTolerance: Double = 0.1,
                stepIntervalTolerance: Double = 0.25, chargePumpEdgesToEnable: Int = 2,
                startMillimetresFromHome: Double = 1.0, homeSwitchWorks: Bool = true) {
        self.minimumStrokePulseNanoseconds = minimumStrokePulseNanoseconds
        self.strokePulseWidthTolerance = strokePulseWidthTolerance
        self.stepIntervalTolerance = stepIntervalTolerance
        self.chargePumpEdgesToEnable = chargePumpEdgesToEnable
        self.startMillimetresFromHome = startMillimetresFromHome
        self.homeSwitchWorks = homeSwitchWorks
    }

    /// Real drivers' margins, close enough that a loop meeting its own plan never trips them.
    public static let standard = SimulatedDirectDriveTolerances()
}
