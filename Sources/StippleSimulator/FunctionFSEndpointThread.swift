#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A pthread for one blocking endpoint, which SIGUSR2 (with a handler installed without
/// SA_RESTART) knocks out of read()/write() with EINTR when the gadget stops.
final class FunctionFSEndpointThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let done = Atomic<Bool>(false)
    private let body: @Sendable () -> Void
    private var joined = false

    private init(body: @escaping @Sendable () -> Void) { self.body = body }

    static let interruptSignal = SIGUSR2

    /// A no-op handler: its only effect is to make a blocked system call return EINTR.
    static func installInterruptHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(interruptSignal, &action, nil)
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> FunctionFSEndpointThread? {
        let t = FunctionFSEndpointThread(body: body)
        let retained = Unmanaged.passRetained(t).toOpaque()
        let rc = pthread_create(&t.thread, nil, { raw in
            let me = Unmanaged<FunctionFSEndpointThread>.fromOpaque(raw!).takeRetainedValue()
            // A thread inherits its creator's signal mask, and a Dispatch or Swift concurrency
            // thread blocks every signal: let this one through, or nothing can interrupt us.
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, FunctionFSEndpointThread.interruptSignal)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            me.body()
            me.done.store(true, ordering: .releasing)
            return nil
        }, retained)
        guard rc == 0 else {
            Unmanaged<FunctionFSEndpointThread>.fromOpaque(retained).release()
            errno = rc
            return nil
        }
        return t
    }

    var finished: Bool { done.load(ordering: .acquiring) }

    func interrupt() { pthread_kill(thread, Self.interruptSignal) }

    func join() {
        guard !joined else { return }
        pthread_join(thread, nil)
        joined = true
    }
}
