import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import Testing
import WSClient
@testable import StippleCLI
#if canImport(Glibc)
import Glibc
#endif

/// `/ws/status` on a live server (loopback, an ephemeral port): the state arrives as JSON text,
/// and only for the console's own origin with a session cookie.
@Suite struct ConsoleStatusSocketTests {
    @Test(.timeLimit(.minutes(1))) func statusSocketPushesTheLiveStateToTheConsolesOwnPage() async throws {
        let h = try ConsoleHarness()
        let p = try h.prepare()
        defer { p.lock.release() }
        try p.controller.start()
        let ctx = CLIContext(environment: h.environment, out: { _ in }, err: { _ in })
        let app = ConsoleServer.application(controller: p.controller, security: p.security, ctx: ctx, host: "127.0.0.1", port: 0)
        let token = p.security.issue()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // As a browser on the console's page upgrades: its own http:// origin and the cookie.
            // (WSClient always sends Origin ws://HOST, which the console rightly refuses, so the
            // upgrade is written by hand here.)
            let frames = try RawWebSocket.firstTextFrames(port: port, count: 3, headers: [
                "Origin: http://127.0.0.1:\(port)", "Cookie: stipple_session=\(token)",
            ])
            #expect(frames.count == 3)
            let first = try #require(frames.first)
            let state = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
            #expect(state["machine"] as? String == "rotary-r1")
            #expect(state["state"] != nil && state["connection"] != nil && state["session"] != nil)

            // WSClient's ws:// origin, and a page of another site, are both refused.
            var config = WebSocketClientConfiguration()
            config.additionalHeaders = [.cookie: "stipple_session=\(token)"]
            await #expect(throws: (any Error).self) { try await client.ws("/ws/status", configuration: config) { _, _, _ in } }
            let refused = try RawWebSocket.upgradeStatus(port: port, headers: ["Origin: http://evil.example", "Cookie: stipple_session=\(token)"])
            // hummingbird-websocket answers a refused upgrade 400 (a plain GET gets 401/403: see
            // ConsoleAPITests); what matters is that no connection is upgraded.
            #expect(refused == 400)
            let noCookie = try RawWebSocket.upgradeStatus(port: port, headers: ["Origin: http://127.0.0.1:\(port)"])
            #expect(noCookie == 400)
        }
        _ = await p.controller.shutdown()
    }
}

/// A minimal WebSocket client over a blocking loopback socket: the upgrade request, the status
/// line, and unmasked server text frames (short ones: the state is well under 64 KiB).
enum RawWebSocket {
    struct Failed: Error { var why: String }

    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(why: "socket") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { close(fd); throw Failed(why: "connect") }
        return fd
    }

    static func upgrade(_ fd: Int32, port: Int, headers: [String]) throws {
        let request = (["GET /ws/status HTTP/1.1", "Host: 127.0.0.1:\(port)", "Upgrade: websocket", "Connection: Upgrade",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
        let sent = request.withCString { send(fd, $0, strlen($0), 0) }
        guard sent > 0 else { throw Failed(why: "send") }
    }

    /// Reads until the end of the response head; returns the status and any bytes after it.
    static func head(_ fd: Int32) throws -> (status: Int, rest: [UInt8]) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw Failed(why: "no response head") }
            data += buffer[0..<n]
            if let end = data.indices.dropLast(3).first(where: { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }) {
                let text = String(decoding: data[..<end], as: UTF8.self)
                let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
                return (status, Array(data[(end + 4)...]))
            }
        }
    }

    static func upgradeStatus(port: Int, headers: [String]) throws -> Int {
        let fd = try connect(port)
        defer { close(fd) }
        try upgrade(fd, port: port, headers: headers)
        return try head(fd).status
    }

    static func firstTextFrames(port: Int, count: Int, headers: [String]) throws -> [String] {
        let fd = try connect(port)
        defer { close(fd) }
        try upgrade(fd, port: port, headers: headers)
        var (status, data) = try head(fd)
        guard status == 101 else { throw Failed(why: "upgrade answered \(status)") }
        var texts: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while texts.count < count {
            // FIN+text, then a 7-bit or 16-bit length (server frames are not masked).
            if data.count >= 2 {
                var length = Int(data[1] & 0x7F), offset = 2
                if length == 126, data.count >= 4 { length = Int(data[2]) << 8 | Int(data[3]); offset = 4 }
                if length < 126 || offset == 4, data.count >= offset + length {
                    if data[0] & 0x0F == 1 { texts.append(String(decoding: data[offset..<(offset + length)], as: UTF8.self)) }
                    data.removeFirst(offset + length)
                    continue
                }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw Failed(why: "connection closed after \(texts.count) frames") }
            data += buffer[0..<n]
        }
        return texts
    }
}
