/// Limits no file may exceed, whatever machine or cartridge it names. They come from the devices
/// in the field (microneedling spans 0-3.0 mm; SMP pens stroke at 50-150 Hz; 1.8-5.0 mm stroke
/// length on PMU rotaries) and are the outermost of Stipple's validation layers.
public enum AbsoluteBounds {
    public static let depthMillimetres: ClosedRange<Double> = 0.0...3.0
    public static let depthStepMillimetres: ClosedRange<Double> = 0.005...0.25
    public static let rateHertz: ClosedRange<Double> = 50...150
    public static let strokeLengthMillimetres: ClosedRange<Double> = 1.8...5.0
    public static let depthSlewMillimetresPerSecond: ClosedRange<Double> = 0.5...100
    public static let rampMilliseconds: ClosedRange<Int> = 0...10_000
    /// A deadline under 10 ms cannot be kept by a host on a non-RT kernel; over 500 ms the needle
    /// would keep going for half a second after the host died.
    public static let heartbeatDeadlineMilliseconds: ClosedRange<Int> = 10...500
    public static let needleDiameterMillimetres: ClosedRange<Double> = 0.15...0.40
    public static let needleCount: ClosedRange<Int> = 1...15
    /// Set-vs-actual depth difference a cartridge membrane may cause (0.2-0.5 mm seen on PMU machines).
    public static let membraneOffsetMillimetres: ClosedRange<Double> = 0.0...0.6
    public static let depthVariationMillimetres: ClosedRange<Double> = 0.0...0.3
    public static let gpioOffset: ClosedRange<Int> = 0...1023
    public static let motorTimeConstantMilliseconds: ClosedRange<Double> = 1...1000
    public static let motorCurrentMilliamperes: ClosedRange<Int> = 1...5000
    public static let depthSensorNoiseMicrometres: ClosedRange<Int> = 0...100
    /// Under 5 µm no gauge can confirm it; over 0.25 mm a pass would hide the set-vs-actual
    /// error calibration exists to remove (a cleared device states +/-0.15 mm).
    public static let calibrationToleranceMillimetres: ClosedRange<Double> = 0.005...0.25
    /// A calibration is redone at least yearly; one day is the shortest a clinic schedules.
    public static let calibrationValidDays: ClosedRange<Int> = 1...365

    // Direct drive (`drive = "gpio"`): the outer bounds; the loop-derived limits are in
    // `DirectDriveParameters`, which says how each follows from the 1 kHz loop.
    /// 10 steps/mm cannot place a 0.25 mm depth step within a tenth; past 10,000 steps/mm (a fine
    /// lead screw at 1/64 microstepping) the 1 kHz loop could not move the stage at 0.5 mm/s.
    public static let stepsPerMillimetre: ClosedRange<Double> = 10...10_000
    public static let stepRateHertz: ClosedRange<Int> = 1...100_000
    public static let depthAccelerationMillimetresPerSecondSquared: ClosedRange<Double> = 1...10_000
    /// How far the stage backs off the home switch before calling it zero.
    public static let homeOffsetMillimetres: ClosedRange<Double> = 0.0...3.0
    /// Longest search for the home switch before homing faults: the depth range plus slack.
    public static let homeTravelMillimetres: ClosedRange<Double> = 0.5...10.0
    /// Solenoid and voice-coil drivers need at least 100 µs to move the needle at all; 20 ms is
    /// past the period of the slowest 50 Hz stroke.
    public static let strokePulseWidthMicroseconds: ClosedRange<Int> = 100...20_000
    public static let chargePumpHertz: ClosedRange<Int> = 1...100_000
    /// The external watchdog must drop the drivers within 100 ms of the last charge-pump edge:
    /// the needle must not run on for longer after the loop hangs. 2 ms is the shortest a
    /// retriggerable monostable on a breakout board is built for.
    public static let chargePumpTimeoutMilliseconds: ClosedRange<Int> = 2...100
}
