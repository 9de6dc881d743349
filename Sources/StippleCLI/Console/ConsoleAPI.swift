import Foundation
import Hummingbird
import StippleControl
import StippleJournal
import StippleModel

/// The console's HTTP side: pages, assets and the JSON API of docs/CONSOLE.md, over one
/// `ConsoleController`. Security (cookie, origin) is `ConsoleGuard`, in front of every route.
struct ConsoleAPI: Sendable {
    let controller: ConsoleController
    let security: ConsoleSecurity
    let ctx: CLIContext

    typealias Context = BasicRequestContext

    /// The router with every route and the guard.
    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.middlewares.add(ConsoleGuard(security: security))
        let pages: [(String, String)] = [("/", "start"), ("/treat", "treat"), ("/session", "session"), ("/machine", "machine"), ("/login", "login")]
        for (path, name) in pages {
            router.get(RouterPath(path)) { request, _ in try page(name, request) }
        }
        router.get("/assets/**") { _, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard !path.contains(".."), let a = ConsoleWeb.asset(path) else { throw ConsoleRefusal(404, "no asset \(path)") }
            return Response(status: .ok, headers: [.contentType: a.contentType, .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(string: a.body)))
        }
        // Without a WebSocket upgrade (or refused by its guard) the request lands here.
        router.get("/ws/status") { request, _ -> Response in
            if let r = ConsoleStatusSocket.refusal(request, security: security) { throw r }
            throw ConsoleRefusal(400, "/ws/status is a WebSocket: open it with a WebSocket upgrade from the console's pages")
        }

