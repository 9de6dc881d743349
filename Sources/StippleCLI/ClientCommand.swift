import ArgumentParser

/// `stipple client`: the clients sessions are journaled for.
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Add, list and show clients in the session journal.",
        subcommands: [ClientAdd.self, ClientList.self, ClientShow.self])
}
