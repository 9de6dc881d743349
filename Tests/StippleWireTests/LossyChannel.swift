import StippleModel
import StippleWire

/// One direction of an in-memory link that drops, corrupts, duplicates and delays (reorders)
/// frames at configured rates, in virtual time.
struct LossyChannel {
    var dropRate = 0.0, corruptRate = 0.0, duplicateRate = 0.0, delayRate = 0.0
    var baseDelay: UInt64 = 200_000
    var extraDelay: UInt64 = 3_000_000
    /// When true, everything is lost (a pulled cable).
    var cut = false
    var rng: SplitMix64
    private(set) var inTransit: [(at: UInt64, bytes: [UInt8])] = []
    private(set) var dropped = 0, corrupted = 0, duplicated = 0, delayed = 0

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func send(_ frame: UnsafeRawBufferPointer, now: UInt64) {
        if cut { return }
        if chance(dropRate) { dropped += 1; return }
        var bytes = Array(frame)
        if chance(corruptRate) {
            corrupted += 1
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[i] ^= UInt8.random(in: 1...255, using: &rng)
        }
        let copies = chance(duplicateRate) ? 2 : 1
        if copies == 2 { duplicated += 1 }
        for _ in 0..<copies {
            var at = now + baseDelay
            if chance(delayRate) {
                delayed += 1
                at += UInt64.random(in: 0...extraDelay, using: &rng)
            }
            inTransit.append((at, bytes))
        }
    }

    /// Bytes due by `now`, in arrival order.
    mutating func arrivals(now: UInt64) -> [[UInt8]] {
        guard !inTransit.isEmpty else { return [] }
        let due = inTransit.enumerated().filter { $0.element.at <= now }.sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
        if due.isEmpty { return [] }
        inTransit.removeAll { $0.at <= now }
        return due.map(\.element.bytes)
    }
}
