#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The exclusive lock a journal writer holds while open: `flock` on a sidecar file
/// (`<journal>.lock`, mode 0600).
///
/// `flock` rather than a row or a pid file because the kernel drops it when the holder dies,
/// SIGKILL included, so the next writer can tell an open session with no live writer (a crash)
/// from one that is being written. Locks belong to an open file description, so two writers in
/// one process exclude each other too.
final class WriterLock: @unchecked Sendable {
    let path: String
    private var fd: Int32

    /// Takes the lock, retrying for up to `wait` seconds: a reader's short `isHeld` probe must
    /// not make a starting writer fail.
    init(path: String, wait: Double) throws(JournalError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .file(path: path, operation: "open lock file", reason: String(cString: strerror(errno)))
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            guard e == EWOULDBLOCK, Date() < deadline else {
                let holder = WriterLock.holder(fd: fd)
                close(fd)
                if e == EWOULDBLOCK { throw .writerActive(path: path, holder: holder) }
                throw .file(path: path, operation: "lock", reason: String(cString: strerror(e)))
            }
            usleep(20_000)
        }
        // The holder's pid, for the message another writer gets; informative only.
        let text = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Whether a live process holds the writer lock of `path` (probed with a shared lock that is
    /// dropped at once).
    static func isHeld(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    private static func holder(fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return "a process that has not written its pid yet" }
        return String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Releases the lock; idempotent.
    func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
