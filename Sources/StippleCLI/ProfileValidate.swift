import ArgumentParser
import StippleModel

/// `stipple profile validate FILE... [--machine M --cartridge C]`
struct ProfileValidate: StippleCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check profile files against absolute bounds, their cartridges and the machines.",
        discussion: """
            Without --machine/--cartridge a profile is checked against the absolute bounds, every \
            cartridge it lists as compatible, and every known machine; it is valid when at least one \
            machine + cartridge pair fits. With --machine and/or --cartridge, exactly those must fit.
            """)

    @Argument(help: "Profile files (.toml).") var files: [String]
    @Option(help: "The machine the profile must fit.") var machine: String?
    @Option(help: "The cartridge the profile must fit.") var cartridge: String?
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one profile file") }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let cat = try HardwareCatalog.resolve(configDir: catalog.configDir, environment: ctx.environment)
        let pc = try ProfileContext(catalog: cat, machine: machine, cartridge: cartridge)
        let results = files.map { path -> (String, String, [ConfigIssue], [String]) in
            let text: String
            switch ConfigFile.read(path: path) {
            case .failure(let e): return (path, "invalid", e.issues, [])
            case .success(let t): text = t
            }
            let (profile, issues) = DepthProfile.decodeAll(text: text, file: path)
            guard let profile else { return (path, "invalid", issues, []) }
            // Machine and cartridge checks run even on a flawed file, so one pass lists everything.
            let a = pc.assess(profile, file: path)
            let all = issues + a.errors
            return (path, all.isEmpty ? "profile \(profile.name) runs on \(a.fitsSummary)" : "invalid", all, a.misfitNotes)
        }
        return reportValidation(results, json: catalog.json, in: ctx)
    }
}
