import ArgumentParser
import StippleModel

/// `stipple cartridge list`
struct CartridgeList: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List known cartridge types.")

    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let all = cat.cartridges()
        if catalog.json {
            ctx.print(renderJSON(all.map { f, r -> [String: Any] in
                switch r {
                case .success(let c): cartridgeJSON(c).merging(["file": f.path, "valid": true]) { a, _ in a }
                case .failure(let e): ["name": f.name, "file": f.path, "valid": false, "errors": e.issues.map(\.json)]
                }
            }))
        } else {
            let rows = all.map { f, r -> [String] in
                switch r {
                case .success(let c):
                    return [c.name, "\(c.needles)\(c.grouping.rawValue)", c.diameterText + " mm", c.maxDepth.description,
                            c.membraneOffset.description, c.singleUse ? "yes" : "no", "valid"]
                case .failure(let e):
                    return [f.name, "?", "?", "?", "?", "?",
                            invalidCell(kind: "cartridge", name: f.name, file: f.path, errors: e.issues.count, configDir: catalog.configDir)]
                }
            }
            renderTable(["CARTRIDGE", "NEEDLES", "DIAMETER", "MAX DEPTH", "MEMBRANE", "SINGLE-USE", "STATUS"], rows).forEach(ctx.print)
        }
        return all.allSatisfy({ (try? $0.result.get()) != nil }) ? .success : .invalidInput
    }
}

func cartridgeJSON(_ c: Cartridge) -> [String: Any] {
    ["name": c.name, "needles": c.needles, "grouping": c.grouping.rawValue,
     "needle_diameter_mm": c.needleDiameter.millimetres, "max_depth_mm": c.maxDepth.millimetres,
     "membrane_offset_mm": c.membraneOffset.millimetres, "single_use": c.singleUse]
}
