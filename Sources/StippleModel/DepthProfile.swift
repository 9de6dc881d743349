/// What a practitioner picks before needling a zone: how deep, how fast, how it ramps, and how the
/// depth varies dot to dot. A profile is only ever valid *for* a machine and cartridge pair;
/// `ProfileFit` decides that.
public struct DepthProfile: Sendable, Hashable {
    public var name: String
    public var summary: String
    public var zones: [Zone]
    public var compatibleCartridges: [String]
    /// Actual needle depth wanted in skin (the cartridge's membrane offset is added on the machine).
    public var depthTarget: Depth
    public var depthMin: Depth
    public var depthMax: Depth
    public var rate: StrokeRate
    public var rampInMilliseconds: Int
    public var rampOutMilliseconds: Int
    /// Per-dot depth variation: each dot lands within target ± amplitude, from a seeded sequence
    /// so a session can be replayed exactly.
    public var variationAmplitude: Depth
    public var variationSeed: UInt32

    public static func decode(text: String, file: String) -> Result<DepthProfile, ConfigError> {
        let (profile, issues) = decodeAll(text: text, file: file)
        if let profile, issues.isEmpty { return .success(profile) }
        return .failure(ConfigError(issues))
    }

    /// Every problem in the file, plus the profile when its values could all be read despite
    /// structural problems (unknown keys, duplicate or unknown zones), so machine and cartridge
    /// checks can report their problems in the same pass. Never treat a returned profile as valid
    /// unless the issue list is empty.
    public static func decodeAll(text: String, file: String) -> (DepthProfile?, [ConfigIssue]) {
        ConfigDocument.decodeAll(text: text, file: file) { r in
            let name = ConfigDocument.name(r, kind: "profile")
            let summary = r.string("description", expect: "one line saying what the profile is for")
            let zoneNames = r.stringArray("zones", expect: "zone names such as \"frontal-hairline\"")
            let cartridges = r.stringArray("compatible_cartridges", expect: "cartridge names such as \"1RL-0.25\"")
            let rate = r.number("rate_hz", in: AbsoluteBounds.rateHertz, unit: "Hz")
            let rampIn = r.integer("ramp_in_ms", in: AbsoluteBounds.rampMilliseconds, unit: "ms")
            let rampOut = r.integer("ramp_out_ms", in: AbsoluteBounds.rampMilliseconds, unit: "ms")
            var target: Double?, lo: Double?, hi: Double?
            if let d = r.table("depth_mm", expect: "target, min and max depth in mm") {
                target = d.number("target", in: AbsoluteBounds.depthMillimetres, unit: "mm")
                lo = d.number("min", in: AbsoluteBounds.depthMillimetres, unit: "mm")
                hi = d.number("max", in: AbsoluteBounds.depthMillimetres, unit: "mm")
                d.finish()
                for (key, v) in [("target", target), ("min", lo), ("max", hi)] {
                    if let v, Depth(millimetres: v).millimetres != v {
                        d.report(key, value: .float(v), "is finer than 1 µm", fix: "Round it to 3 decimals")
                    }
                }
                if let t = target, let l = lo, let h = hi, !(l <= t && t <= h) {
                    d.report("target", value: .float(t),
                             "is not within depth_mm.min-depth_mm.max (\(ConfigValue.render(l))-\(ConfigValue.render(h)) mm)",
                             fix: "Make min <= target <= max")
                }
            }
            var amplitude: Double?, seed: Int?
            if let v = r.table("variation", expect: "depth_amplitude_mm and seed") {
                amplitude = v.number("depth_amplitude_mm", in: AbsoluteBounds.depthVariationMillimetres, unit: "mm")
                seed = v.integer("seed", in: 0...Int(UInt32.max))
                v.finish()
                if let a = amplitude, Depth(millimetres: a).millimetres != a {
                    v.report("depth_amplitude_mm", value: .float(a), "is finer than 1 µm", fix: "Round it to 3 decimals")
                }
                if let a = amplitude, let t = target, let l = lo, let h = hi, l <= t, t <= h,
                   t - a < l - 1e-9 || t + a > h + 1e-9 {
                    v.report("depth_amplitude_mm", value: .float(a),
                             "lets dots reach \(ConfigValue.render(t - a))-\(ConfigValue.render(t + a)) mm, outside depth_mm \(ConfigValue.render(l))-\(ConfigValue.render(h)) mm",
                             fix: "Lower the amplitude to at most \(ConfigValue.render(min(t - l, h - t))) mm or widen min/max")
                }
            }
            var zones: [Zone] = []
            if let zoneNames {
                for (i, z) in zoneNames {
                    if let zone = Zone(name: z) { zones.append(zone) } else {
                        r.reportAt("zones[\(i)]", value: "\"\(z)\"", "is not a known zone",
                                   fix: "Use one of: " + Zone.standard.map(\.name).joined(separator: ", ") + ", or custom:NAME")
                    }
                }
            }
            guard let name, let summary, !zones.isEmpty, let cartridges, !cartridges.isEmpty, let rate,
                  let rampIn, let rampOut, let target, let lo, let hi, let amplitude, let seed
            else { return nil }
            return DepthProfile(
                name: name, summary: summary, zones: zones, compatibleCartridges: cartridges.map(\.value),
                depthTarget: Depth(millimetres: target), depthMin: Depth(millimetres: lo), depthMax: Depth(millimetres: hi),
                rate: StrokeRate(hertz: rate), rampInMilliseconds: rampIn, rampOutMilliseconds: rampOut,
                variationAmplitude: Depth(millimetres: amplitude), variationSeed: UInt32(seed))
        }
    }
}
