/// What a machine can physically do; every profile must fit inside these.
public struct MachineLimits: Sendable, Hashable {
    /// Set-depth range of the depth stage (needle tip past the cartridge tip).
    public var depthMin: Depth
    public var depthMax: Depth
    /// The finest depth increment the stage resolves; profile depths must lie on this grid.
    public var depthStep: Depth
    public var rateMin: StrokeRate
    public var rateMax: StrokeRate
    public var strokeLength: Depth
    /// How fast the depth stage may move, in mm/s.
    public var depthSlewMillimetresPerSecond: Double
    /// Shortest and longest ramp-in/out the drive accepts, in ms.
    public var rampMinMilliseconds: Int
    public var rampMaxMilliseconds: Int

    static func parse(_ r: TableReader) -> MachineLimits? {
        let depthMin = r.number("depth_min_mm", in: AbsoluteBounds.depthMillimetres, unit: "mm")
        let depthMax = r.number("depth_max_mm", in: AbsoluteBounds.depthMillimetres, unit: "mm")
        let depthStep = r.number("depth_step_mm", in: AbsoluteBounds.depthStepMillimetres, unit: "mm")
        let rateMin = r.number("rate_min_hz", in: AbsoluteBounds.rateHertz, unit: "Hz")
        let rateMax = r.number("rate_max_hz", in: AbsoluteBounds.rateHertz, unit: "Hz")
        let stroke = r.number("stroke_length_mm", in: AbsoluteBounds.strokeLengthMillimetres, unit: "mm")
        let slew = r.number("depth_slew_mm_per_s", in: AbsoluteBounds.depthSlewMillimetresPerSecond, unit: "mm/s")
        let rampMin = r.integer("ramp_min_ms", in: AbsoluteBounds.rampMilliseconds, unit: "ms")
        let rampMax = r.integer("ramp_max_ms", in: AbsoluteBounds.rampMilliseconds, unit: "ms")
        r.finish()
        if let depthMin, let depthMax, depthMin >= depthMax {
            r.report("depth_max_mm", value: .float(depthMax), "must be greater than depth_min_mm (\(ConfigValue.render(depthMin)))",
                     fix: "Set the stage's real travel")
        }
        if let rateMin, let rateMax, rateMin >= rateMax {
            r.report("rate_max_hz", value: .float(rateMax), "must be greater than rate_min_hz (\(ConfigValue.render(rateMin)))",
                     fix: "Set the drive's real range")
        }
        if let rampMin, let rampMax, rampMin > rampMax {
            r.report("ramp_max_ms", value: .integer(rampMax), "must not be less than ramp_min_ms (\(rampMin))",
                     fix: "Swap or correct them")
        }
        if let depthMin, let depthMax, let depthStep {
            let span = Depth(millimetres: depthMax) - Depth(millimetres: depthMin)
            let step = Depth(millimetres: depthStep)
            if span.micrometres % step.micrometres != 0 {
                r.report("depth_step_mm", value: .float(depthStep),
                         "does not divide the depth range \(ConfigValue.render(depthMin))-\(ConfigValue.render(depthMax)) mm evenly",
                         fix: "Use the stage's real step, or correct the range")
            }
        }
        guard let depthMin, let depthMax, let depthStep, let rateMin, let rateMax, let stroke, let slew,
              let rampMin, let rampMax, depthMin < depthMax, rateMin < rateMax, rampMin <= rampMax
        else { return nil }
        return MachineLimits(
            depthMin: Depth(millimetres: depthMin), depthMax: Depth(millimetres: depthMax),
            depthStep: Depth(millimetres: depthStep),
            rateMin: StrokeRate(hertz: rateMin), rateMax: StrokeRate(hertz: rateMax),
            strokeLength: Depth(millimetres: stroke), depthSlewMillimetresPerSecond: slew,
            rampMinMilliseconds: rampMin, rampMaxMilliseconds: rampMax)
    }
}
