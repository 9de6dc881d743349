/// A fixed ring of message payloads (at most one frame's payload each), allocated once, that the
/// firmware's link fills and drains without allocating.
final class PayloadQueue {
    let capacity: Int
    let slotSize: Int
    private let storage: UnsafeMutablePointer<UInt8>
    private let lengths: UnsafeMutablePointer<Int>
    private var head = 0
    private(set) var count = 0

    init(capacity: Int, slotSize: Int) {
        self.capacity = capacity
        self.slotSize = slotSize
        storage = .allocate(capacity: capacity * slotSize)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
    }

    var isFull: Bool { count == capacity }

    /// `pack` writes a payload into the slot it is given and returns its length (0: failed).
    func push(_ pack: (UnsafeMutablePointer<UInt8>, Int) -> Int) -> Bool {
        guard count < capacity else { return false }
        let slot = (head + count) % capacity
        let n = pack(storage + slot * slotSize, slotSize)
        guard n > 0, n <= slotSize else { return false }
        lengths[slot] = n
        count += 1
        return true
    }

    /// Copies the oldest payload to `destination` and removes it; returns its length.
    func pop(into destination: UnsafeMutablePointer<UInt8>) -> Int {
        guard count > 0 else { return 0 }
        let n = lengths[head]
        destination.update(from: storage + head * slotSize, count: n)
        dropOldest()
        return n
    }

    func dropOldest() {
        guard count > 0 else { return }
        head = (head + 1) % capacity
        count -= 1
    }

    func removeAll() {
        head = 0
        count = 0
    }
}
