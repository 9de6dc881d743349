import ArgumentParser
import Foundation
import StippleModel

/// `stipple profile show NAME`
struct ProfileShow: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one profile and the machine + cartridge pairs it fits.")

    @Argument(help: "Profile name (see `stipple profile list`).") var name: String
    @Option(help: "Check against this machine only.") var machine: String?
    @Option(help: "Check against this cartridge only.") var cartridge: String?
    @Flag(name: .long, help: "Print the profile file itself.") var toml = false
    @OptionGroup var catalog: CatalogOptions

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let (file, p) = try cat.profile(named: name)
        if toml {
            ctx.print(try file.text.get().trimmingCharacters(in: .newlines))
            return .success
        }
        let a = try ProfileContext(catalog: cat, machine: machine, cartridge: cartridge).assess(p, file: file.path)
        if catalog.json {
            ctx.print(renderJSON(profileJSON(p).merging([
                "file": file.path, "valid": a.isValid,
                "runs_on": a.fits.map { ["machine": $0.machine, "cartridge": $0.cartridge] },
                "errors": a.errors.map(\.json),
            ]) { a, _ in a }))
            return a.isValid ? .success : .invalidInput
        }
        ctx.print("\(p.name): \(p.summary)")
        ctx.print("  file        \(file.path)")
        ctx.print("  zones       \(p.zones.map(\.name).joined(separator: ", "))")
        ctx.print("  depth       \(p.depthTarget) target, allowed \(p.depthMin.mm)-\(p.depthMax.mm) mm (actual needle depth)")
        ctx.print("  variation   ±\(p.variationAmplitude) per dot, seed \(p.variationSeed)")
        ctx.print("  rate        \(p.rate), ramp in \(p.rampInMilliseconds) ms, out \(p.rampOutMilliseconds) ms")
        ctx.print("  cartridges  \(p.compatibleCartridges.joined(separator: ", "))")
        if a.isValid {
            ctx.print("  runs on     \(a.fitsSummary)")
            for n in a.misfitNotes { ctx.print("  note: \(n)") }
            return .success
        }
        for e in a.errors { ctx.printError("error: \(e)") }
        return .invalidInput
    }
}
