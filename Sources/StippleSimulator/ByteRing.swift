/// A fixed-capacity FIFO of bytes, allocated once: the simulated pipe's buffers must not allocate
/// per frame, like the USB FIFOs they stand for. Writes that do not fit are refused whole
/// (a frame is never half-queued) and counted by the caller.
final class ByteRing {
    let capacity: Int
    private let storage: UnsafeMutablePointer<UInt8>
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    var free: Int { capacity - count }

    /// Appends all of `bytes`, or nothing if they do not fit; returns whether they were queued.
    @discardableResult
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= free else { return false }
        var tail = (head + count) % capacity
        for b in bytes {
            storage[tail] = b
            tail += 1
            if tail == capacity { tail = 0 }
        }
        count += bytes.count
        return true
    }

    /// Moves up to `buffer.count` bytes out, oldest first; returns how many.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(count, buffer.count)
        for i in 0..<n {
            buffer[i] = storage[head]
            head += 1
            if head == capacity { head = 0 }
        }
        count -= n
        return n
    }

    /// Hands the queued bytes to `body` as at most two contiguous runs, then empties the ring.
    func drain(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard count > 0 else { return }
        let first = min(count, capacity - head)
        body(UnsafeRawBufferPointer(start: storage + head, count: first))
        if count > first {
            body(UnsafeRawBufferPointer(start: storage, count: count - first))
        }
        head = 0
        count = 0
    }

    /// Drops the first `n` queued bytes (after a partial socket write, say).
    func discard(_ n: Int) {
        let k = min(n, count)
        head = (head + k) % capacity
        count -= k
    }

    /// The oldest contiguous run of queued bytes, without removing it.
    func peekContiguous() -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + head, count: min(count, capacity - head))
    }

    func removeAll() {
        head = 0
        count = 0
    }
}
