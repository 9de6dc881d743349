import Foundation
import Testing

/// Issue 9: the practitioner console in a real browser. A `stipple console --sim` process on a
/// fresh journal, a headless Chromium driven over WebDriver at a tablet's size, and one session
/// the way a practitioner runs it: add the client, choose the lot and the cartridge, begin, tap
/// the hairline, choose a profile, pedal down and up, see the pass, STOP and reset, end the
/// session, export the report; then the journal verifies. Screenshots of each page go to
/// docs/screenshots for the README.
@Suite("Practitioner console in a headless browser")
struct BrowserSessionTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver", "/usr/local/bin/chromedriver"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let browserAvailable = chromium != nil && chromedriver != nil

    /// The package's root, from this file's place in it.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `stipple` executable SwiftPM built next to this test bundle.
    static func stippleBinary() throws -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("stipple").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw WebDriver.Failure(description: "the browser test needs the stipple executable at \(candidate) (next to the test bundle): build it with `swift build --build-tests` (or `make test`) first")
        }
        return candidate
    }

    static let skipReason: Comment = "needs chromium and chromedriver on this machine (Debian: apt-get install chromium chromium-driver; scripts/install-deps.sh does it)"

    @Test(.enabled(if: browserAvailable, skipReason), .timeLimit(.minutes(3)))
    func aPractitionerRunsASessionFromTheBrowser() async throws {
        let began = Date()
        try await withConsoleInBrowser(inBrowser: { c, journal in
            try await runSession(c, journal: journal)
        }, afterConsoleStopped: { binary, journal, environment in
            // The record the browser made is intact and sealed: the journal's own verifier agrees.
            let verify = try ChildProcess.run(binary, ["journal", "verify", "--journal", journal], environment: environment)
            #expect(verify.contains("ok: journal verified"), "journal verify: \(verify)")
            print("console browser test: \(String(format: "%.1f", Date().timeIntervalSince(began))) s end to end; journal verify:\n\(verify)")
        })
    }

    /// With a passcode set, every page sends the browser to the login page; a wrong passcode is
    /// refused in the banner, the right one lands on Start.
    @Test(.enabled(if: browserAvailable, skipReason), .timeLimit(.minutes(2)))
    func withAPasscodeTheLoginPageLetsThePractitionerIn() async throws {
        try await withConsoleInBrowser(passcode: "chair-42", inBrowser: { c, _ in
            let b = c.browser
            try await b.navigate(c.origin + "/treat")
            try await c.waitFor("the redirect to the login page") { try await b.currentURL().hasSuffix("/login") }
            try await c.waitForReady()
            try await b.type("#passcode", "guess-1")
            try await b.click("#login")
            try await c.waitFor("the wrong passcode refused in the banner") { try await c.bannerText()?.contains("wrong passcode") == true }
            try await b.type("#passcode", "chair-42")
            try await b.click("#login")
            try await c.waitFor("the start page after logging in") {
                try await b.execute("return document.body && document.body.dataset.page") as? String == "start"
            }
            try await c.waitForReady()
            try await c.waitFor("the start page's lists loaded") {
                try await b.execute("return document.getElementById('operator').options.length > 1") as? Bool == true
            }
            try await c.expectNoError("logging in")
        })
    }

    /// Runs `inBrowser` against a fresh `stipple console --sim` in headless Chromium, then stops
    /// both (also when it fails, keeping a screenshot of the page), then `afterConsoleStopped`
    /// with the stipple binary, the journal and the environment. The journal holds an operator,
    /// a technician and a depth calibration of rotary-r1 before the console starts.
    func withConsoleInBrowser(
        passcode: String? = nil,
        inBrowser body: (ConsolePageDriver, String) async throws -> Void,
        afterConsoleStopped: (String, String, [String: String]) throws -> Void = { _, _, _ in }
    ) async throws {
        let binary = try Self.stippleBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stipple-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("journal.sqlite").path
        // The console's machine lock and anything else it keeps live in the temporary folder.
        let environment = [
            "STIPPLE_HOME": dir.appendingPathComponent("home").path, "HOME": dir.path,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]

        // The clinic's side, before the console: an operator, a technician, a calibrated machine.
        for args in [["operator", "add", "op-1", "--name", "Test Operator"], ["operator", "add", "tech-1", "--name", "Test Technician"],
                     ["calibrate", "depth", "--machine", "rotary-r1", "--sim", "--sim-gauge", "--technician", "tech-1", "--gauge", "G-1"]] {
            try ChildProcess.run(binary, args + ["--journal", journal], environment: environment)
        }
        if let passcode {
            try ChildProcess.run(binary, ["console", "passcode", "set", "--journal", journal], environment: environment, input: passcode + "\n")
        }

        let port = try ChildProcess.freePort()
        let console = try ChildProcess("console", executable: binary,
                                       arguments: ["console", "--sim", "--machine", "rotary-r1", "--port", "\(port)", "--journal", journal],
                                       environment: environment, logDirectory: dir)
        var chromedriverProcess: ChildProcess?
        var driver: WebDriver?
        do {
            let origin = "http://127.0.0.1:\(port)"
            try await WebDriver.poll("the console listening on \(origin)", timeout: 30) {
                guard console.process.isRunning else { throw WebDriver.Failure(description: "stipple console exited \(console.process.terminationStatus):\n\(console.output)") }
                return console.output.contains("console: http://")
            }
            let driverPort = try ChildProcess.freePort()
            chromedriverProcess = try ChildProcess("chromedriver", executable: Self.chromedriver!, arguments: ["--port=\(driverPort)"], logDirectory: dir)
            let browser = try await WebDriver.start(port: driverPort, chromium: Self.chromium!, arguments: [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800", "--disable-dev-shm-usage",
                "--user-data-dir=" + dir.appendingPathComponent("chromium").path, "--lang=en-US",
            ])
            driver = browser
            try await browser.setViewport(width: 1280, height: 800)
            try await body(ConsolePageDriver(browser: browser, origin: origin), journal)
            await browser.quit()
            driver = nil
        } catch {
            if let driver {
                // What the page looked like when it failed, kept after the temporary folder goes.
                let shot = FileManager.default.temporaryDirectory.appendingPathComponent("stipple-console-browser-failure.png")
                if let png = try? await driver.screenshot(), (try? png.write(to: shot)) != nil {
                    Issue.record("the page at the failure: \(shot.path)")
                }
                await driver.quit()
            }
            chromedriverProcess?.stop()
            console.stop()
            Issue.record("console log:\n\(console.output.suffix(4000))")
            throw error
        }
        chromedriverProcess?.stop()
        console.stop()
        // SIGTERM is the console's clean stop: it disarms and closes the journal, and says so by exiting 0.
        #expect(console.process.terminationReason == .exit && console.process.terminationStatus == 0,
                "stipple console did not stop cleanly on SIGTERM:\n\(console.output.suffix(2000))")
        try afterConsoleStopped(binary, journal, environment)
    }

    /// The practitioner's session, page by page.
    func runSession(_ c: ConsolePageDriver, journal: String) async throws {
        let b = c.browser

        // Start: add the client (consent required), choose the operator, add and choose a pigment
        // lot, the cartridge type, its id (as a scanner would type it) and lot, then begin.
        try await c.open("/")
        try await c.waitFor("the start page's lists loaded") {
            try await b.execute("return ['client', 'operator', 'cartridge-type'].every((id) => !document.getElementById(id).options[0].text.startsWith('Loading'))") as? Bool == true
        }
        try await c.openDetails("#client-add")
        try await b.type("#client-id", "client-browser")
        try await b.type("#client-name", "Browser Client")
        try await c.setDate("#client-born", "1988-04-12")
        try await b.type("#client-consent", "CONSENT-B-1")
        try await c.setDate("#client-consent-signed", "2026-01-10")
        try await b.click("#client-add-button")
        try await c.waitForValue("#client", "client-browser")
        try await c.expectNoError("adding the client")

        try await b.click("#operator option[value='op-1']")
        try await c.waitForValue("#operator", "op-1")

        try await c.openDetails("#pigment-add")
        try await b.type("#pigment-brand", "Browser Pigments")
        try await b.type("#pigment-name", "Dark Brown 2")
        try await b.type("#pigment-batch", "B-2026-01")
        try await b.type("#pigment-lot", "LOT-BROWSER-1")
        try await c.setDate("#pigment-expiry", "2020-06-30")
        try await b.type("#pigment-dilution", "1")
        // An expired lot is refused by the server, and the page says so in the server's words.
        try await b.click("#pigment-add-button")
        try await c.waitFor("the expired lot refused in the banner") { try await c.bannerText()?.contains("expired") == true }
        try await b.click("#banner-close")
        try await c.setDate("#pigment-expiry", "2099-12-31")
        try await b.click("#pigment-add-button")
        try await c.waitFor("the new pigment lot chosen") { try await b.execute("return !!(document.getElementById('lot-LOT-BROWSER-1') || {}).checked") as? Bool == true }
        try await c.expectNoError("adding the pigment lot")

        try await b.click("#cartridge-type option[value='1RL-0.20']")
        try await c.waitForValue("#cartridge-type", "1RL-0.20")
        try await b.type("#cartridge-id", "1")
        try await b.type("#cartridge-lot", "CL-BROWSER-1")
        try await c.screenshot("start")
        try await b.click("#begin")
        try await c.waitFor("the treat page after Begin session") { try await b.currentURL().hasSuffix("/treat") }

        // Treat: tap the hairline, choose the soft profile (arms), pedal down, needle, pedal up.
        try await c.waitForReady()
        try await b.click("svg.scalp .zone[data-zone='frontal-hairline']")
        try await b.click("button.profile[data-profile='frontal-hairline-soft']")
        try await c.waitForState("armed")
        try await c.expectNoError("arming")
        try await b.click("#pedal")
        try await c.waitForState("running")
        try await c.waitFor("strokes counting while the pedal is down") {
            (Int(try await b.text("#strokes")) ?? 0) > 20
        }
        try await c.screenshot("treat")
        try await b.click("#pedal")
        try await c.waitFor("the pass counted on the map") {
            try await b.attribute("svg.scalp .zone[data-zone='frontal-hairline']", "data-passes") == "1"
        }
        try await c.expectNoError("the pass")

        // STOP latches; reset asks on the page before it clears.
        try await b.click("#stop")
        try await c.waitForState("e-stopped")
        try await b.element("#latched")
        // Latched: arming is refused (409), and the refusal shows.
        try await b.click("button.profile[data-profile='frontal-hairline-soft']")
        try await c.waitFor("arming refused while latched, in the banner") { try await c.bannerText() != nil }
        try await b.click("#banner-close")
        try await b.click("#reset")
        try await b.element("#reset-confirm")
        try await b.click("#reset-yes")
        try await c.waitFor("the latch reset") {
            let s = try await b.execute("return document.getElementById('state').dataset.state") as? String ?? ""
            return s != "e-stopped" && s != ""
        }
        try await c.expectNoError("STOP and reset")

        // Session: the pass is listed; a note; end (confirmed) seals and verifies; the report exports.
        try await c.open("/session")
        try await c.waitFor("the pass on the session page") { try await b.text("#passes tbody").contains("frontal-hairline-soft") }
        try await b.type("#note-text", "Client comfortable; hairline first pass.")
        try await b.click("#note-add")
        try await c.waitFor("the note listed") { try await b.text("#notes").contains("hairline first pass") }
        try await b.click("#end")
        try await b.click("#end-yes")
        let seal = try await b.element("#seal-status", timeout: 20)
        let sealText = try await b.command("GET", "/element/\(seal)/text") as? String ?? ""
        #expect(sealText.contains("Sealed and verified"), "the end reply did not say verified: \(sealText)")
        try await c.expectNoError("ending the session")
        let href = try #require(try await b.attribute("#export-html", "href"), "no HTML export link after ending")
        try await c.screenshot("session")
        let report = try await b.executeAsync("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], { credentials: 'same-origin' })
              .then(async (r) => done({ status: r.status, type: r.headers.get('content-type') || '', body: await r.text() }))
              .catch((e) => done({ status: 0, type: '', body: String(e) }));
            """, [href]) as? [String: Any]
        #expect(report?["status"] as? Int == 200, "HTML export \(href): \(report?["status"] ?? "no reply") \(String(describing: report?["body"]).prefix(300))")
        let html = report?["body"] as? String ?? ""
        #expect(html.contains("<html") && html.contains("frontal-hairline-soft") && html.contains("client-browser"),
                "the HTML report lacks the session's pass or client: \(html.prefix(300))")

        // Machine: read-only calibration and firmware.
        try await c.open("/machine")
        try await c.waitFor("the machine's calibration") { try await b.text("#machine").contains("Calibration") }
        try await c.screenshot("machine")
        try await c.expectNoError("the machine page")
    }
}

/// Console-specific steps over the WebDriver client: open a page and wait for its script,
/// read the live state, fail with the banner's words when the page shows an error.
struct ConsolePageDriver {
    let browser: WebDriver
    let origin: String

    func open(_ path: String) async throws {
        try await browser.navigate(origin + path)
        try await waitForReady()
    }

    func waitForReady() async throws {
        try await waitFor("the page's script ready") { try await browser.execute("return document.body && document.body.dataset.ready === 'true'") as? Bool == true }
    }

    func waitFor(_ what: String, timeout: Double = 15, _ condition: () async throws -> Bool) async throws {
        do {
            try await WebDriver.poll(what, timeout: timeout, condition)
        } catch {
            // The banner usually says why: put its words in the failure.
            let banner = try? await bannerText()
            throw WebDriver.Failure(description: "\(error)" + (banner.map { "; the page's error banner says: \($0)" } ?? ""))
        }
    }

    /// Opens a `<details>` section by tapping its summary, unless the page opened it already
    /// (it does when the list above it is empty).
    func openDetails(_ css: String) async throws {
        if try await browser.execute("return document.querySelector(arguments[0]).open", [css]) as? Bool != true {
            try await browser.click(css + " > summary")
        }
        try await waitFor("\(css) open") { try await browser.execute("return document.querySelector(arguments[0]).open", [css]) as? Bool == true }
    }

    func waitForValue(_ css: String, _ value: String) async throws {
        try await waitFor("\(css) = \(value)") { try await browser.execute("return document.querySelector(arguments[0]).value", [css]) as? String == value }
    }

    func waitForState(_ state: String) async throws {
        try await waitFor("live state \(state)") { try await browser.execute("return document.getElementById('state').dataset.state") as? String == state }
    }

    /// A date input's value set as the date picker would: typed keys depend on the browser's
    /// locale (mm/dd/yyyy or dd.mm.yyyy), the ISO value the form sends does not.
    func setDate(_ css: String, _ iso: String) async throws {
        _ = try await browser.element(css)
        _ = try await browser.execute("""
            const e = document.querySelector(arguments[0]); e.value = arguments[1];
            e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true }));
            """, [css, iso])
    }

    /// The error banner's text if it is showing, else nil.
    func bannerText() async throws -> String? {
        let shown = try await browser.execute("""
            const b = document.getElementById('banner');
            return b && !b.hidden && !b.classList.contains('info') ? document.getElementById('banner-text').textContent : null;
            """)
        return shown as? String
    }

    func expectNoError(_ step: String) async throws {
        if let text = try await bannerText() {
            throw WebDriver.Failure(description: "after \(step) the page shows an error: \(text)")
        }
    }

    /// The viewport as NAME.png, from the top of the page (or with `scrollTo` at the top), without
    /// a passing confirmation or a focus ring. Into docs/screenshots (the README's) only with
    /// STIPPLE_UPDATE_SCREENSHOTS=1 (`make screenshots`): every run's pictures differ a little
    /// (live values), and a test run should not dirty the checkout.
    func screenshot(_ name: String, scrollTo css: String? = nil) async throws {
        _ = try await browser.execute("""
            const b = document.getElementById('banner'); if (b && b.classList.contains('info')) b.hidden = true;
            if (document.activeElement) document.activeElement.blur();
            const t = arguments[0] && document.querySelector(arguments[0]);
            if (t) t.scrollIntoView({ block: 'start' }); else window.scrollTo(0, 0);
            """, [css as Any? ?? NSNull()])
        let png = try await browser.screenshot()
        // A PNG of the tablet-sized viewport: the signature, then IHDR's width and height.
        let size = png.count > 24 ? (png[16..<20].reduce(0) { $0 << 8 | Int($1) }, png[20..<24].reduce(0) { $0 << 8 | Int($1) }) : (0, 0)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && size == (1280, 800), "screenshot \(name): not a 1280x800 PNG (\(size))")
        let folder = ProcessInfo.processInfo.environment["STIPPLE_UPDATE_SCREENSHOTS"] == "1"
            ? BrowserSessionTests.packageRoot.appendingPathComponent("docs/screenshots")
            : FileManager.default.temporaryDirectory.appendingPathComponent("stipple-console-screenshots")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try png.write(to: folder.appendingPathComponent(name + ".png"))
    }
}
