import Foundation

/// Just enough of the W3C WebDriver HTTP protocol (https://www.w3.org/TR/webdriver2/) to drive a
/// headless Chromium through chromedriver: navigate, find, click, type, read, run a script, take
/// a screenshot. Every wait is a poll with a deadline; nothing sleeps a fixed time.
struct WebDriver {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The key W3C WebDriver names an element reference by.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    let base: URL
    let session: String

    /// Starts a browser session on the chromedriver at `port`.
    static func start(port: Int, chromium: String, arguments: [String]) async throws -> WebDriver {
        let base = URL(string: "http://127.0.0.1:\(port)")!
        // chromedriver takes a moment to listen: poll its status until it says ready.
        try await poll("chromedriver on port \(port) ready", timeout: 20) {
            guard let reply = try await request(base, "GET", "/status", nil) as? [String: Any] else { return false }
            return (reply["ready"] as? Bool) == true
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": ["binary": chromium, "args": arguments],
                ] as [String: Any],
            ],
        ]
        let reply = try await request(base, "POST", "/session", capabilities)
        guard let object = reply as? [String: Any], let id = object["sessionId"] as? String else {
            throw Failure(description: "chromedriver gave no session id: \(String(describing: reply))")
        }
        return WebDriver(base: base, session: id)
    }

    /// Sets the page's viewport to exactly `width` x `height` CSS pixels (a tablet's screen):
    /// `--window-size` sizes the window, and headless Chromium keeps part of it for itself.
    func setViewport(width: Int, height: Int) async throws {
        try await command("POST", "/goog/cdp/execute", [
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false] as [String: Any],
        ])
    }

    /// One WebDriver command; the reply's `value`, or a Failure carrying WebDriver's own error.
    @discardableResult
    static func request(_ base: URL, _ method: String, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let reply = try await LoopbackHTTP.send(port: base.port ?? 80, method: method, path: path, body: payload)
        let (data, status) = (reply.body, reply.status)
        let json = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let value = (json as? [String: Any])?["value"]
        if status >= 400 {
            let v = value as? [String: Any]
            throw Failure(description: "WebDriver \(method) \(path): \(status) \(v?["error"] ?? ""): \(v?["message"] ?? String(decoding: data, as: UTF8.self))")
        }
        return value is NSNull ? nil : value
    }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.request(base, method, "/session/\(session)" + path, body)
    }

    func navigate(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

    func currentURL() async throws -> String { try await command("GET", "/url") as? String ?? "" }

    /// The first element matching `css`, or nil.
    func find(_ css: String) async throws -> String? {
        let found = try await command("POST", "/elements", ["using": "css selector", "value": css]) as? [[String: Any]]
        return found?.first?[Self.elementKey] as? String
    }

    /// Waits until `css` matches a displayed element, then returns it.
    @discardableResult
    func element(_ css: String, timeout: Double = 10) async throws -> String {
        var found: String?
        try await Self.poll("element \(css) displayed", timeout: timeout) {
            guard let e = try await find(css) else { return false }
            guard try await command("GET", "/element/\(e)/displayed") as? Bool == true else { return false }
            found = e
            return true
        }
        return found!
    }

    func click(_ css: String, timeout: Double = 10) async throws {
        let e = try await element(css, timeout: timeout)
        try await command("POST", "/element/\(e)/click", [:])
    }

    func type(_ css: String, _ text: String) async throws {
        let e = try await element(css)
        try await command("POST", "/element/\(e)/clear", [:])
        try await command("POST", "/element/\(e)/value", ["text": text])
    }

    func text(_ css: String) async throws -> String {
        guard let e = try await find(css) else { return "" }
        return try await command("GET", "/element/\(e)/text") as? String ?? ""
    }

    func attribute(_ css: String, _ name: String) async throws -> String? {
        guard let e = try await find(css) else { return nil }
        return try await command("GET", "/element/\(e)/attribute/\(name)") as? String
    }

    /// Runs `script` in the page (a function body; `arguments` holds `args`) and returns its value.
    func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": script, "args": args])
    }

    /// Runs an asynchronous script: it calls `arguments[arguments.length - 1]` with its result.
    func executeAsync(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/async", ["script": script, "args": args])
    }

    /// The viewport as PNG bytes.
    func screenshot() async throws -> Data {
        guard let b64 = try await command("GET", "/screenshot") as? String, let png = Data(base64Encoded: b64) else {
            throw Failure(description: "WebDriver screenshot gave no base64 PNG")
        }
        return png
    }

    func quit() async { _ = try? await command("DELETE", "") }

    /// Polls `condition` until it holds or `timeout` seconds pass; the failure names what was
    /// awaited. The pause between polls only spaces them out; the deadline decides.
    static func poll(_ what: String, timeout: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: Error?
        while Date() < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "timed out after \(timeout) s waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
    }
}