        router.post("/api/login") { request, _ in
            struct Body: Decodable { var passcode: String? }
            let body = try await decode(Body.self, request)
            guard let token = security.login(body.passcode ?? "") else {
                throw ConsoleRefusal(401, security.passcode == nil ? "no passcode is set: log in with an empty passcode (loopback only)" : "wrong passcode: try again")
            }
            var response = Response(status: .noContent)
            response.setCookie(Self.cookie(token))
            return response
        }
        router.post("/api/logout") { request, _ in
            security.revoke(request.cookies[ConsoleSecurity.cookieName]?.value)
            var response = Response(status: .noContent)
            response.setCookie(Cookie(name: ConsoleSecurity.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/api/state") { _, _ in try json(controller.state.state) }

        registration(router)
        session(router)
        machine(router)
        return router
    }

    static func cookie(_ token: String) -> Cookie {
        Cookie(name: ConsoleSecurity.cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict)
    }

    private func page(_ name: String, _ request: Request) throws -> Response {
        guard let html = ConsoleWeb.page(name, machine: controller.machine.name, simulated: controller.simulated) else {
            throw ConsoleRefusal(404, "no page \(name)")
        }
        let token = request.cookies[ConsoleSecurity.cookieName]?.value
        var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
        if !security.isValid(token) {
            if security.open {
                // Loopback without a passcode: the page itself lets the practitioner in.
                response.setCookie(Self.cookie(security.issue()))
            } else if name != "login" {
                return Response.redirect(to: "/login", type: .found)
            }
        }
        return response
    }

    // MARK: - Clients, operators, pigments, cartridges

    private func registration(_ router: Router<Context>) {
        router.get("/api/clients") { _, _ in
            struct Consent: Encodable { var reference: String; var signed: String }
            struct Client: Encodable { var id: String; var name: String?; var consent: Consent? }
            let clients = try withJournal { try $0.clients() }.map { c in
                Client(id: c.ref, name: c.name, consent: c.consents.last.map { Consent(reference: $0.documentRef, signed: $0.signedAt.day) })
            }
            return try json(clients)
        }
        router.post("/api/clients") { request, _ in
            struct Body: Decodable { var id: String; var name: String?; var born: String?; var consentReference: String; var consentSigned: String }
            let b = try await decode(Body.self, request)
            var args = [b.id, "--consent", b.consentReference, "--consent-signed", b.consentSigned]
            if let n = b.name, !n.isEmpty { args += ["--name", n] }
            if let born = b.born, !born.isEmpty { args += ["--born", born] }
            try runCommand(ClientAdd.self, args)
            struct Reply: Encodable { var id: String; var name: String?; var consent: [String: String] }
            return try json(Reply(id: b.id, name: b.name, consent: ["reference": b.consentReference, "signed": b.consentSigned]), status: .created)
        }
        router.get("/api/operators") { _, _ in
            struct Operator: Encodable { var id: String; var name: String? }
            return try json(try withJournal { try $0.operators() }.map { Operator(id: $0.ref, name: $0.name) })
        }
        router.post("/api/operators") { request, _ in
            struct Body: Codable { var id: String; var name: String? }
            let b = try await decode(Body.self, request)
            try runCommand(OperatorAdd.self, [b.id] + (b.name.map { ["--name", $0] } ?? []))
            return try json(b, status: .created)
        }
        router.get("/api/pigments") { _, _ in
            struct Pigment: Encodable { var lot, brand, name, batch, expiry: String; var dilution: Double; var expired: Bool }
            let today = UTCTimestamp.now().day
            return try json(try withJournal { try $0.pigments() }.map {
                Pigment(lot: $0.lot, brand: $0.brand, name: $0.name, batch: $0.batch, expiry: $0.expiry, dilution: $0.dilution, expired: $0.expiry < today)
            })
        }
        router.post("/api/pigments") { request, _ in
            struct Body: Codable { var brand, name, batch, lot, expiry: String; var dilution: Double }
            let b = try await decode(Body.self, request)
            try runCommand(PigmentAdd.self, ["--brand", b.brand, "--name", b.name, "--batch", b.batch, "--lot", b.lot,
                                             "--expiry", b.expiry, "--dilution", String(b.dilution)])
            return try json(b, status: .created)
        }
        router.get("/api/cartridges") { _, _ in
            struct CartridgeType: Encodable { var name: String; var needles: Int; var maxDepthMm, membraneOffsetMm: Double; var singleUse: Bool }
            let types = controller.catalog.cartridges().compactMap { try? $0.result.get() }.map {
                CartridgeType(name: $0.name, needles: $0.needles, maxDepthMm: $0.maxDepth.millimetres,
                              membraneOffsetMm: $0.membraneOffset.millimetres, singleUse: $0.singleUse)
            }
            return try json(types.sorted { $0.name < $1.name })
        }
    }

    // MARK: - The treatment session and the machine's verbs

    private func session(_ router: Router<Context>) {
        router.post("/api/session") { request, _ in
            let r = try await decode(ConsoleJournal.Request.self, request)
            let begun = try controller.beginSession(r)
            struct Reply: Encodable { var sessionId: Int64; var client: String; var `operator`: String; var open = true }
            return try json(Reply(sessionId: begun.sessionID, client: begun.client, operator: begun.operatorRef), status: .created)
        }
        router.get("/api/session") { _, _ in
            let v = controller.sessionView()
            struct Cartridge: Encodable { var type: String; var id: UInt64; var lot: String }
            struct Note: Encodable { var at: String; var text: String }
            struct Reply: Encodable {
                var open: Bool; var sessionId: Int64?; var client: String?; var `operator`: String?; var cartridge: Cartridge?
                var passes: [ConsoleController.PassView]; var notes: [Note]; var zones: [String: Int]
                enum CodingKeys: String, CodingKey { case open, sessionId, client, `operator`, cartridge, passes, notes, zones }
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(open, forKey: .open)
                    try c.encode(sessionId, forKey: .sessionId)
                    try c.encode(client, forKey: .client)
                    try c.encode(`operator`, forKey: .operator)
                    try c.encode(cartridge, forKey: .cartridge)
                    try c.encode(passes, forKey: .passes)
                    try c.encode(notes, forKey: .notes)
                    try c.encode(zones, forKey: .zones)
                }
            }
            return try json(Reply(open: v.open, sessionId: v.sessionID, client: v.client, operator: v.operatorRef,
                                  cartridge: v.cartridge.map { Cartridge(type: $0.type, id: $0.id, lot: $0.lot) },
                                  passes: v.passes, notes: v.notes.map { Note(at: $0.at.iso8601, text: $0.text) }, zones: v.zones))
        }
        router.post("/api/session/notes") { request, _ in
            struct Body: Codable { var text: String }
            let b = try await decode(Body.self, request)
            let text = b.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ConsoleRefusal(400, "empty note: write what should go on the record") }
            guard text.count <= 2000 else { throw ConsoleRefusal(400, "note too long (\(text.count) characters): keep it to 2000") }
            try controller.addNote(text)
            return try json(Body(text: text), status: .created)
        }
        router.post("/api/session/end") { _, _ in
            let (seal, verified, problem) = try await controller.endSession()
            struct Seal: Encodable { var headSeq: Int64; var headHash, signature, publicKey: String }
            struct Reply: Encodable { var sessionId: Int64; var status: String; var passes: Int; var seal: Seal; var verified: Bool; var problem: String? }
            return try json(Reply(sessionId: seal.sessionID, status: "\(seal.status)", passes: seal.passes,
                                  seal: Seal(headSeq: seal.headSeq, headHash: seal.headHash, signature: seal.signature, publicKey: seal.publicKey),
                                  verified: verified, problem: problem))
        }
        router.get("/api/session/:id/export") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { throw ConsoleRefusal(400, "session id must be a number") }
            let format = request.uri.queryParameters.get("format") ?? "html"
            let (text, type, ext): (String, String, String) = try withJournal { j in
                switch format {
                case "json": return (try SessionExportJSON.render(sessionID: id, from: j, redaction: ExportRedaction(isOn: false)), "application/json", "json")
                case "csv": return (SessionExportCSV.render(try j.session(id: id), redaction: ExportRedaction(isOn: false)), "text/csv; charset=utf-8", "csv")
                case "fhir": return (FHIRBundle.render(try j.session(id: id), redaction: ExportRedaction(isOn: false)), "application/fhir+json", "fhir.json")
                case "html": return (SessionReportHTML.render(try j.session(id: id), verification: try j.verify(), redaction: ExportRedaction(isOn: false)),
                                     "text/html; charset=utf-8", "html")
                default: throw ConsoleRefusal(400, "unknown export format \"\(format)\": use html, fhir, csv or json")
                }
            }
            return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"session-\(id).\(ext)\""],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/api/zones") { _, _ in
            struct Z: Encodable { var name, label: String; var passes: Int }
            let zones = controller.sessionView().zones
            return try json(Zone.standard.map { Z(name: $0.name, label: Self.label($0), passes: zones[$0.name] ?? 0) })
        }
        router.get("/api/profiles") { request, _ in
            guard let zoneName = request.uri.queryParameters.get("zone"), let zone = Zone(name: zoneName) else {
                throw ConsoleRefusal(400, "give a zone: /api/profiles?zone=crown (one of \(Zone.standard.map(\.name).joined(separator: ", ")))")
            }
            guard let cartridge = controller.sessionCartridge() else {
                throw ConsoleRefusal(409, "no session is open: the valid profiles depend on the session's cartridge")
            }
            struct P: Encodable { var name: String; var depthMm, depthMinMm, depthMaxMm, rateHz: Double; var rampInMs, rampOutMs: Int }
            let valid = controller.catalog.profiles().compactMap { f -> P? in
                guard let p = try? f.result.get(), (try? SessionSettings.validated(machine: controller.machine, cartridge: cartridge, cartridgeID: 0, profile: p,
                                                                                    profileFile: f.file.path, zone: zone).get()) != nil else { return nil }
                return P(name: p.name, depthMm: p.depthTarget.millimetres, depthMinMm: p.depthMin.millimetres, depthMaxMm: p.depthMax.millimetres,
                         rateHz: p.rate.hertz, rampInMs: p.rampInMilliseconds, rampOutMs: p.rampOutMilliseconds)
            }
            return try json(valid.sorted { $0.name < $1.name })
        }
        router.post("/api/arm") { request, _ in
            struct Body: Decodable { var zone: String; var profile: String }
            let b = try await decode(Body.self, request)
            try await controller.arm(zone: b.zone, profile: b.profile)
            return try json(controller.state.state)
        }
        router.post("/api/disarm") { _, _ in
            try await controller.disarm()
            return try json(controller.state.state)
        }
        router.post("/api/stop") { _, _ in
            try await controller.emergencyStop()
            return try json(controller.state.state)
        }
        router.post("/api/reset") { request, _ in
            struct Body: Decodable { var confirm: Bool? }
            let b = try await decode(Body.self, request)
            guard b.confirm == true else {
                throw ConsoleRefusal(400, "reset needs {\"confirm\": true}: check the cause of the stop is cleared, then confirm")
            }
            try await controller.reset()
            return try json(controller.state.state)
        }
        router.post("/api/sim/pedal") { request, _ in
            struct Body: Decodable { var down: Bool }
            guard controller.simulated else { throw ConsoleRefusal(404, "no simulated pedal: the console drives a real machine (start it with --sim)") }
            let b = try await decode(Body.self, request)
            try controller.setSimulatedPedal(b.down)
            return try json(["down": b.down])
        }
    }

    private func machine(_ router: Router<Context>) {
        router.get("/api/machine") { _, _ in
            let m = controller.machine
            let identity = controller.side.identity
            let records = try withJournal { try SessionChecks.calibrations($0, serial: identity?.serial, machine: m) }
            struct Cal: Encodable {
                var ref: String?; var status: String; var expires: String?
                enum CodingKeys: String, CodingKey { case ref, status, expires }
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(ref, forKey: .ref)
                    try c.encode(status, forKey: .status)
                    try c.encode(expires, forKey: .expires)
                }
            }
            let depth: Cal
            switch records.depth {
            case .valid(let c): depth = Cal(ref: c.record.ref, status: "valid", expires: c.record.expiresAt.iso8601)
            case .none: depth = Cal(ref: nil, status: "none", expires: nil)
            case .expired(let c): depth = Cal(ref: c.record.ref, status: "expired", expires: c.record.expiresAt.iso8601)
            case .failed(let c): depth = Cal(ref: c.record.ref, status: "failed", expires: c.record.expiresAt.iso8601)
            case .untrusted(let c): depth = Cal(ref: c.record.ref, status: "untrusted", expires: c.record.expiresAt.iso8601)
            }
            let rate: Cal
            switch records.rate {
            case .valid(let c, _): rate = Cal(ref: c.record.ref, status: "valid", expires: c.record.expiresAt.iso8601)
            case .none: rate = Cal(ref: nil, status: "none", expires: nil)
            case .expired(let c): rate = Cal(ref: c.record.ref, status: "expired", expires: c.record.expiresAt.iso8601)
            case .failed(let c): rate = Cal(ref: c.record.ref, status: "failed", expires: c.record.expiresAt.iso8601)
            }
            struct Reply: Encodable {
                var name, model, drive: String; var serial, firmware: String?; var calibration: [String: Cal]
                var selftest: String? = nil
                enum CodingKeys: String, CodingKey { case name, model, drive, serial, firmware, calibration, selftest }
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(name, forKey: .name)
                    try c.encode(model, forKey: .model)
                    try c.encode(drive, forKey: .drive)
                    try c.encode(serial, forKey: .serial)
                    try c.encode(firmware, forKey: .firmware)
                    try c.encode(calibration, forKey: .calibration)
                    // Self-test results are not journaled yet: null, as the contract allows.
                    try c.encode(selftest, forKey: .selftest)
                }
            }
            return try json(Reply(name: m.name, model: m.model, drive: "\(m.drive)", serial: identity?.serial, firmware: identity?.firmware,
                                  calibration: ["depth": depth, "rate": rate]))
        }
    }

    // MARK: - Helpers

    static func label(_ zone: Zone) -> String {
        zone.name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    private func withJournal<T>(_ body: (Journal) throws -> T) throws -> T {
        let j: Journal
        do { j = try Journal.open(at: controller.journalPath) } catch { throw ConsoleRefusal(500, error.description) }
        defer { try? j.close() }
        do { return try body(j) } catch { throw ConsoleRefusal.from(error) }
    }

    /// Runs a registration command in-process against the console's journal, so the console
    /// refuses exactly what the CLI refuses, with the same words (bad input: 400).
    private func runCommand<C: StippleCommand>(_ type: C.Type, _ arguments: [String]) throws {
        let command: C
        do { command = try C.parse(arguments + ["--journal", controller.journalPath]) } catch {
            throw ConsoleRefusal(400, C.message(for: error))
        }
        let quiet = CLIContext(environment: ctx.environment, out: { _ in }, err: { _ in })
        do { _ = try command.run(in: quiet) } catch let e as CLIError {
            throw ConsoleRefusal(400, e.description)
        } catch let e as JournalError {
            if case .duplicateClient = e { throw ConsoleRefusal(409, e.description) }
            throw ConsoleRefusal.from(e)
        } catch {
            throw ConsoleRefusal.from(error)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        let data = Data(buffer.readableBytesView)
        do { return try JSONDecoder().decode(T.self, from: data.isEmpty ? Data("{}".utf8) : data) } catch {
            throw ConsoleRefusal(400, "bad request body: \(Self.explain(error)). Send JSON as docs/CONSOLE.md describes")
        }
    }

    static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "field \"\(key.stringValue)\" is missing"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            "field \"\(c.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case DecodingError.dataCorrupted: "it is not JSON"
        default: "\(error)"
        }
    }
}

/// JSON replies, keys sorted so they read the same every time.
func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// A JSON error reply: `{"error": "..."}`.
func jsonError(_ status: Int, _ message: String) -> Response {
    (try? json(["error": message], status: HTTPResponse.Status(code: status))) ?? Response(status: .internalServerError)
}
