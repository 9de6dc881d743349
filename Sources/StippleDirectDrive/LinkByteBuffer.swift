/// Bytes between the host session and the firmware, in a ring allocated once: what the host sent
/// waits here for the next `service`, what the firmware transmits waits for the host's `receive`.
/// When full, the newest bytes are dropped and counted; the reliable link's retransmission brings
/// the frames back (back-pressure, never a wait).
final class LinkByteBuffer {
    let capacity: Int
    private let storage: UnsafeMutableRawBufferPointer
    private var head = 0
    private(set) var count = 0
    private(set) var droppedBytes = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    func append(_ bytes: UnsafeRawBufferPointer) {
        let n = min(bytes.count, capacity - count)
        droppedBytes += bytes.count - n
        var tail = (head + count) % capacity
        for i in 0..<n {
            storage[tail] = bytes[i]
            tail += 1
            if tail == capacity { tail = 0 }
        }
        count += n
    }

    /// Moves up to `buffer.count` bytes out; returns how many.
    func take(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, count)
        for i in 0..<n {
            buffer[i] = storage[head]
            head += 1
            if head == capacity { head = 0 }
        }
        count -= n
        return n
    }

    /// Hands the held bytes to `body` in at most two contiguous runs, then empties the buffer.
    func drain(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard count > 0 else { return }
        let first = min(count, capacity - head)
        body(UnsafeRawBufferPointer(rebasing: storage[head..<(head + first)]))
        if first < count { body(UnsafeRawBufferPointer(rebasing: storage[0..<(count - first)])) }
        head = 0
        count = 0
    }
}
