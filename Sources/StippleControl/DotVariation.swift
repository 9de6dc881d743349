import StippleModel

/// The per-dot depth sequence: target ± amplitude, uniformly, from a seeded generator so a
/// session's depths can be replayed exactly from the profile's seed.
struct DotVariation: Sendable {
    private var generator: SplitMix64

    init(seed: UInt32) { generator = SplitMix64(seed: 0x5EED_0000_0000_0000 | UInt64(seed)) }

    mutating func next() -> UInt64 { generator.next() }

    /// A depth in [target - amplitude, target + amplitude] micrometres.
    mutating func depth(targetMicrometres: Int, amplitudeMicrometres: Int) -> Int {
        guard amplitudeMicrometres > 0 else { return targetMicrometres }
        let span = UInt64(2 * amplitudeMicrometres + 1)
        return targetMicrometres - amplitudeMicrometres + Int(next() % span)
    }
}
