import Foundation
import Synchronization

/// Who may use the console: cookie sessions (`stipple_session`, 256 random bits), the passcode,
/// and the same-origin rule for every state-changing request (docs/CONSOLE.md, "Security").
final class ConsoleSecurity: Sendable {
    static let cookieName = "stipple_session"
    /// A session cookie stays valid this long after it was issued.
    static let sessionSeconds: Double = 12 * 3600

    let passcode: ConsolePasscode?
    /// The console listens on a loopback address only.
    let loopback: Bool
    private let sessions = Mutex<[String: Date]>([:])

    init(passcode: ConsolePasscode?, loopback: Bool) {
        self.passcode = passcode
        self.loopback = loopback
    }

    /// Whether `bind` is a loopback address: 127.0.0.0/8, ::1, localhost.
    static func isLoopback(_ bind: String) -> Bool {
        let host = bind.hasPrefix("[") && bind.hasSuffix("]") ? String(bind.dropFirst().dropLast()) : bind
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Pages may be used without logging in: loopback with no passcode set.
    var open: Bool { passcode == nil && loopback }

    /// Checks a login; on success returns a new session token.
    func login(_ given: String) -> String? {
        if let passcode {
            guard passcode.matches(given) else { return nil }
        } else {
            // Only reachable on loopback (a wider bind needs a passcode to start).
            guard loopback, given.isEmpty else { return nil }
        }
        return issue()
    }

    func issue() -> String {
        var rng = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
        sessions.withLock { $0[token] = Date().addingTimeInterval(Self.sessionSeconds) }
        return token
    }

    func isValid(_ token: String?) -> Bool {
        guard let token else { return false }
        return sessions.withLock { s in
            guard let expiry = s[token] else { return false }
            if expiry < Date() {
                s[token] = nil
                return false
            }
            return true
        }
    }

    func revoke(_ token: String?) {
        guard let token else { return }
        _ = sessions.withLock { $0.removeValue(forKey: token) }
    }

    /// Nil when `origin` is the server's own (`http://` + the request's Host), else the refusal.
    static func originRefusal(origin: String?, host: String?) -> String? {
        guard let origin, !origin.isEmpty else {
            return "request without an Origin header refused: the console accepts changes only from its own pages. Use the console's pages, or send Origin: http://HOST:PORT"
        }
        guard let host, origin == "http://" + host else {
            return "request from another origin (\(origin)) refused: the console accepts changes only from its own pages (http://\(host ?? "its own address"))"
        }
        return nil
    }
}
