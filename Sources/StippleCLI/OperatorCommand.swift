import ArgumentParser

/// `stipple operator`: the practitioners and technicians records name.
struct OperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Add and list operators (practitioners, technicians) in the session journal.",
        subcommands: [OperatorAdd.self, OperatorList.self])
}
