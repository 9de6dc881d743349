/// The per-dot depth sequence: target ± amplitude, uniformly, from a seeded generator so a
/// session's depths can be replayed exactly from the profile's seed.
struct DotVariation: Sendable {
    private var state: UInt64

    init(seed: UInt32) { state = 0x5EED_0000_0000_0000 | UInt64(seed) }

    /// SplitMix64: tiny, fast, and identical on every platform.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A depth in [target - amplitude, target + amplitude] micrometres.
    mutating func depth(targetMicrometres: Int, amplitudeMicrometres: Int) -> Int {
        guard amplitudeMicrometres > 0 else { return targetMicrometres }
        let span = UInt64(2 * amplitudeMicrometres + 1)
        return targetMicrometres - amplitudeMicrometres + Int(next() % span)
    }
}
