/// Tuning of the reliable link (Firmware-Protocol/README.md section 3). Times in nanoseconds of
/// the caller's monotonic clock.
public struct LinkConfiguration: Sendable, Hashable {
    /// Data frames in flight at most (1-32).
    public var window: Int = 8
    public var initialRTO: UInt64 = 20_000_000
    public var minimumRTO: UInt64 = 5_000_000
    /// Well under `linkTimeout`, so a lost frame is retried several times before the link is
    /// declared down.
    public var maximumRTO: UInt64 = 40_000_000
    /// Frames outstanding and nothing valid from the peer for this long: the link is down.
    public var linkTimeout: UInt64 = 100_000_000
    /// How long a receiver waits for outgoing data to piggyback an acknowledgement on.
    public var ackDelay: UInt64 = 1_000_000
    /// Messages waiting for a window slot; `send` refuses more (back-pressure, never a silent drop).
    public var sendQueueCapacity: Int = 64

    public init() {}
}

/// Which end of the link this is: the device resets its sequencing on `identify`.
public enum LinkRole: Sendable, Hashable {
    case host
    case device
}

/// Counters a technician (and the tests) read to judge a link.
public struct LinkStatistics: Sendable, Hashable {
    public var dataFramesSent = 0
    public var retransmissions = 0
    public var controlFramesSent = 0
    public var framesReceived = 0
    public var messagesDelivered = 0
    public var duplicatesDropped = 0
    public var outOfOrderDropped = 0
    public var naksSent = 0
    public var naksReceived = 0
    public var timeouts = 0
    public var crcErrors = 0
    public var lengthErrors = 0
    public var unknownMessages = 0
    public var sequenceErrors = 0
    public var garbageRuns = 0
    /// CRC-valid data frames whose payload did not match the table (dropped, but acknowledged).
    public var messageErrors = 0
    /// Smoothed round-trip time, 0 until the first sample.
    public var smoothedRTT: UInt64 = 0
    public var retransmissionTimeout: UInt64 = 0

    public init() {}
}

/// Why `send` refused a message.
public enum LinkSendError: Error, Sendable, Hashable, CustomStringConvertible {
    case queueFull
    case linkDown
    case encoding(MessageError)

    public var description: String {
        switch self {
        case .queueFull: "link send queue is full"
        case .linkDown: "link is down"
        case .encoding(let e): "cannot encode message: \(e)"
        }
    }
}
