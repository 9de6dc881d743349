import Glibc

/// Runs a program to its end and returns its exit status, standard output and standard error,
/// through posix_spawn. Foundation's `Process` is no use where `edges` must also run: in the rig's
/// guest it printed "Could not create wakeup socket pair for CFSocket" and never returned.
/// Standard error goes through a temporary file, so a child filling one pipe while this reads the
/// other cannot deadlock.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ path: String, _ arguments: [String]) -> Result<Outcome, ChildProcessError> {
        var errTemplate = Array("/tmp/stipple-bench-stderr-XXXXXX".utf8CString)
        let errFD = errTemplate.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard errFD >= 0 else { return .failure(ChildProcessError(what: "mkstemp", errno: errno)) }
        let errPath = errTemplate.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(errPath)
        defer { close(errFD) }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { return .failure(ChildProcessError(what: "pipe", errno: errno)) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(pipeFDs[1])
        guard rc == 0 else {
            close(pipeFDs[0])
            return .failure(ChildProcessError(what: "posix_spawn \(path)", errno: rc))
        }
        let out = readAll(pipeFDs[0])
        close(pipeFDs[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lseek(errFD, 0, SEEK_SET)
        let err = readAll(errFD)
        // WIFEXITED / WEXITSTATUS, which are macros Swift does not see.
        let exited = status & 0x7f == 0
        return .success(Outcome(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                                standardOutput: out, standardError: err))
    }

    private static func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes += buffer[0..<n]
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    var what: String
    var errno: Int32
    var description: String { "\(what): \(String(cString: strerror(errno)))" }
}
