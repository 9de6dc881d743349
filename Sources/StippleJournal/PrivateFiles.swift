#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Client data is health data: folders the journal creates are 0700 and its files 0600, made so
/// at creation (never created wider and narrowed later, which would leave a window).
enum PrivateFiles {
    /// The folder that holds `path`.
    static func folder(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path
    }

    /// Creates `folder` and any missing parents with mode 0700. Folders that already exist are
    /// left as they are: narrowing someone's existing folder (say /tmp) is not ours to do.
    static func ensureFolder(_ folder: String) throws(JournalError) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw .file(path: folder, operation: "use folder", reason: "it exists and is not a folder")
            }
            return
        }
        let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        if parent != folder, !parent.isEmpty { try ensureFolder(parent) }
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw .file(path: folder, operation: "create folder", reason: String(cString: strerror(errno)))
        }
        // The umask can only narrow 0700; chmod makes the mode exact whatever the umask.
        _ = chmod(folder, 0o700)
    }

    /// Creates `path` empty with mode 0600 if it does not exist yet.
    static func ensureFile(_ path: String) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .file(path: path, operation: "create file", reason: String(cString: strerror(errno)))
        }
        close(fd)
    }

    /// Writes `bytes` to a new file with mode 0600; fails if the file exists (so two processes
    /// racing to create the same key never overwrite each other's). The file appears complete or
    /// not at all: the bytes go to a temporary file first, are synced, and are then hard-linked
    /// into place (link(2) fails if the name exists). A process killed half-way leaves at most a
    /// temporary file, never an empty or short key that would lock every later open out.
    static func createExclusive(_ path: String, bytes: [UInt8]) throws(JournalError) {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .file(path: temporary, operation: "create file", reason: String(cString: strerror(errno)))
        }
        defer { unlink(temporary) }
        do {
            defer { close(fd) }
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw JournalError.file(path: temporary, operation: "write file", reason: String(cString: strerror(errno)))
                }
                written += n
            }
            guard fsync(fd) == 0 else {
                throw JournalError.file(path: temporary, operation: "sync file", reason: String(cString: strerror(errno)))
            }
        }
        guard link(temporary, path) == 0 else {
            throw .file(path: path, operation: "create file", reason: String(cString: strerror(errno)))
        }
        // The new name must survive a power cut too.
        let folder = open(Self.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// The permission bits of `path`, or nil if it cannot be read.
    static func mode(of path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o777
    }
}
