import Hummingbird

/// In front of every route: the session cookie on the API (but login), the same-origin rule on
/// every POST, and errors as JSON (`{"error": ...}`) whatever threw them. No CORS headers, ever.
struct ConsoleGuard: RouterMiddleware {
    typealias Context = BasicRequestContext
    let security: ConsoleSecurity

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if request.method == .post {
            let host = request.head.authority
            if let refusal = ConsoleSecurity.originRefusal(origin: request.headers[.origin], host: host) {
                return jsonError(403, refusal)
            }
        }
        if path.hasPrefix("/api/"), path != "/api/login", !security.isValid(request.cookies[ConsoleSecurity.cookieName]?.value) {
            return jsonError(401, "no valid console session: log in first (POST /api/login, or open the console's start page)")
        }
        do {
            return try await next(request, context)
        } catch let r as ConsoleRefusal {
            return jsonError(r.status, r.message)
        } catch let e as any HTTPResponseError {
            return jsonError(Int(e.status.code), e.status == .notFound ? "no such page or endpoint: \(path)" : "\(e.status.reasonPhrase)")
        } catch {
            return jsonError(500, "\(error)")
        }
    }
}
