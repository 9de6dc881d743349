import Foundation
import Testing
import StippleControl

/// The lock-free ring between the control loop and the journal: order, exact counts, capacity
/// rules, and that elements left in it are released.
@Suite("SPSC ring")
struct SPSCRingTests {
    @Test func refusesACapacityThatIsNotAPowerOfTwo() {
        for bad in [0, 1, 3, 100, 1000, -4] {
            #expect(throws: RealTimeError.self, "capacity \(bad)") { _ = try SPSCRing<Int>(capacity: bad) }
        }
        #expect((try? SPSCRing<Int>(capacity: 1024))?.capacity == 1024)
    }

    @Test func isFirstInFirstOutAndRefusesWhenFullWithoutLosingAnything() throws {
        let ring = try SPSCRing<Int>(capacity: 8)
        for round in 0..<5 {  // several laps, so the indices wrap around the storage
            for i in 0..<8 { #expect(ring.tryPush(round * 100 + i)) }
            #expect(ring.count == 8)
            #expect(!ring.tryPush(-1), "a full ring must refuse, not overwrite")
            for i in 0..<8 { #expect(ring.pop() == round * 100 + i) }
            #expect(ring.pop() == nil)
            #expect(ring.isEmpty)
        }
    }

    @Test func drainAppendsEverythingInOrder() throws {
        let ring = try SPSCRing<Int>(capacity: 16)
        for i in 0..<10 { #expect(ring.tryPush(i)) }
        var out: [Int] = [-1]
        #expect(ring.drain(into: &out) == 10)
        #expect(out == [-1] + Array(0..<10))
        #expect(ring.drain(into: &out) == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func concurrentProducerAndConsumerSeeEveryItemOnceInOrder() throws {
        let total = 1_000_000
        // Small on purpose: the producer hits "full" and the consumer "empty" many times.
        let ring = try SPSCRing<UInt64>(capacity: 1024)
        let producerDone = Completion()
        let fullCount = Counter()
        let producer = Thread {
            var refused = 0
            for i in 0..<UInt64(total) {
                while !ring.tryPush(i) {
                    refused += 1
                    sched_yield()
                }
            }
            fullCount.value = refused
            producerDone.fire()
        }
        producer.start()

        var expected: UInt64 = 0
        var outOfOrder = 0
        while expected < UInt64(total) {
            if let v = ring.pop() {
                if v != expected { outOfOrder += 1 }
                expected = v + 1
            } else {
                sched_yield()
            }
        }
        #expect(producerDone.wait(seconds: 30))
        #expect(outOfOrder == 0)
        #expect(expected == UInt64(total))
        #expect(ring.pop() == nil, "nothing beyond the \(total) items pushed")
        #expect(ring.count == 0)
    }

    @Test func elementsLeftInTheRingAreReleasedWithIt() throws {
        let released = Counter()
        do {
            let ring = try SPSCRing<Tracked>(capacity: 4)
            for _ in 0..<3 { #expect(ring.tryPush(Tracked(released))) }
            _ = ring.pop()
            #expect(released.value == 1)
        }
        #expect(released.value == 3, "the two elements still queued must be released with the ring")
    }
}

/// Counts its own deinit, to prove the ring does not leak what it holds.
private final class Tracked {
    let counter: Counter
    init(_ counter: Counter) { self.counter = counter }
    deinit { counter.value += 1 }
}

/// A value shared with a test thread; accesses are ordered by the test's own waits.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0
    var value: Int {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// A condition a test thread sets and the test waits for with a timeout; never a sleep.
final class Completion: @unchecked Sendable {
    private let condition = NSCondition()
    private var done = false

    func fire() {
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !done {
            if !condition.wait(until: deadline) { break }
        }
        return done
    }
}
