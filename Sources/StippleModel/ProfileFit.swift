/// Whether a profile may run with a given cartridge, and on a given machine with it. Every check
/// names the profile file and key, the value, the limit it breaks and whose limit that is.
public enum ProfileFit {
    /// Problems running `profile` with `cartridge`, on any machine.
    public static func issues(_ profile: DepthProfile, file: String, cartridge: Cartridge) -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        if !profile.compatibleCartridges.contains(cartridge.name) {
            out.append(ConfigIssue(
                file: file, key: "compatible_cartridges",
                value: "[" + profile.compatibleCartridges.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
                problem: "does not list cartridge \(cartridge.name)",
                fix: "Use one of the listed cartridges, or add \(cartridge.name) once the profile is proven with it"))
        }
        if profile.depthMax > cartridge.maxDepth {
            out.append(ConfigIssue(
                file: file, key: "depth_mm.max", value: profile.depthMax.plain,
                problem: "exceeds cartridge \(cartridge.name) max \(cartridge.maxDepth)",
                fix: "Lower depth_mm.max to \(cartridge.maxDepth) or less, or use a cartridge rated deeper"))
        }
        return out
    }

    /// Problems running `profile` with `cartridge` on `machine`, including the cartridge's own.
    public static func issues(_ profile: DepthProfile, file: String, machine: MachineSpec, cartridge: Cartridge) -> [ConfigIssue] {
        var out = issues(profile, file: file, cartridge: cartridge)
        let l = machine.limits
        let offset = cartridge.membraneOffset
        // The stage must be set deeper than the wanted depth by the membrane offset.
        if profile.depthMax + offset > l.depthMax {
            out.append(ConfigIssue(
                file: file, key: "depth_mm.max", value: profile.depthMax.plain,
                problem: "needs a set depth of \(profile.depthMax + offset) with cartridge \(cartridge.name) (membrane offset \(offset)), beyond machine \(machine.name) max \(l.depthMax)",
                fix: "Lower depth_mm.max to \(l.depthMax - offset) or less, or use another machine"))
        }
        if profile.depthMin + offset < l.depthMin {
            out.append(ConfigIssue(
                file: file, key: "depth_mm.min", value: profile.depthMin.plain,
                problem: "needs a set depth of \(profile.depthMin + offset), below machine \(machine.name) min \(l.depthMin)",
                fix: "Raise depth_mm.min to \(l.depthMin - offset) or more"))
        }
        // The stage resolves set depths (wanted depth + membrane offset) on a grid that starts at
        // the machine's minimum; a depth off that grid could not be set exactly.
        for (key, d) in [("depth_mm.target", profile.depthTarget), ("depth_mm.min", profile.depthMin), ("depth_mm.max", profile.depthMax)] {
            let set = d + offset
            let off = (set - l.depthMin).micrometres % l.depthStep.micrometres
            guard off != 0 else { continue }
            let below = Depth(micrometres: d.micrometres - off)
            let viaCartridge = offset.micrometres == 0 ? "" : " (with cartridge \(cartridge.name)'s membrane offset \(offset))"
            out.append(ConfigIssue(
                file: file, key: key, value: d.plain,
                problem: "needs a set depth of \(set)\(viaCartridge), not on machine \(machine.name)'s depth step \(l.depthStep) from \(l.depthMin)",
                fix: "Use \(below.plain) or \((below + l.depthStep).plain)"))
        }
        if profile.rate < l.rateMin || profile.rate > l.rateMax {
            out.append(ConfigIssue(
                file: file, key: "rate_hz", value: profile.rate.plain,
                problem: "is outside machine \(machine.name) range \(l.rateMin.plain)-\(l.rateMax)",
                fix: "Set a rate from \(l.rateMin.plain) to \(l.rateMax)"))
        }
        for (key, ms) in [("ramp_in_ms", profile.rampInMilliseconds), ("ramp_out_ms", profile.rampOutMilliseconds)]
        where ms < l.rampMinMilliseconds || ms > l.rampMaxMilliseconds {
            out.append(ConfigIssue(
                file: file, key: key, value: String(ms),
                problem: "is outside machine \(machine.name) ramp range \(l.rampMinMilliseconds)-\(l.rampMaxMilliseconds) ms",
                fix: "Set a ramp from \(l.rampMinMilliseconds) to \(l.rampMaxMilliseconds) ms"))
        }
        return out
    }
}
