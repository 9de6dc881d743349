#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a file so that readers see the old content or the whole new content, never a part:
/// a private temporary file (mode 0600, created exclusively next to the target), written and
/// fsynced, then renamed over the target and the folder fsynced. Exports hold health data,
/// hence 0600 from the first byte.
enum AtomicFileWriter {
    static func store(_ text: String, at path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ operation: String) -> CLIError {
            CLIError("cannot write export (\(path)): \(operation) failed: \(String(cString: strerror(errno))). Choose a writable path with -o, or leave -o out to print to standard output")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("creating a file in \(folder)") }
        var done = false
        defer {
            if !done { _ = unlink(temp) }
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = failure("writing")
                close(fd)
                throw e
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let e = failure("syncing")
            close(fd)
            throw e
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw failure("renaming into place") }
        done = true
        // The rename is durable only once the folder is synced; failing that is not worth
        // failing an export that is already complete in place.
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }
}
