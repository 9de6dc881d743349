#if canImport(Glibc)
import Glibc
#endif

/// A one-shot event another thread can wait for with a timeout, on CLOCK_MONOTONIC so a wall
/// clock step cannot stretch or cut the wait. Used only at thread start and end, never in a
/// cycle: it locks.
final class CompletionSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var fired = false

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func fire() {
        pthread_mutex_lock(mutex)
        fired = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    var hasFired: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return fired
    }

    /// Waits until `fire()` or the timeout; returns whether it fired. `nil` waits for ever.
    @discardableResult
    func wait(timeoutNanoseconds: UInt64? = nil) -> Bool {
        var deadline = timespec()
        if let timeoutNanoseconds {
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let total = UInt64(deadline.tv_nsec) + timeoutNanoseconds % 1_000_000_000
            deadline.tv_sec += Int(timeoutNanoseconds / 1_000_000_000) + Int(total / 1_000_000_000)
            deadline.tv_nsec = Int(total % 1_000_000_000)
        }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !fired {
            if timeoutNanoseconds == nil {
                pthread_cond_wait(condition, mutex)
            } else if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT {
                break
            }
        }
        return fired
    }
}
