import Foundation

/// A minimal HTTP/1.1 client for loopback, enough for chromedriver: one request per connection,
/// the reply read by its Content-Length. URLSession cannot be used here: chromedriver writes its
/// headers without a space after the colon (`Content-Length:250`), and FoundationNetworking
/// (Swift 6.3, Linux) fails every such reply with curl's "Failed writing header".
enum LoopbackHTTP {
    struct Reply {
        var status: Int
        var body: Data
    }

    /// Runs the exchange on a GCD thread, not the test's cooperative pool: a WebDriver command
    /// can take seconds (a navigation), and blocking the pool would stall other tests.
    static func send(port: Int, method: String, path: String, body: Data?, timeout: Double = 30) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(port: port, method: method, path: path, body: body, timeout: timeout) })
            }
        }
    }

    static func exchange(port: Int, method: String, path: String, body: Data?, timeout: Double) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WebDriver.Failure(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw WebDriver.Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)") }

        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let body { request += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\n" }
        request += "\r\n"
        var out = Data(request.utf8)
        if let body { out.append(body) }
        try out.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Foundation.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw WebDriver.Failure(description: "send to 127.0.0.1:\(port) failed: errno \(errno)") }
                sent += n
            }
        }

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var contentLength: Int?
        var status = 0
        while true {
            if let end = headerEnd, let length = contentLength, received.count - end >= length { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 { throw WebDriver.Failure(description: "no reply from 127.0.0.1:\(port) to \(method) \(path) within \(timeout) s (errno \(errno))") }
            if n == 0 { break }
            received.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let r = received.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = r.upperBound
                let head = String(decoding: received[..<r.lowerBound], as: UTF8.self)
                let lines = head.components(separatedBy: "\r\n")
                status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    if line[..<colon].lowercased() == "content-length" {
                        contentLength = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                    }
                }
            }
        }
        guard let end = headerEnd else {
            throw WebDriver.Failure(description: "a malformed reply from 127.0.0.1:\(port) to \(method) \(path): \(String(decoding: received.prefix(200), as: UTF8.self))")
        }
        let bodyEnd = contentLength.map { min(received.count, end + $0) } ?? received.count
        return Reply(status: status, body: Data(received[end..<bodyEnd]))
    }
}
