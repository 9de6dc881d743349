import StippleModel

/// What a pass runs with: machine, cartridge (type and the physical one's id), profile and zone.
/// Only a validated value reaches the control core, so the loop never re-checks files.
public struct SessionSettings: Sendable, Hashable {
    public let machine: MachineSpec
    public let cartridge: Cartridge
    public let cartridgeID: UInt64
    public let profile: DepthProfile
    public let zone: Zone
    /// The machine's active depth calibration (identity until one is applied with `calibrated`).
    public private(set) var calibration: DepthCalibration = .identity
    /// The membrane offset in force: the calibration's measurement for this cartridge type, else
    /// the cartridge file's. Resolved here so the loop never looks it up.
    public private(set) var membraneOffset: Depth
    /// The machine's stroke-rate drive correction (identity until one is applied with
    /// `rateCorrected`).
    public private(set) var strokeRateCorrection: StrokeRateCorrection = .identity
    /// The set-point sent for the profile's rate: the profile's rate through the inverse of the
    /// machine's drive curve, so the needle strokes at the rate the practitioner chose. Resolved
    /// (and range-checked) here so the loop never computes or refuses it. The control core's
    /// tolerance check still compares telemetry with `profile.rate`, the rate wanted.
    public private(set) var rateSetPoint: StrokeRate

    init(machine: MachineSpec, cartridge: Cartridge, cartridgeID: UInt64, profile: DepthProfile, zone: Zone) {
        self.machine = machine
        self.cartridge = cartridge
        self.cartridgeID = cartridgeID
        self.profile = profile
        self.zone = zone
        membraneOffset = cartridge.membraneOffset
        rateSetPoint = profile.rate
    }

    /// These settings with the stroke-rate `correction` applied to the profile's rate; nil when
    /// the corrected set-point falls outside the machine's rate limits (the firmware would refuse
    /// it mid-session, so the caller refuses the run before the machine is touched).
    public func rateCorrected(_ correction: StrokeRateCorrection) -> SessionSettings? {
        guard let mHz = correction.commandedMillihertz(forAchieved: profile.rate, within: machine.limits.rateMin...machine.limits.rateMax) else {
            return nil
        }
        var s = self
        s.strokeRateCorrection = correction
        s.rateSetPoint = StrokeRate(millihertz: mHz)
        return s
    }

    /// These settings with `calibration` applied to every depth set-point.
    public func calibrated(_ calibration: DepthCalibration) -> SessionSettings {
        var s = self
        s.calibration = calibration
        s.membraneOffset = calibration.membraneOffset(for: cartridge)
        return s
    }

    /// Stage set-point sent to the machine for a wanted needle depth: the machine's needle must go
    /// the membrane offset deeper, and the calibration's inverse turns that needle depth into a
    /// stage position. Kept within the machine's travel: the device would refuse anything beyond.
    public func setDepth(for wanted: Depth) -> Depth {
        let set = calibration.stageSetPoint(forNeedleDepth: wanted, membraneOffset: membraneOffset)
        return min(max(set, machine.limits.depthMin), machine.limits.depthMax)
    }

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
