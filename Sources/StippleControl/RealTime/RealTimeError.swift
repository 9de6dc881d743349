#if canImport(Glibc)
import Glibc
#endif

/// Why a ring, a real-time loop or an edge watcher could not be set up or started. Conditions
/// that only degrade timing (no SCHED_FIFO, no memory lock) are not errors: they become
/// `warnings`, because a machine that runs a little late is better than one that refuses to run.
public enum RealTimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A configuration value is out of range.
    case invalidConfiguration(field: String, value: String, reason: String)
    /// `start` was called on a loop or watcher that has already been started once.
    case alreadyStarted(what: String)
    /// `pthread_create` failed; carries its error number.
    case threadCreationFailed(what: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let value, let reason):
            "invalid real-time configuration (\(field) = \(value)): \(reason). Change \(field)"
        case .alreadyStarted(let what):
            "cannot start the \(what) (already started): a \(what) runs once. Create a new one"
        case .threadCreationFailed(let what, let code):
            "cannot start the \(what) thread (pthread_create): \(RealTimeError.errnoName(code)). "
                + "Check the process and memory limits (ulimit -u, ulimit -v)"
        }
    }

    /// `EPERM`, `EINVAL`, ... for the codes a real-time setup meets; the number otherwise.
    static func errnoName(_ code: Int32) -> String {
        switch code {
        case EPERM: "EPERM"
        case EINVAL: "EINVAL"
        case ENOMEM: "ENOMEM"
        case EAGAIN: "EAGAIN"
        case ESRCH: "ESRCH"
        case ENOSYS: "ENOSYS"
        case EACCES: "EACCES"
        default: "errno \(code)"
        }
    }
}
