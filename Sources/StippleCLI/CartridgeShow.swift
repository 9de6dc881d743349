import ArgumentParser
import Foundation
import StippleModel

/// `stipple cartridge show NAME`
struct CartridgeShow: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one cartridge type and the profiles that list it.")

    @Argument(help: "Cartridge name (see `stipple cartridge list`).") var name: String
    @Flag(name: .long, help: "Print the cartridge file itself.") var toml = false
    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let (file, c) = try cat.cartridge(named: name)
        if toml {
            ctx.print(try file.text.get().trimmingCharacters(in: .newlines))
            return .success
        }
        let profiles = cat.profiles().compactMap { try? $0.result.get() }
            .filter { $0.compatibleCartridges.contains(c.name) }.map(\.name)
        if catalog.json {
            ctx.print(renderJSON(cartridgeJSON(c).merging(["file": file.path, "profiles": profiles]) { a, _ in a }))
            return .success
        }
        ctx.print("\(c.name): \(c.needles) needle(s), \(c.grouping.rawValue), \(c.diameterText + " mm") diameter")
        ctx.print("  file       \(file.path)")
        ctx.print("  max depth  \(c.maxDepth) actual needle depth")
        ctx.print("  membrane   needle lands \(c.membraneOffset) shallower than set; the machine adds it")
        ctx.print("  single use \(c.singleUse ? "yes: a cartridge id used on one client is refused for another" : "no")")
        ctx.print("  profiles   \(profiles.isEmpty ? "none" : profiles.joined(separator: ", "))")
        return .success
    }
}
