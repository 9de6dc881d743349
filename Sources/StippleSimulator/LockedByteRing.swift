#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `ByteRing` shared by two threads behind a mutex: the FunctionFS gadget's endpoint threads
/// block in read()/write() on the endpoint files, and hand bytes to and from the machine's loop
/// through these. Critical sections are a copy of at most a few KiB; nothing allocates after init.
final class LockedByteRing: @unchecked Sendable {
    // @unchecked: every access to `ring` holds `mutex`.
    private let ring: ByteRing
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(capacity: Int) {
        ring = ByteRing(capacity: capacity)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    var count: Int { locked { ring.count } }

    /// Appends all of `bytes` or nothing; returns whether they were queued.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        locked { ring.write(bytes) }
    }

    /// Moves up to `buffer.count` bytes out, oldest first.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        locked { ring.read(into: buffer) }
    }

    /// Moves out as many bytes as `length(queued)` says (at most `buffer.count`).
    func read(into buffer: UnsafeMutableRawBufferPointer, length: (Int) -> Int) -> Int {
        locked {
            let n = min(length(ring.count), buffer.count)
            return ring.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    func removeAll() { locked { ring.removeAll() } }
}
