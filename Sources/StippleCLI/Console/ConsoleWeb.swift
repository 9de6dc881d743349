/// The console's pages and assets. A minimal stand-in with the contract's signature, so the
/// server builds and routes on its own; the real pages replace this file.
enum ConsoleWeb {
    static let pages = ["start", "treat", "session", "machine", "login"]

    /// The page called `name` (start, treat, session, machine, login), or nil if there is none.
    static func page(_ name: String, machine: String, simulated: Bool) -> String? {
        guard pages.contains(name) else { return nil }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Stipple \(name)</title></head>
            <body><h1>Stipple console: \(name) page</h1><p>machine \(machine)\(simulated ? " (simulated)" : "")</p></body></html>
            """
    }

    /// An asset under /assets/, by its path below that folder.
    static func asset(_ path: String) -> (contentType: String, body: String)? {
        path == "console.css" ? ("text/css; charset=utf-8", "body { font-size: 18px; }\n") : nil
    }
}
