import Synchronization

/// A lock-free ring for exactly one producer thread and one consumer thread.
///
/// It exists so the real-time loop can hand records to a slower thread (the journal) without
/// locking, allocating or waiting: `tryPush` is wait-free and, when the ring is full, says so
/// instead of blocking. Storage is allocated once at `init`; the capacity is a power of two so
/// a slot index is a mask, not a division.
///
/// The indices count pushes and pops since creation and never wrap in practice (2^63 pushes at
/// 1 MHz is 290,000 years). The producer publishes a slot with a releasing store of `tail`; the
/// consumer sees the element by an acquiring load of `tail`, and hands the slot back with a
/// releasing store of `head`. Using it from two producers (or two consumers) at once is a race
/// this type does not detect.
///
/// The hot paths are `@inlinable` so a client's concrete element type is specialised: generic
/// calls through value witnesses would be slower, though still allocation-free.
public final class SPSCRing<Element>: @unchecked Sendable {
    /// Slots in the ring; a power of two.
    public let capacity: Int
    @usableFromInline let mask: Int
    @usableFromInline let storage: UnsafeMutablePointer<Element>
    /// `head` (next pop) and `tail` (next push), each on its own cache line so the producer's
    /// stores do not keep invalidating the line the consumer reads, and the other way round.
    @usableFromInline let indices: UnsafeMutablePointer<PaddedIndex>

    /// - Throws: `RealTimeError.invalidConfiguration` unless `capacity` is a power of two >= 2.
    public init(capacity: Int) throws(RealTimeError) {
        guard capacity >= 2, capacity & (capacity - 1) == 0 else {
            throw .invalidConfiguration(
                field: "capacity", value: "\(capacity)",
                reason: "a ring's capacity must be a power of two of at least 2 (e.g. 1024, 4096)")
        }
        self.capacity = capacity
        mask = capacity - 1
        storage = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        indices = UnsafeMutablePointer<PaddedIndex>.allocate(capacity: 2)
        (indices + 0).initialize(to: PaddedIndex())
        (indices + 1).initialize(to: PaddedIndex())
    }

    deinit {
        var h = indices[0].value.load(ordering: .relaxed)
        let t = indices[1].value.load(ordering: .relaxed)
        while h != t {
            (storage + (h & mask)).deinitialize(count: 1)
            h &+= 1
        }
        storage.deallocate()
        indices.deinitialize(count: 2)
        indices.deallocate()
    }

    @inlinable var head: Int { indices[0].value.load(ordering: .acquiring) }
    @inlinable var tail: Int { indices[1].value.load(ordering: .acquiring) }

    /// Producer only. Appends `element` unless the ring is full; never blocks or allocates.
    @inlinable
    public func tryPush(_ element: Element) -> Bool {
        tryPush(element, leavingFree: 0)
    }

    /// Producer only. Appends `element` only if at least `leavingFree` slots stay free after it.
    /// The check and the push cannot be split by another push, as there is one producer; the
    /// consumer can only free slots in between, which makes the check conservative, never wrong.
    @inlinable
    public func tryPush(_ element: Element, leavingFree: Int) -> Bool {
        let t = indices[1].value.load(ordering: .relaxed)
        let h = indices[0].value.load(ordering: .acquiring)
        guard capacity &- (t &- h) > leavingFree else { return false }
        (storage + (t & mask)).initialize(to: element)
        indices[1].value.store(t &+ 1, ordering: .releasing)
        return true
    }

    /// Consumer only. The oldest element, or nil when the ring is empty; never blocks.
    @inlinable
    public func pop() -> Element? {
        let h = indices[0].value.load(ordering: .relaxed)
        let t = indices[1].value.load(ordering: .acquiring)
        guard h != t else { return nil }
        let element = (storage + (h & mask)).move()
        indices[0].value.store(h &+ 1, ordering: .releasing)
        return element
    }

    /// Consumer only. Pops everything present now, oldest first, appending to `elements`;
    /// returns how many. Appending allocates only if `elements` lacks reserved capacity.
    @inlinable
    @discardableResult
    public func drain(into elements: inout [Element]) -> Int {
        var n = 0
        while let e = pop() {
            elements.append(e)
            n += 1
        }
        return n
    }

    /// Elements waiting. Exact from the producer's or the consumer's thread when the other side
    /// is idle; from elsewhere, or while both run, a value that was true a moment ago.
    @inlinable
    public var count: Int {
        let h = head
        let t = tail
        return max(0, min(capacity, t &- h))
    }

    /// Slots free for the producer (the same caveat as `count`).
    @inlinable
    public var freeSlots: Int { capacity - count }

    public var isEmpty: Bool { count == 0 }
}
