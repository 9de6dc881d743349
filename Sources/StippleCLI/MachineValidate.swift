import ArgumentParser
import StippleModel

/// `stipple machine validate FILE...`
struct MachineValidate: StippleCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check machine files; every problem in every file is listed.")

    @Argument(help: "Machine files (.toml).") var files: [String]
    @Flag(name: .long, help: "Print JSON for scripts instead of text.") var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one machine file") }
    }

    func run(in ctx: CLIContext) throws -> ExitStatus {
        let results = files.map { path in
            switch ConfigFile.read(path: path).flatMap({ MachineSpec.decode(text: $0, file: path) }) {
            case .success(let m): (path, "machine \(m.name) (\(m.model)) is valid", [ConfigIssue](), [String]())
            case .failure(let e): (path, "invalid", e.issues, [String]())
            }
        }
        return reportValidation(results, json: json, in: ctx)
    }
}
