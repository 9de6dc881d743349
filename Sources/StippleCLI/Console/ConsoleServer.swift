import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// Builds the console's application: the HTTP router and the WebSocket upgrade on one listener.
enum ConsoleServer {
    static func application(controller: ConsoleController, security: ConsoleSecurity, ctx: CLIContext, host: String, port: Int,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "stipple-console")
        logger.logLevel = .warning
        let api = ConsoleAPI(controller: controller, security: security, ctx: ctx)
        return Application(
            router: api.router(),
            server: .http1WebSocketUpgrade(webSocketRouter: ConsoleStatusSocket.router(controller: controller, security: security)),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
