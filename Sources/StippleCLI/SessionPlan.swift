import StippleControl
import StippleModel

/// Everything a run needs, resolved and validated before the first cycle: nothing runs on an
/// invalid profile, and a script's later zone changes are checked up front too.
struct SessionPlan {
    let machine: MachineSpec
    private(set) var initial: SessionSettings
    let script: SessionScript?
    /// Settings for each script step index that selects a zone.
    private(set) var selections: [Int: SessionSettings]
    /// Each profile's file text by profile name: the journal records its hash with every pass.
    let profileTexts: [String: String]

    /// Settings in the order they are loaded: settings generation n runs with `loaded[n - 1]`.
    var loaded: [SessionSettings] { [initial] + (script?.steps.indices.compactMap { selections[$0] } ?? []) }

    init(catalog: HardwareCatalog, machine machineName: String, cartridge cartridgeName: String, cartridgeID: UInt64,
         profile profileName: String, zone: Zone, scriptPath: String?) throws {
        let machine = try catalog.machine(named: machineName).spec
        self.machine = machine
        var texts: [String: String] = [:]
        func settings(_ cartridgeName: String, _ id: UInt64, _ profileName: String, _ zone: Zone) throws -> SessionSettings {
            let c = try catalog.cartridge(named: cartridgeName).cartridge
            let p = try catalog.profile(named: profileName)
            texts[p.profile.name] = try p.file.text.get()
            return try SessionSettings.validated(machine: machine, cartridge: c, cartridgeID: id, profile: p.profile,
                                                 profileFile: p.file.path, zone: zone).get()
        }
        initial = try settings(cartridgeName, cartridgeID, profileName, zone)
        guard let scriptPath else {
            script = nil
            selections = [:]
            profileTexts = texts
            return
        }
        let script = try ConfigFile.read(path: scriptPath).flatMap { SessionScript.decode(text: $0, file: scriptPath) }.get()
        var selections: [Int: SessionSettings] = [:]
        var cartridge = cartridgeName, id = cartridgeID
        var issues: [ConfigIssue] = []
        for (i, step) in script.steps.enumerated() where machine.drive == .gpio && SessionScript.needsControllerBoard(step.action) {
            issues.append(ConfigIssue(
                file: scriptPath, key: "step[\(i)].action",
                problem: "(at \(step.atMilliseconds) ms) is about a controller board's USB link or its firmware, and \(machine.name) is a direct-drive machine (drive = \"gpio\"): there is no cable to unplug and no board firmware to break",
                fix: "Remove the step, or use loop-hang to stop the loop (the charge pump then drops the drivers)"))
        }
        for (i, step) in script.steps.enumerated() {
            guard case .select(let z, let p, let c, let cid) = step.action else { continue }
            cartridge = c ?? cartridge
            id = cid ?? id
            do {
                selections[i] = try settings(cartridge, id, p, z)
            } catch let e as ConfigError {
                issues += e.issues.map { issue in
                    var issue = issue
                    issue.problem += " (script \(scriptPath) step[\(i)] at \(step.atMilliseconds) ms)"
                    return issue
                }
            }
        }
        if !issues.isEmpty { throw ConfigError(issues) }
        self.script = script
        self.selections = selections
        profileTexts = texts
    }

    /// Applies the machine's active depth calibration to every setting the session may load, so
    /// each pass's depth set-points go through it.
    mutating func apply(_ calibration: DepthCalibration) {
        initial = initial.calibrated(calibration)
        selections = selections.mapValues { $0.calibrated(calibration) }
    }

    /// Applies the machine's stroke-rate correction to every setting the session may load, or
    /// throws, naming the first profile whose corrected set-point the machine cannot take
    /// (checked for the script's later zone changes too, before anything runs).
    mutating func apply(_ correction: StrokeRateCorrection, calibrationRef: String) throws {
        func corrected(_ s: SessionSettings) throws -> SessionSettings {
            guard let c = s.rateCorrected(correction) else {
                let needed = correction.commandedHertz(forAchieved: s.profile.rate.hertz)
                throw CLIError("stroke-rate set-point out of range (\(machine.name), profile \(s.profile.name)): through rate calibration \(calibrationRef) the profile's \(s.profile.rate.plain) Hz needs a set-point of \(String(format: "%.3f", needed)) Hz, outside the machine's \(machine.limits.rateMin.plain)-\(machine.limits.rateMax.plain) Hz; nothing was run. Calibrate the stroke rate again (`stipple calibrate rate --machine \(machine.name)`), or service the drive")
            }
            return c
        }
        initial = try corrected(initial)
        for key in selections.keys.sorted() { selections[key] = try corrected(selections[key]!) }
    }
}
