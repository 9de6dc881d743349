/// The practitioner console's pages and assets, embedded in the binary: the controller may have no
/// internet and no files beside the executable, so nothing is read at run time and nothing comes
/// from a CDN. The server routes `/`, `/treat`, `/session`, `/machine`, `/login` and `/assets/*`
/// here; everything the pages show beyond the machine's name comes from the JSON API.
enum ConsoleWeb {
    /// The page's HTML, or nil for an unknown name. Names: "start", "treat", "session", "machine", "login".
    static func page(_ name: String, machine: String, simulated: Bool) -> String? {
        guard let page = ConsolePage(rawValue: name) else { return nil }
        let shell = ConsolePageShell(machine: machine, simulated: simulated)
        switch page {
        case .start: return shell.render(page, main: ConsoleStartPage.main)
        case .treat: return shell.render(page, main: ConsoleTreatPage.main(simulated: simulated))
        case .session: return shell.render(page, main: ConsoleSessionPage.main)
        case .machine: return shell.render(page, main: ConsoleMachinePage.main)
        case .login: return shell.render(page, main: ConsoleLoginPage.main)
        }
    }

    /// An asset under /assets/ (e.g. "app.css", "app.js"), or nil.
    static func asset(_ path: String) -> (contentType: String, body: String)? {
        switch path.hasPrefix("/") ? String(path.dropFirst()) : path {
        case "app.css": ("text/css; charset=utf-8", ConsoleStyles.css)
        case "app.js": ("text/javascript; charset=utf-8", ConsoleScript.js)
        case "icon.svg": ("image/svg+xml", ConsolePageShell.icon)
        default: nil
        }
    }
}

/// The console's pages, by the name the server asks for.
enum ConsolePage: String, CaseIterable {
    case start, treat, session, machine, login

    /// Where the page is served.
    var path: String { self == .start ? "/" : "/" + rawValue }

    var title: String {
        switch self {
        case .start: "Start"
        case .treat: "Treat"
        case .session: "Session"
        case .machine: "Machine"
        case .login: "Log in"
        }
    }

    /// The pages in the navigation bar, in the order of a treatment.
    static let navigation: [ConsolePage] = [.start, .treat, .session, .machine]
}
