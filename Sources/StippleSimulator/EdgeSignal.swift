#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes threads blocked in `SimulatedGPIOChip.waitForEdges` the moment an edge is recorded.
/// `Synchronization.Mutex` has no condition variable, so this pairs a pthread mutex and a
/// condition variable on CLOCK_MONOTONIC (a wall-clock step cannot stretch a wait). It carries
/// only wake-ups: the lines themselves stay under the chip's `Mutex`.
final class EdgeSignal: @unchecked Sendable {
    // @unchecked: the pthread objects are used only through pthread calls, which synchronise.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Wakes every waiter. Taking the mutex orders this after a waiter's check of `ready`, so a
    /// wake-up cannot fall between that check and the wait.
    func broadcast() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Returns as soon as `ready()` is true (checked under the signal's mutex, before each wait
    /// and after each wake-up), or when `timeoutNanoseconds` have passed on CLOCK_MONOTONIC.
    func wait(timeoutNanoseconds: UInt64, until ready: () -> Bool) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let capped = min(timeoutNanoseconds, 365 * 24 * 3600 * 1_000_000_000)
        let total = UInt64(now.tv_nsec) + capped % 1_000_000_000
        var deadline = timespec()
        deadline.tv_sec = now.tv_sec + Int(capped / 1_000_000_000) + Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if ready() { return true }
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { return ready() }
        }
    }
}
