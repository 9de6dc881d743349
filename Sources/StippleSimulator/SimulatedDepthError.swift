/// The difference between where a simulated machine's depth stage says it is and where its needle
/// actually lands: the truth a calibration has to find. Tests inject it and so know the answer.
///
/// The needle depth at stage position `x` (mm), after the stage last moved deeper, is
/// `offset + scale * x + quadratic * x² - backlash / 2`; after it last moved shallower, the same
/// `+ backlash / 2` (a lead screw's play takes up on the other flank). A gauge reading adds
/// normal noise of `gaugeNoise` (standard deviation). A fitted cartridge lands its type's
/// `membrane_offset_mm` plus `membraneError` shallower.
public struct SimulatedDepthError: Sendable, Hashable, CustomStringConvertible {
    public var offsetMillimetres: Double
    public var scale: Double
    public var quadraticPerMillimetre: Double
    public var backlashMillimetres: Double
    public var gaugeNoiseMillimetres: Double
    public var membraneErrorMillimetres: Double

    public init(offsetMillimetres: Double = 0, scale: Double = 1, quadraticPerMillimetre: Double = 0,
                backlashMillimetres: Double = 0, gaugeNoiseMillimetres: Double = 0, membraneErrorMillimetres: Double = 0) {
        self.offsetMillimetres = offsetMillimetres
        self.scale = scale
        self.quadraticPerMillimetre = quadraticPerMillimetre
        self.backlashMillimetres = backlashMillimetres
        self.gaugeNoiseMillimetres = gaugeNoiseMillimetres
        self.membraneErrorMillimetres = membraneErrorMillimetres
    }

    /// A perfect machine: the needle is where the stage says.
    public static let none = SimulatedDepthError()

    /// The machine's needle depth (mm, no cartridge membrane) at stage position `x` (mm).
    public func needleDepth(atStage x: Double, lastMovedDeeper: Bool) -> Double {
        let half = backlashMillimetres / 2
        return offsetMillimetres + scale * x + quadraticPerMillimetre * x * x + (lastMovedDeeper ? -half : half)
    }

    /// The keys `parse` accepts, as `--sim-error` documents them.
    public static let syntax = "offset=MM,scale=S,quadratic=PER_MM,backlash=MM,noise=MM,membrane=MM (any subset)"

    /// Parses `offset=0.2,scale=1.04,...` (mm, a scale factor, per mm); keys left out keep the
    /// perfect machine's values. Fails with the reason.
    public static func parse(_ text: String) -> Result<SimulatedDepthError, SimulatedDepthErrorSyntax> {
        var e = SimulatedDepthError()
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0.filter { $0 != " " }) }
            guard parts.count == 2, let v = Double(parts[1]), v.isFinite else {
                return .failure(SimulatedDepthErrorSyntax(item: String(item), reason: "is not KEY=NUMBER"))
            }
            switch parts[0] {
            case "offset": e.offsetMillimetres = v
            case "scale":
                guard v > 0.5, v < 2 else { return .failure(.init(item: String(item), reason: "a scale must lie between 0.5 and 2")) }
                e.scale = v
            case "quadratic": e.quadraticPerMillimetre = v
            case "backlash", "noise":
                guard v >= 0 else { return .failure(.init(item: String(item), reason: "must not be negative")) }
                if parts[0] == "backlash" { e.backlashMillimetres = v } else { e.gaugeNoiseMillimetres = v }
            case "membrane": e.membraneErrorMillimetres = v
            default:
                return .failure(.init(item: String(item), reason: "is not one of offset, scale, quadratic, backlash, noise, membrane"))
            }
        }
        return .success(e)
    }

    public var description: String {
        "offset=\(offsetMillimetres),scale=\(scale),quadratic=\(quadraticPerMillimetre),backlash=\(backlashMillimetres),"
            + "noise=\(gaugeNoiseMillimetres),membrane=\(membraneErrorMillimetres)"
    }
}

/// Why a `--sim-error` text was refused.
public struct SimulatedDepthErrorSyntax: Error, Sendable, Hashable {
    public var item: String
    public var reason: String
}
