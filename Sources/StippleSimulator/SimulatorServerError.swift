/// Why the simulator's socket server could not start.
public enum SimulatorServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A Unix socket path must fit `sockaddr_un` (107 bytes and a NUL).
    case pathTooLong(path: String, limit: Int)
    /// Another simulator already answers on this path.
    case inUse(path: String)
    /// Something that is not a socket is in the way: it is never deleted to make room.
    case notASocket(path: String)
    /// A system call failed, with its errno.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .pathTooLong(let path, let limit):
            "error: simulator socket path too long (\(path)): a Unix socket path holds at most \(limit) bytes. Use a shorter path, e.g. under /tmp"
        case .inUse(let path):
            "error: simulator socket in use (\(path)): another simulator is serving there. Stop it or choose another path"
        case .notASocket(let path):
            "error: simulator socket path taken (\(path)): a file that is not a socket is there and is left alone. Choose another path"
        case .system(let operation, let path, let errno):
            "error: simulator socket \(operation) failed (\(path)): errno \(errno). Check the folder exists and is writable"
        }
    }
}
