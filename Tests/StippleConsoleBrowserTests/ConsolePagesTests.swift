import Foundation
@testable import StippleCLI
import Testing

/// The console's pages as the server hands them out, without a browser: every page renders with
/// its header and navigation, nothing is fetched from elsewhere, names are escaped, the
/// simulator-only pedal is only on a simulated console, and every element the script looks up
/// exists on a page.
@Suite("Console pages (embedded)")
struct ConsolePagesTests {
    static let names = ["start", "treat", "session", "machine", "login"]

    @Test func everyPageRendersWithHeaderStylesheetAndScript() throws {
        for name in Self.names {
            let html = try #require(ConsoleWeb.page(name, machine: "rotary-r1", simulated: true), "no page \(name)")
            #expect(html.hasPrefix("<!doctype html>"))
            #expect(html.contains(#"<body data-page="\#(name)""#))
            #expect(html.contains(#"href="/assets/app.css""#) && html.contains(#"src="/assets/app.js""#))
            #expect(html.contains("rotary-r1") && html.contains("SIMULATED"))
            #expect(html.contains(#"id="banner""#), "\(name) has no error banner")
            if name != "login" {
                for (path, title) in [("/", "Start"), ("/treat", "Treat"), ("/session", "Session"), ("/machine", "Machine")] {
                    let current = path == (name == "start" ? "/" : "/" + name) ? #" aria-current="page""# : ""
                    #expect(html.contains(#"<a href="\#(path)"\#(current)>\#(title)</a>"#), "\(name) lacks its link to \(title)")
                }
            }
        }
        #expect(ConsoleWeb.page("admin", machine: "m", simulated: false) == nil)
        #expect(ConsoleWeb.page("", machine: "m", simulated: false) == nil)
    }

    @Test func aRealMachineSaysSoAndHasNoPagePedal() throws {
        let real = try #require(ConsoleWeb.page("treat", machine: "rotary-r1", simulated: false))
        #expect(!real.contains("SIMULATED") && real.contains("REAL MACHINE"))
        #expect(!real.contains(#"id="pedal""#))
        let sim = try #require(ConsoleWeb.page("treat", machine: "rotary-r1", simulated: true))
        #expect(sim.contains(#"id="pedal""#))
    }

    @Test func theMachineNameCannotInjectMarkup() throws {
        let html = try #require(ConsoleWeb.page("start", machine: #"<script>alert("x")</script>"#, simulated: false))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
    }

    @Test func theTreatMapHasEveryZoneAsALabelledButton() throws {
        let html = try #require(ConsoleWeb.page("treat", machine: "m", simulated: true))
        for zone in ["frontal-hairline", "temple-left", "temple-right", "mid-scalp", "crown", "side-left", "side-right", "occipital", "donor-scar"] {
            #expect(html.contains(#"data-zone="\#(zone)""#), "no \(zone) on the map")
        }
        #expect(html.components(separatedBy: #"role="button""#).count - 1 == 9)
        #expect(html.contains(#"id="stop""#))
    }

    @Test func assetsAreServedWithTheirTypesAndUnknownOnesAreNot() throws {
        let css = try #require(ConsoleWeb.asset("app.css"))
        #expect(css.contentType.hasPrefix("text/css"))
        let js = try #require(ConsoleWeb.asset("app.js"))
        #expect(js.contentType.hasPrefix("text/javascript"))
        #expect(js.body.contains("credentials: 'same-origin'"))
        #expect(ConsoleWeb.asset("/app.js")?.body == js.body)
        #expect(ConsoleWeb.asset("../Package.swift") == nil)
        #expect(ConsoleWeb.asset("app.map") == nil)
    }

    /// The controller may have no internet: a page that needs a CDN would be blank at the chair.
    @Test func nothingIsLoadedFromAnotherHost() throws {
        var texts = Self.names.compactMap { ConsoleWeb.page($0, machine: "m", simulated: true) }
        texts += ["app.css", "app.js", "icon.svg"].compactMap { ConsoleWeb.asset($0)?.body }
        for t in texts {
            let external = t.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            #expect(!external.contains("http://") && !external.contains("https://") && !external.contains("//cdn"))
        }
    }

    /// A `$('id')` in the script with no such element on any page would fail only at the chair.
    @Test func everyElementTheScriptLooksUpExists() throws {
        let js = try #require(ConsoleWeb.asset("app.js")).body
        let pages = Self.names.compactMap { ConsoleWeb.page($0, machine: "m", simulated: true) }.joined()
        let regex = try NSRegularExpression(pattern: #"\$\('([a-z0-9-]+)'\)"#)
        let ids = Set(regex.matches(in: js, range: NSRange(js.startIndex..., in: js)).compactMap { Range($0.range(at: 1), in: js).map { String(js[$0]) } })
        #expect(ids.count > 30)
        // Ids the script builds itself (export links by format) or that are created at run time.
        let built: Set<String> = ["seal-status"]
        for id in ids.subtracting(built) {
            #expect(pages.contains(#"id="\#(id)""#), "app.js looks up #\(id), which no page has")
        }
    }
}
