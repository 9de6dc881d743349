/// A stretch within a pass when the needle stopped without the pass ending (a pause), with why.
public struct PassInterruption: Sendable, Hashable {
    public var ordinal: Int
    /// From the pass's start.
    public var atOffsetNanoseconds: UInt64
    /// nil when the pass ended without resuming.
    public var resumedOffsetNanoseconds: UInt64?
    public var reason: String

    public init(ordinal: Int, atOffsetNanoseconds: UInt64, resumedOffsetNanoseconds: UInt64?, reason: String) {
        self.ordinal = ordinal
        self.atOffsetNanoseconds = atOffsetNanoseconds
        self.resumedOffsetNanoseconds = resumedOffsetNanoseconds
        self.reason = reason
    }
}
