import StippleModel

/// What a pass runs with: machine, cartridge (type and the physical one's id), profile and zone.
/// Only a validated value reaches the control core, so the loop never re-checks files.
public struct SessionSettings: Sendable, Hashable {
    public let machine: MachineSpec
    public let cartridge: Cartridge
    public let cartridgeID: UInt64
    public let profile: DepthProfile
    public let zone: Zone

    /// Set depth sent to the machine: wanted needle depth plus the cartridge's membrane offset.
    public func setDepth(for wanted: Depth) -> Depth { wanted + cartridge.membraneOffset }

    /// Fails with every reason the profile may not run on this machine + cartridge, or for this zone.
    public static func validated(machine: MachineSpec, cartridge: Cartridge, cartridgeID: UInt64,
                                 profile: DepthProfile, profileFile: String, zone: Zone) -> Result<SessionSettings, ConfigError> {
        var issues = ProfileFit.issues(profile, file: profileFile, machine: machine, cartridge: cartridge)
        if !profile.zones.contains(zone) {
            issues.append(ConfigIssue(
                file: profileFile, key: "zones",
                value: "[" + profile.zones.map { "\"\($0.name)\"" }.joined(separator: ", ") + "]",
                problem: "does not include zone \(zone.name)",
                fix: "Pick a profile made for \(zone.name) (`stipple profile list`)"))
        }
        guard issues.isEmpty else { return .failure(ConfigError(issues)) }
        return .success(SessionSettings(machine: machine, cartridge: cartridge, cartridgeID: cartridgeID,
                                        profile: profile, zone: zone))
    }
}
