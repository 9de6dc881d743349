/// Decides whether a profile may be used anywhere: its own checks, every cartridge it lists (or
/// the one named), and every machine (or the one named). With no machine named, the profile is
/// valid when at least one machine + cartridge pair fits; the pairs that do not fit are reported
/// as notes so a reader sees where it cannot run and why.
public struct ProfileAssessment: Sendable {
    public struct Pair: Sendable, Hashable {
        public var machine: String
        public var cartridge: String
    }

    public var errors: [ConfigIssue] = []
    public var fits: [Pair] = []
    public var misfits: [(pair: Pair, issues: [ConfigIssue])] = []

    public var isValid: Bool { errors.isEmpty && !fits.isEmpty }

    /// - Parameters:
    ///   - machines: candidate machines (one when the caller named it).
    ///   - cartridges: every valid cartridge by name.
    ///   - invalidCartridges: cartridges whose files exist but are invalid, name to file path.
    ///   - explicitCartridge: the cartridge the caller named, if any.
    ///   - explicitMachine: true when `machines` is the one machine the caller named; then every
    ///     problem with it is an error, not a note.
    public init(profile: DepthProfile, file: String, machines: [MachineSpec], cartridges: [String: Cartridge],
                invalidCartridges: [String: String] = [:], explicitCartridge: Cartridge?, explicitMachine: Bool) {
        var considered: [Cartridge] = []
        for (i, name) in profile.compatibleCartridges.enumerated() where cartridges[name] == nil {
            if let bad = invalidCartridges[name] {
                errors.append(ConfigIssue(
                    file: file, key: "compatible_cartridges[\(i)]", value: "\"\(name)\"",
                    problem: "names cartridge \(name), whose file \(bad) is invalid",
                    fix: "Fix \(bad) (`stipple cartridge show \(name)` lists its errors)"))
                continue
            }
            errors.append(ConfigIssue(
                file: file, key: "compatible_cartridges[\(i)]", value: "\"\(name)\"",
                problem: "names a cartridge Stipple does not know",
                fix: "Use one of: " + cartridges.keys.sorted().joined(separator: ", ")))
        }
        if let explicitCartridge {
            considered = [explicitCartridge]
        } else {
            considered = profile.compatibleCartridges.compactMap { cartridges[$0] }
        }
        for c in considered {
            errors += ProfileFit.issues(profile, file: file, cartridge: c)
        }
        if machines.isEmpty {
            errors.append(ConfigIssue(file: file, problem: "cannot be checked: no valid machine file is known",
                                      fix: "Fix or add a machine file (`stipple machine list`)"))
            return
        }
        for m in machines {
            for c in considered {
                let pair = Pair(machine: m.name, cartridge: c.name)
                let issues = ProfileFit.issues(profile, file: file, machine: m, cartridge: c)
                if issues.isEmpty { fits.append(pair) }
                else if explicitMachine { errors += issues }
                else { misfits.append((pair, issues)) }
            }
        }
        if !explicitMachine && fits.isEmpty {
            // Nowhere to run: every reason becomes an error.
            errors += misfits.flatMap(\.issues)
            misfits = []
        }
        // Cartridge problems repeat for every machine; list each once.
        var seen: Set<String> = []
        errors = errors.filter { seen.insert($0.description).inserted }
        if !errors.isEmpty { fits = [] }
    }
}
