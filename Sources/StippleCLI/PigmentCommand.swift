import ArgumentParser

/// `stipple pigment`: ink passports (brand, name, batch, lot, expiry, dilution).
struct PigmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pigment", abstract: "Register and list pigment lots (ink passports) in the session journal.",
        subcommands: [PigmentAdd.self, PigmentList.self])
}
