import Synchronization

/// The bytes that IN transfers brought, between libusb's event thread (the one producer) and
/// the caller of `receive(into:)` (the one consumer): lock-free, allocated once, so neither side
/// ever waits for the other or allocates per frame.
///
/// `head` and `tail` count bytes read and written since creation (they never wrap in practice:
/// 2^63 bytes). The producer publishes bytes with a releasing store of `tail`; the consumer sees
/// them by an acquiring load of `tail` and hands the space back with a releasing store of `head`.
/// A transfer's bytes go in whole or not at all: a frame is never half-queued, and a full ring
/// (a consumer that stopped reading) loses whole transfers, which the caller counts.
final class USBReceiveRing: @unchecked Sendable {
    let capacity: Int
    private let mask: Int
    private let storage: UnsafeMutablePointer<UInt8>
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)

    /// `capacity` is rounded up to a power of two (at least 64).
    init(capacity: Int) {
        var c = 64
        while c < capacity { c <<= 1 }
        self.capacity = c
        mask = c - 1
        storage = .allocate(capacity: c)
    }

    deinit { storage.deallocate() }

    /// Bytes waiting. Exact for the consumer; a lower bound for the producer.
    var count: Int { tail.load(ordering: .acquiring) &- head.load(ordering: .acquiring) }

    /// Producer only. Appends all of `bytes` or nothing; returns whether they were queued.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return true }
        let t = tail.load(ordering: .relaxed)
        let h = head.load(ordering: .acquiring)
        guard capacity &- (t &- h) >= n else { return false }
        let start = t & mask
        let first = min(n, capacity - start)
        (storage + start).update(from: source.assumingMemoryBound(to: UInt8.self), count: first)
        if n > first {
            storage.update(from: source.assumingMemoryBound(to: UInt8.self) + first, count: n - first)
        }
        tail.store(t &+ n, ordering: .releasing)
        return true
    }

    /// Consumer only. Moves up to `buffer.count` bytes out, oldest first; returns how many.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let destination = buffer.baseAddress else { return 0 }
        let h = head.load(ordering: .relaxed)
        let t = tail.load(ordering: .acquiring)
        let n = min(t &- h, buffer.count)
        guard n > 0 else { return 0 }
        let start = h & mask
        let first = min(n, capacity - start)
        let out = destination.assumingMemoryBound(to: UInt8.self)
        out.update(from: storage + start, count: first)
        if n > first { (out + first).update(from: storage, count: n - first) }
        head.store(h &+ n, ordering: .releasing)
        return n
    }

    /// Empties the ring. Only while no producer runs (no IN transfer in flight).
    func removeAll() {
        head.store(tail.load(ordering: .acquiring), ordering: .releasing)
    }
}
