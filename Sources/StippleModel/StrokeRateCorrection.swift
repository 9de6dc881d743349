/// A machine's stroke-rate drive curve as `stipple calibrate rate` measured it, and its inverse.
///
/// The model is linear: achieved = gain × commanded + offset (hertz). A rotary motor's speed
/// loop and a voice-coil driver's frequency both come out linear to well under 1% over 50-150 Hz
/// when healthy; a machine whose curve bends more than that is reported as failing calibration
/// (its residuals show the bend) rather than hidden behind a higher-order fit, since a bent curve
/// usually means a worn motor or a failing driver.
///
/// At run time the control core asks for `commandedHertz(forAchieved:)` of the profile's rate,
/// so the needle strokes at the rate the practitioner chose.
public struct StrokeRateCorrection: Sendable, Hashable, Codable {
    /// Achieved hertz per commanded hertz (1 = none).
    public var gain: Double
    /// Achieved hertz at a commanded 0 Hz, extrapolated (0 = none).
    public var offsetHertz: Double

    public init(gain: Double, offsetHertz: Double) {
        self.gain = gain
        self.offsetHertz = offsetHertz
    }

    /// No correction: commanded is achieved.
    public static let identity = StrokeRateCorrection(gain: 1, offsetHertz: 0)

    /// What the machine achieves when `commandedHertz` is asked for, by this model.
    public func achievedHertz(forCommanded commandedHertz: Double) -> Double {
        gain * commandedHertz + offsetHertz
    }

    /// The set-point to send so the machine achieves `wantedHertz`.
    public func commandedHertz(forAchieved wantedHertz: Double) -> Double {
        (wantedHertz - offsetHertz) / gain
    }

    /// The set-point to send, in the protocol's millihertz, for a wanted rate; nil when it falls
    /// outside `limits` (the machine cannot reach the wanted rate through its own limits).
    public func commandedMillihertz(forAchieved wanted: StrokeRate, within limits: ClosedRange<StrokeRate>) -> Int? {
        let c = Int((commandedHertz(forAchieved: wanted.hertz) * 1000).rounded())
        guard c >= limits.lowerBound.millihertz, c <= limits.upperBound.millihertz else { return nil }
        return c
    }

    /// The least-squares line through (commanded, achieved) points; nil for fewer than two
    /// distinct commanded rates or a gain too far from 1 to be a drive curve (≤ 0.5 or ≥ 2).
    public static func fit(commandedHertz x: [Double], achievedHertz y: [Double]) -> StrokeRateCorrection? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for (a, b) in zip(x, y) {
            sxx += (a - mx) * (a - mx)
            sxy += (a - mx) * (b - my)
        }
        guard sxx > 0 else { return nil }
        let gain = sxy / sxx
        guard gain > 0.5, gain < 2 else { return nil }
        return StrokeRateCorrection(gain: gain, offsetHertz: my - gain * mx)
    }
}
