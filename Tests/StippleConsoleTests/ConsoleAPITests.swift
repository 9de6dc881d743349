import Foundation
import Hummingbird
import HummingbirdTesting
import StippleJournal
import StippleModel
import Testing
import StippleSafetyEvidence
@testable import StippleCLI

/// The console's HTTP API at router level, against the built-in simulated rotary-r1 running in
/// real time (docs/CONSOLE.md is the contract).
@Suite struct ConsoleAPITests {
    @Test(.timeLimit(.minutes(1))) func apiNeedsASessionCookie() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            let r = try await c.get("/api/state", cookie: false)
            #expect(r.status == 401)
            #expect(r.error.contains("log in first"))
            #expect(try await c.post("/api/session", ConsoleClient.session, cookie: false).status == 401)
            let ok = try await c.get("/api/state").json()
            #expect(ok["machine"] as? String == "rotary-r1")
            #expect(ok["simulated"] as? Bool == true)
            #expect(ok.keys.contains("fault"), "unknown values are null, not missing")
        }
    }

    @Test(.timeLimit(.minutes(1))) func postsFromAnotherOriginOrNoneAreRefused() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            let evil = try await c.post("/api/stop", origin: "http://evil.example")
            #expect(evil.status == 403)
            #expect(evil.error.hasPrefix("request from another origin (http://evil.example) refused"))
            #expect(evil.headers[.init("Access-Control-Allow-Origin")!] == nil)
            let none = try await c.post("/api/stop", origin: nil)
            #expect(none.status == 403)
            #expect(try await c.post("/api/login", #"{"passcode": ""}"#, cookie: false, origin: "http://evil.example").status == 403)
            #expect(try await c.get("/api/state").json()["state"] as? String == "idle", "nothing was stopped")
            SafetyEvidence.record(hazard: "console-origin", what: "foreign-origin posts accepted", measured: Double([evil.status, none.status].filter { $0 != 403 }.count), bound: 0, unit: "requests")
        }
    }

    @Test(.timeLimit(.minutes(1))) func loopbackWithoutPasscodeLogsInWithAnEmptyOneAndPagesIssueCookies() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            let login = try await c.post("/api/login", #"{"passcode": ""}"#, cookie: false)
            #expect(login.status == 204)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.hasPrefix("stipple_session="))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            let token = String(cookie.dropFirst("stipple_session=".count).prefix { $0 != ";" })
            #expect(token.count == 64, "256 random bits in hex")
            #expect(try await ConsoleClient(client: c.client, cookie: token).get("/api/state").status == 200)
            #expect(try await c.post("/api/login", #"{"passcode": "guess"}"#, cookie: false).status == 401)
            let page = try await c.get("/", cookie: false)
            #expect(page.status == 200)
            #expect(page.headers[.setCookie]?.hasPrefix("stipple_session=") == true)
            for path in ["/treat", "/session", "/machine", "/login"] { #expect(try await c.get(path).status == 200, "\(path)") }
            #expect(try await c.get("/nowhere").status == 404)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aPasscodeGuardsLoginPagesAndAWiderBind() async throws {
        let h = try ConsoleHarness()
        // Without a passcode a wider bind refuses to start, before the machine is touched.
        #expect { try h.prepare(["--bind", "0.0.0.0"]) } throws: { "\($0)".contains("refused: anyone on that network could drive the machine without a passcode") }
        let passcode = try ConsolePasscode.hashing("chair-42")
        try passcode.store(forJournal: h.journalPath)
        let stored = try #require(try ConsolePasscode.load(forJournal: h.journalPath))
        #expect(stored.rounds >= 100_000)
        #expect(stored.matches("chair-42") && !stored.matches("chair-43"))
        let attributes = try FileManager.default.attributesOfItem(atPath: ConsolePasscode.path(forJournal: h.journalPath))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!(try String(contentsOfFile: ConsolePasscode.path(forJournal: h.journalPath), encoding: .utf8)).contains("chair-42"))
        try await h.withConsole(["--bind", "0.0.0.0"]) { c, _ in
            #expect(try await c.post("/api/login", #"{"passcode": "wrong"}"#, cookie: false).status == 401)
            #expect(try await c.post("/api/login", #"{"passcode": ""}"#, cookie: false).status == 401)
            #expect(try await c.post("/api/login", #"{"passcode": "chair-42"}"#, cookie: false).status == 204)
            let page = try await c.get("/treat", cookie: false)
            #expect(page.status == 302)
            #expect(page.headers[.location] == "/login")
            #expect(try await c.get("/login", cookie: false).status == 200)
        }
    }

    @Test(.timeLimit(.minutes(1))) func passcodeSetStoresAHashFromStandardInput() throws {
        let h = try ConsoleHarness()
        ConsolePasscodeSet.readLine = { "stdin-passcode" }
        let (status, out, err) = h.cli(["console", "passcode", "set"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("console passcode set"))
        #expect(try ConsolePasscode.load(forJournal: h.journalPath)?.matches("stdin-passcode") == true)
    }

    @Test(.timeLimit(.minutes(1))) func aSecondDriverOfTheSameMachineIsRefused() async throws {
        let h = try ConsoleHarness()
        let first = try h.prepare()
        defer { first.lock.release() }
        #expect { try h.prepare() } throws: { e in
            "\(e)".contains("machine rotary-r1 is already driven by process \(getpid()) (stipple console since") && "\(e)".hasSuffix("stop it first")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/demo-session.toml").path
        let (status, _, err) = h.cli(["run", "--machine", "rotary-r1", "--cartridge", "3RL-0.25", "--profile", "crown-vertex", "--zone", "crown",
                                      "--sim", "--no-journal", "--script", script])
        #expect(status == 1)
        #expect(err.contains("machine rotary-r1 is already driven by process \(getpid()) (stipple console"), "\(err)")
        SafetyEvidence.record(hazard: "second-controller", what: "second drivers admitted", measured: status == 1 ? 0 : 1, bound: 0, unit: "processes")
        first.lock.release()
        #expect(throws: Never.self) { try h.prepare().lock.release() }
    }

    @Test(.timeLimit(.minutes(1))) func aTreatmentSessionArmsNeedlesStopsResetsAndSealsAVerifiedRecord() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            try await c.ready()
            #expect(try await c.post("/api/arm", #"{"zone": "crown", "profile": "crown-vertex"}"#).status == 409, "no session yet")
            let begun = try await c.post("/api/session", ConsoleClient.session)
            #expect(begun.status == 201, "\(begun.body)")
            let id = try #require(try begun.json()["sessionId"] as? Int)
            #expect(try await c.post("/api/session", ConsoleClient.session).status == 409, "one session at a time")
            let profiles = try await c.get("/api/profiles?zone=crown").array().compactMap { $0["name"] as? String }
            #expect(profiles.contains("crown-vertex") && !profiles.contains("frontal-hairline-soft"))
            let armed = try await c.post("/api/arm", #"{"zone": "crown", "profile": "crown-vertex"}"#)
            #expect(armed.status == 200, "\(armed.body)")
            #expect(try armed.json()["state"] as? String == "armed")
            #expect(try armed.json()["profile"] as? String == "crown-vertex")
            try await c.pass()
            #expect(try await c.post("/api/session/notes", #"{"text": "crown tender, lighter next time"}"#).status == 201)
            #expect(try await c.post("/api/session/notes", #"{"text": "  "}"#).status == 400)
            let session = try await c.get("/api/session").json()
            #expect((session["passes"] as? [[String: Any]])?.first?["zone"] as? String == "crown")
            #expect((session["notes"] as? [[String: Any]])?.first?["text"] as? String == "crown tender, lighter next time")
            #expect((session["zones"] as? [String: Int])?["crown"] == 1)
            #expect(try await c.get("/api/zones").array().first { $0["name"] as? String == "crown" }?["passes"] as? Int == 1)

            let stopped = try await c.post("/api/stop")
            #expect(stopped.status == 200)
            #expect(try stopped.json()["state"] as? String == "e-stopped")
            // Latched like the button, but it says it was the console's STOP (the record may
            // reach the live state a drain after the reply).
            var advice = ""
            for _ in 0..<50 {
                advice = (try await c.get("/api/state").json()["fault"] as? [String: Any])?["advice"] as? String ?? ""
                if !advice.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(advice.hasPrefix("STOP was pressed on the console"), "advice: \(advice)")
            let rearm = try await c.post("/api/arm", #"{"zone": "crown", "profile": "crown-vertex"}"#)
            #expect(rearm.status == 409)
            #expect(rearm.error.contains("reset it first"))
            #expect(try await c.post("/api/reset", "{}").status == 400)
            #expect(try await c.post("/api/reset", #"{"confirm": false}"#).status == 400)
            let reset = try await c.post("/api/reset", #"{"confirm": true}"#)
            #expect(reset.status == 200, "\(reset.body)")
            #expect(try reset.json()["state"] as? String == "idle")
            #expect(try await c.post("/api/arm", #"{"zone": "crown", "profile": "crown-vertex"}"#).status == 200)
            #expect(try await c.post("/api/disarm").status == 200)

            let end = try await c.post("/api/session/end")
            #expect(end.status == 200, "\(end.body)")
            let sealed = try end.json()
            #expect(sealed["verified"] as? Bool == true)
            #expect(sealed["passes"] as? Int == 1)
            #expect(sealed["status"] as? String == "completed")
            #expect(((sealed["seal"] as? [String: Any])?["signature"] as? String)?.count == 128)
            #expect(try await c.get("/api/session").json()["open"] as? Bool == false)

            for (format, type) in [("csv", "text/csv"), ("json", "application/json"), ("fhir", "application/fhir+json"), ("html", "text/html")] {
                let r = try await c.get("/api/session/\(id)/export?format=\(format)")
                #expect(r.status == 200, "\(format): \(r.body)")
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(format)")
                #expect(r.headers[.contentDisposition]?.hasPrefix("attachment") == true, "\(format)")
            }
            #expect(try await c.get("/api/session/\(id)/export?format=pdf").status == 400)
            #expect(try await c.get("/api/session/999/export?format=csv").status == 404)
        }
    }

    @Test(.timeLimit(.minutes(1))) func armingAnInvalidProfileNamesEveryReason() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            try await c.ready()
            #expect(try await c.post("/api/session", ConsoleClient.session).status == 201)
            let r = try await c.post("/api/arm", #"{"zone": "crown", "profile": "frontal-hairline-soft"}"#)
            #expect(r.status == 422)
            #expect(r.error.contains("does not include zone crown"), "\(r.error)")
            #expect(try await c.post("/api/arm", #"{"zone": "crown", "profile": "no-such-profile"}"#).status == 422)
            #expect(try await c.post("/api/arm", #"{"zone": "scalp-top", "profile": "crown-vertex"}"#).status == 400)
            #expect(try await c.get("/api/state").json()["state"] as? String == "idle")
        }
    }

    @Test(.timeLimit(.minutes(1))) func sessionRefusalsMatchRun() async throws {
        let h = try ConsoleHarness()
        let j = try Journal.open(at: h.journalPath)
        _ = try j.addClient(ref: "c-noconsent", name: nil, dateOfBirth: nil)
        _ = try j.addPigment(Pigment(brand: "Old Ink", name: "Black", batch: "B1", lot: "LOT-OLD", expiry: CalendarDate("2020-01-31")!, dilution: 0))
        try j.close()
        try await h.withConsole { c, _ in
            try await c.ready()
            let consent = try await c.post("/api/session", ConsoleClient.session(client: "c-noconsent"))
            #expect(consent.status == 422)
            #expect(consent.error.contains("consent"), "\(consent.error)")
            let expired = try await c.post("/api/session", ConsoleClient.session(pigment: "LOT-OLD"))
            #expect(expired.status == 422)
            #expect(expired.error.contains("LOT-OLD"), "\(expired.error)")
            let unknown = try await c.post("/api/session", ConsoleClient.session(client: "c-404"))
            #expect(unknown.status == 422)
            let bad = try await c.post("/api/session", #"{"client": "c-001"}"#)
            #expect(bad.status == 400)
            #expect(bad.error.contains("missing"))

            // Cartridge 77 needles c-001 once; it may not go on c-002.
            #expect(try await c.post("/api/session", ConsoleClient.session(cartridgeID: 77)).status == 201)
            #expect(try await c.post("/api/arm", #"{"zone": "crown", "profile": "crown-vertex"}"#).status == 200)
            try await c.pass()
            #expect(try await c.post("/api/session/end").status == 200)
            let reused = try await c.post("/api/session", ConsoleClient.session(client: "c-002", cartridgeID: 77))
            #expect(reused.status == 422)
            #expect(reused.error.contains("c-001") || reused.error.contains("used"), "\(reused.error)")
            #expect(try await c.get("/api/session").json()["open"] as? Bool == false, "nothing begun after a refusal")
        }
    }

    @Test(.timeLimit(.minutes(1))) func anUncalibratedMachineIsRefusedWithTheCalibrateAdvice() async throws {
        try await ConsoleHarness(calibrate: false).withConsole { c, _ in
            try await c.ready()
            let r = try await c.post("/api/session", ConsoleClient.session)
            #expect(r.status == 422)
            #expect(r.error.contains("machine not calibrated (rotary-r1)"))
            #expect(r.error.contains("stipple calibrate depth --machine rotary-r1"))
            #expect(try await c.get("/api/machine").json()["calibration"].flatMap { ($0 as? [String: Any])?["depth"] as? [String: Any] }?["status"] as? String == "none")
        }
    }

    @Test(.timeLimit(.minutes(1))) func registrationAndCatalogEndpoints() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            let added = try await c.post("/api/clients", #"{"id": "c-010", "name": "Bo", "born": "1990-05-01", "consentReference": "doc-10", "consentSigned": "2025-02-01"}"#)
            #expect(added.status == 201, "\(added.body)")
            #expect(try await c.post("/api/clients", #"{"id": "c-010", "consentReference": "doc-10", "consentSigned": "2025-02-01"}"#).status == 409)
            #expect(try await c.post("/api/clients", #"{"id": "c-011", "consentReference": "doc", "consentSigned": "01/02/2025"}"#).status == 400)
            let clients = try await c.get("/api/clients").array()
            let bo = try #require(clients.first { $0["id"] as? String == "c-010" })
            #expect((bo["consent"] as? [String: Any])?["reference"] as? String == "doc-10")
            #expect(try await c.post("/api/operators", #"{"id": "op-bo", "name": "Bo"}"#).status == 201)
            #expect(try await c.get("/api/operators").array().contains { $0["id"] as? String == "op-bo" })
            #expect(try await c.post("/api/pigments", #"{"brand": "B", "name": "N", "batch": "X", "lot": "L-9", "expiry": "2098-01-01", "dilution": 0.5}"#).status == 201)
            #expect(try await c.post("/api/pigments", #"{"brand": "B", "name": "N", "batch": "X", "lot": "L-0", "expiry": "2001-01-01", "dilution": 0.5}"#).status == 422)
            let pigments = try await c.get("/api/pigments").array()
            #expect(pigments.first { $0["lot"] as? String == "L-9" }?["expired"] as? Bool == false)
            let cartridges = try await c.get("/api/cartridges").array()
            #expect(cartridges.contains { $0["name"] as? String == "3RL-0.25" && $0["singleUse"] != nil })
            #expect(try await c.get("/api/zones").array().count == Zone.standard.count)
            #expect(try await c.get("/api/profiles?zone=crown").status == 409, "profiles depend on the session's cartridge")
        }
    }

    @Test(.timeLimit(.minutes(1))) func machineShowsIdentityAndCalibration() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            try await c.ready()
            let m = try await c.get("/api/machine").json()
            #expect(m["name"] as? String == "rotary-r1")
            #expect(m["serial"] as? String == "57170001")
            #expect(m["drive"] as? String == "usb")
            let depth = (m["calibration"] as? [String: Any])?["depth"] as? [String: Any]
            #expect(depth?["status"] as? String == "valid")
            #expect((depth?["ref"] as? String)?.hasPrefix("cal-") == true)
            #expect(m.keys.contains("selftest"))
        }
    }

    @Test(.timeLimit(.minutes(1))) func simulatedPedalAndStatusSocketGuards() async throws {
        try await ConsoleHarness().withConsole { c, _ in
            let pedal = try await c.post("/api/sim/pedal", #"{"down": "yes"}"#)
            #expect(pedal.status == 400)
            let noCookie = try await c.get("/ws/status", cookie: false)
            #expect(noCookie.status == 401)
            let noOrigin = try await c.get("/ws/status")
            #expect(noOrigin.status == 403, "a WebSocket without the console's Origin")
        }
    }
}
