import StippleJournal

/// What every console page shares: the head, the header naming the machine (and saying loudly
/// when it is the simulator), the navigation and the error banner the script fills.
struct ConsolePageShell {
    var machine: String
    var simulated: Bool

    func render(_ page: ConsolePage, main: String) -> String {
        let name = HTMLText.escape(machine)
        var h = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(page.title) · Stipple · \(name)</title>
            <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
            <link rel="stylesheet" href="/assets/app.css">
            <script src="/assets/app.js" defer></script>
            </head>
            <body data-page="\(page.rawValue)" data-simulated="\(simulated)" data-machine="\(name)">
            <header class="top">
            <div class="brand"><span class="app">Stipple</span> <span class="machine" id="machine-name">\(name)</span>
            """
        h += simulated
            ? #" <span class="badge sim" title="The built-in simulator: no needle moves">SIMULATED</span>"#
            : #" <span class="badge real">REAL MACHINE</span>"#
        h += "</div>\n"
        if page != .login {
            h += #"<nav aria-label="Pages">"#
            for p in ConsolePage.navigation {
                let current = p == page ? #" aria-current="page""# : ""
                h += #"<a href="\#(p.path)"\#(current)>\#(p.title)</a>"#
            }
            h += #"</nav><span class="live-pill" id="live-pill" aria-live="polite"></span>"#
        }
        h += """

            </header>
            <div class="banner" id="banner" role="alert" hidden><p id="banner-text"></p><button type="button" id="banner-close">Dismiss</button></div>
            <main class="page-\(page.rawValue)">
            \(main)
            </main>
            </body>
            </html>

            """
        return h
    }

    /// A needle over a dot: the tab's icon, so the console is found among a tablet's tabs.
    static let icon = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="24" r="5" fill="#1f4e8c"/><rect x="14.5" y="2" width="3" height="16" rx="1.5" fill="#222"/></svg>"##
}
