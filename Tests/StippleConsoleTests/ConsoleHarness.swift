import Foundation
import Hummingbird
import HummingbirdTesting
import StippleJournal
import StippleModel
import Testing
@testable import StippleCLI

/// A console on the built-in simulated rotary-r1 against a journal in a fresh temporary
/// $STIPPLE_HOME: client c-001 (with consent), operator op-ana, pigment lot LOT-77 and, unless
/// told otherwise, a passing depth calibration of the machine, all added through the CLI.
final class ConsoleHarness: @unchecked Sendable {
    static let origin = "http://localhost"  // HummingbirdTesting's router requests come to "localhost"
    let home: String
    var environment: [String: String] { ["STIPPLE_HOME": home] }
    var journalPath: String { home + "/journal.sqlite" }

    init(calibrate: Bool = true) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("stipple-console-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var setup: [[String]] = [
            ["client", "add", "c-001", "--name", "Ana Client", "--consent", "consent-001", "--consent-signed", "2025-01-15"],
            ["client", "add", "c-002", "--consent", "consent-002", "--consent-signed", "2025-01-16"],
            ["operator", "add", "op-ana"],
            ["operator", "add", "tech-cal"],
            ["pigment", "add", "--brand", "Scalp Ink Co", "--name", "Dark Brown 2", "--batch", "B12", "--lot", "LOT-77",
             "--expiry", "2099-12-31", "--dilution", "1"],
        ]
        if calibrate {
            setup.append(["calibrate", "depth", "--machine", "rotary-r1", "--sim", "--sim-gauge", "--technician", "tech-cal", "--gauge", "G-test"])
        }
        for args in setup {
            let (status, _, err) = cli(args)
            guard status == 0 else { throw SetupFailed(message: "stipple \(args.joined(separator: " ")): \(err)") }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: home) }

    /// Runs `stipple ARGS` in-process in this home.
    @discardableResult
    func cli(_ args: [String]) -> (Int32, String, String) {
        let out = Buffer(), err = Buffer()
        let status = CLIRunner.run(args, in: CLIContext(environment: environment, out: { out.append($0) }, err: { err.append($0) }))
        return (status, out.value, err.value)
    }

    /// What `stipple console --machine rotary-r1 --sim EXTRA` prepares before listening.
    func prepare(_ extra: [String] = []) throws -> ConsoleServe.Prepared {
        let command = try ConsoleServe.parse(["--machine", "rotary-r1", "--sim"] + extra)
        return try command.prepare(in: CLIContext(environment: environment, out: { _ in }, err: { _ in }))
    }

    /// Runs `body` against a started console's router (a session cookie ready), then shuts it down.
    func withConsole(_ extra: [String] = [], _ body: @escaping @Sendable (ConsoleClient, ConsoleServe.Prepared) async throws -> Void) async throws {
        let p = try prepare(extra)
        try p.controller.start()
        let ctx = CLIContext(environment: environment, out: { _ in }, err: { _ in })
        let app = Application(router: ConsoleAPI(controller: p.controller, security: p.security, ctx: ctx).router())
        do {
            try await app.test(.router) { client in
                try await body(ConsoleClient(client: client, cookie: p.security.issue()), p)
            }
        } catch {
            _ = await p.controller.shutdown()
            p.lock.release()
            throw error
        }
        _ = await p.controller.shutdown()
        p.lock.release()
    }

    struct SetupFailed: Error { var message: String }
}

/// Requests as the console's pages make them: the session cookie, and the console's own Origin on POSTs.
struct ConsoleClient: Sendable {
    let client: any TestClientProtocol
    let cookie: String

    struct Reply {
        var status: Int
        var headers: HTTPFields
        var body: String
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "not a JSON object: \(body)")
        }
        func array() throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]], "not a JSON array: \(body)")
        }
        var error: String { ((try? json())?["error"] as? String) ?? "" }
    }

    func get(_ path: String, cookie: Bool = true) async throws -> Reply {
        try await send(path, .get, headers: cookie ? [.cookie: "\(ConsoleSecurity.cookieName)=\(self.cookie)"] : [:], body: nil)
    }

    func post(_ path: String, _ body: String = "{}", cookie: Bool = true, origin: String? = ConsoleHarness.origin) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if cookie { headers[.cookie] = "\(ConsoleSecurity.cookieName)=\(self.cookie)" }
        if let origin { headers[.origin] = origin }
        return try await send(path, .post, headers: headers, body: body)
    }

    private func send(_ path: String, _ method: HTTPRequest.Method, headers: HTTPFields, body: String?) async throws -> Reply {
        try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            Reply(status: Int(r.status.code), headers: r.headers, body: String(buffer: r.body))
        }
    }

    /// The live state, polled until `done` holds (the loop runs in real time), failing after 10 s.
    @discardableResult
    func state(until done: ([String: Any]) -> Bool, _ what: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(10)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await get("/api/state").json()
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting for \(what); last state \(last)")
        return last
    }

    func ready() async throws {
        try await state(until: { $0["connection"] as? String == "ready" }, "the simulated machine to identify")
    }

    static let session = #"{"client": "c-001", "operator": "op-ana", "pigments": ["LOT-77"], "cartridge": {"type": "3RL-0.25", "id": 1001, "lot": "CL-1"}}"#

    static func session(client: String = "c-001", pigment: String = "LOT-77", cartridgeID: Int = 1001) -> String {
        #"{"client": "\#(client)", "operator": "op-ana", "pigments": ["\#(pigment)"], "cartridge": {"type": "3RL-0.25", "id": \#(cartridgeID), "lot": "CL-1"}}"#
    }

    /// One zone pass on the simulated pedal: down until running, up until armed again.
    func pass() async throws {
        #expect(try await post("/api/sim/pedal", #"{"down": true}"#).status == 200)
        try await state(until: { $0["state"] as? String == "running" }, "the pass to start")
        #expect(try await post("/api/sim/pedal", #"{"down": false}"#).status == 200)
        try await state(until: { $0["state"] as? String == "armed" && (($0["session"] as? [String: Any])?["passes"] as? Int ?? 0) > 0 },
                        "the pass to end and be journaled")
    }
}

private final class Buffer: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func append(_ s: String) { lock.withLock { text += s } }
    var value: String { lock.withLock { text } }
}
