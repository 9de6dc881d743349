/// How far a simulated machine's stroke drive is from its set-point, so tests and demos of
/// `stipple calibrate rate` know the truth the calibration must find: the motor settles at
/// `offsetHertz + gain × s + quadraticPerHertz × s²` for a driven set-point `s` (never below 0).
/// A real drive shows these as a speed-loop gain error, a friction offset and a bend at the top
/// of its range.
public struct StrokeRateError: Sendable, Hashable {
    public var gain: Double
    public var offsetHertz: Double
    public var quadraticPerHertz: Double

    public init(gain: Double = 1, offsetHertz: Double = 0, quadraticPerHertz: Double = 0) {
        self.gain = gain
        self.offsetHertz = offsetHertz
        self.quadraticPerHertz = quadraticPerHertz
    }

    /// A perfect drive.
    public static let none = StrokeRateError()

    /// The rate the motor settles at for a driven set-point (0 when not driven).
    public func settledHertz(setpoint s: Double) -> Double {
        guard s > 0 else { return 0 }
        return max(0, offsetHertz + gain * s + quadraticPerHertz * s * s)
    }
}
