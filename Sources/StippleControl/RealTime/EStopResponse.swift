import StippleHardware

/// How fast the watcher acted on one e-stop edge: from the edge's timestamp (the kernel's, for
/// libgpiod) to the moment the motor-enable write returned. The figure a safety review asks for.
public struct EStopResponse: Sendable, Hashable {
    public var edgeAt: MonotonicInstant
    public var enableWrittenAt: MonotonicInstant

    public init(edgeAt: MonotonicInstant, enableWrittenAt: MonotonicInstant) {
        self.edgeAt = edgeAt
        self.enableWrittenAt = enableWrittenAt
    }

    /// 0 if the clocks disagree so that the write seems to precede the edge.
    public var latencyNanoseconds: UInt64 {
        enableWrittenAt.nanoseconds > edgeAt.nanoseconds ? enableWrittenAt.nanoseconds - edgeAt.nanoseconds : 0
    }
}
