import ArgumentParser
import StippleModel

/// `stipple profile list`
struct ProfileList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List depth profiles and where each can run.")

    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let pc = try ProfileContext(catalog: cat, machine: nil, cartridge: nil)
        let all = cat.profiles().map { f, r in
            (f, r, (try? r.get()).map { pc.assess($0, file: f.path) })
        }
        if catalog.json {
            ctx.print(renderJSON(all.map { f, r, a -> [String: Any] in
                switch r {
                case .success(let p):
                    return profileJSON(p).merging([
                        "file": f.path, "valid": a?.isValid ?? false,
                        "runs_on": (a?.fits ?? []).map { ["machine": $0.machine, "cartridge": $0.cartridge] },
                        "errors": (a?.errors ?? []).map(\.json),
                    ]) { a, _ in a }
                case .failure(let e):
                    return ["name": f.name, "file": f.path, "valid": false, "errors": e.issues.map(\.json)]
                }
            }))
        } else {
            let rows = all.map { f, r, a -> [String] in
                guard case .success(let p) = r, let a else {
                    var count = 0
                    if case .failure(let e) = r { count = e.issues.count }
                    return [f.name, "?", "?", "?",
                            invalidCell(kind: "profile", name: f.name, file: f.path, errors: count, configDir: catalog.configDir)]
                }
                let zones = p.zones.count > 3
                    ? p.zones.prefix(2).map(\.name).joined(separator: ",") + " +\(p.zones.count - 2) more"
                    : p.zones.map(\.name).joined(separator: ",")
                return [p.name, zones,
                        "\(p.depthTarget.mm) (\(p.depthMin.mm)-\(p.depthMax.mm)) mm", p.rate.description,
                        a.isValid ? "valid: \(a.fitsSummary)"
                            : invalidCell(kind: "profile", name: p.name, file: f.path, errors: a.errors.count, configDir: catalog.configDir)]
            }
            renderTable(["PROFILE", "ZONES", "DEPTH", "RATE", "STATUS"], rows).forEach(ctx.print)
        }
        return all.allSatisfy({ $0.2?.isValid ?? false }) ? .success : .invalidInput
    }
}

func profileJSON(_ p: DepthProfile) -> [String: Any] {
    ["name": p.name, "description": p.summary, "zones": p.zones.map(\.name),
     "compatible_cartridges": p.compatibleCartridges,
     "depth_mm": ["target": p.depthTarget.millimetres, "min": p.depthMin.millimetres, "max": p.depthMax.millimetres],
     "rate_hz": p.rate.hertz, "ramp_in_ms": p.rampInMilliseconds, "ramp_out_ms": p.rampOutMilliseconds,
     "variation": ["depth_amplitude_mm": p.variationAmplitude.millimetres, "seed": Int(p.variationSeed)]]
}
