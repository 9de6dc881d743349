import Foundation
import StippleJournal
#if canImport(Glibc)
import Glibc
#endif

/// One driver per machine: `stipple console` and `stipple run` take an exclusive `flock` on
/// `$STIPPLE_HOME/locks/machine-<name>.lock` for as long as they drive it. The holder writes its
/// pid, its command and when it started into the file, so a refusal can name who holds it. The
/// kernel drops the lock when the process dies, so a crash never leaves the machine locked.
final class MachineLock: @unchecked Sendable {
    let path: String
    private var fd: Int32

    /// Takes the lock in `folder` (see `folder(environment:journal:)`) or throws
    /// `error: machine M is already driven by process PID (...)`.
    init(machine: String, command: String, folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create the lock folder (\(folder)): \(error.localizedDescription). Check $STIPPLE_HOME and its permissions")
        }
        path = folder + "/machine-\(machine).lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CLIError("cannot open the machine lock (\(path)): \(String(cString: strerror(errno))). Check the folder's permissions")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let why = errno
            let holder = Self.holder(fd: fd)
            close(fd)
            if why == EWOULDBLOCK {
                throw CLIError("machine \(machine) is already driven by process \(holder.pid) (stipple \(holder.command) since \(holder.since)); stop it first")
            }
            throw CLIError("cannot lock machine \(machine) (\(path)): \(String(cString: strerror(why)))")
        }
        let text = "\(getpid())\n\(command)\n\(UTCTimestamp.now().iso8601)\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        _ = fsync(fd)
    }

    deinit { release() }

    /// Releases the lock (closing the file drops it); harmless twice.
    func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    /// `$STIPPLE_HOME/locks`; without `$STIPPLE_HOME`, `locks/` beside the journal in use (which
    /// is `$STIPPLE_HOME`'s default place), else beside the default journal. Nil when no folder
    /// can be named at all (no journal, no home: only a simulator run without a record).
    static func folder(environment: [String: String], journal: String?) -> String? {
        if let home = environment["STIPPLE_HOME"], !home.isEmpty { return home + "/locks" }
        guard let file = journal ?? (try? JournalLocation.resolve(explicit: nil, environment: environment)) else { return nil }
        return (file as NSString).deletingLastPathComponent + "/locks"
    }

    private static func holder(fd: Int32) -> (pid: String, command: String, since: String) {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, buffer.count, 0)
        let lines = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n").map(String.init) : []
        return (lines.count > 0 ? lines[0] : "unknown", lines.count > 1 ? lines[1] : "unknown", lines.count > 2 ? lines[2] : "an unknown time")
    }
}
