import Foundation
import Hummingbird
import HummingbirdWebSocket

/// `/ws/status`: the live state as JSON text, about ten times a second and on every change. The
/// upgrade needs the session cookie and the console's own Origin, as a POST does.
enum ConsoleStatusSocket {
    /// The router the server's WebSocket upgrade consults.
    static func router(controller: ConsoleController, security: ConsoleSecurity) -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/ws/status") { request, _ in
            // A refused upgrade is answered 400 by hummingbird-websocket 2.8.1's upgrade path (not
            // 401/403); a plain GET of /ws/status gets the HTTP route, which says why.
            refusal(request, security: security) == nil ? .upgrade([:]) : .dontUpgrade
        } onUpgrade: { inbound, outbound, _ in
            try await stream(controller, inbound: inbound, outbound: outbound)
        }
        return router
    }

    /// Why an upgrade (or a plain GET of /ws/status) is refused, with its status; nil to upgrade.
    static func refusal(_ request: Request, security: ConsoleSecurity) -> ConsoleRefusal? {
        guard security.isValid(request.cookies[ConsoleSecurity.cookieName]?.value) else {
            return ConsoleRefusal(401, "no valid console session: log in first (POST /api/login, or open the console's start page)")
        }
        if let why = ConsoleSecurity.originRefusal(origin: request.headers[.origin], host: request.head.authority) {
            return ConsoleRefusal(403, why)
        }
        return nil
    }

    /// Pushes the state until the client goes away.
    static func stream(_ controller: ConsoleController, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Reading keeps the close handshake going; the client closing ends the stream.
            group.addTask { for try await _ in inbound {} }
            group.addTask {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var sentVersion: UInt64?
                var sentAt = ContinuousClock.now
                while !Task.isCancelled {
                    let (state, version) = controller.state
                    if version != sentVersion || sentAt.duration(to: .now) >= .milliseconds(100) {
                        try await outbound.write(.text(String(decoding: try encoder.encode(state), as: UTF8.self)))
                        sentVersion = version
                        sentAt = .now
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
