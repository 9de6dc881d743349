import Synchronization

/// What the USB link has done since it was created (all connections together).
public struct USBLinkStatistics: Sendable, Hashable {
    public var bytesIn = 0
    public var bytesOut = 0
    public var inTransfersCompleted = 0
    public var outTransfersSubmitted = 0
    /// OUT transfers sent with LIBUSB_TRANSFER_ADD_ZERO_PACKET (length a multiple of wMaxPacketSize).
    public var zeroLengthPackets = 0
    public var outTimeouts = 0
    /// `send` calls refused because every OUT transfer was still in flight.
    public var outPoolExhausted = 0
    /// IN bytes lost because `receive` had not drained the ring.
    public var inBytesDropped = 0
    public var stalls = 0
    public var transferErrors = 0
    /// Unplugs noticed (by transfer status or hotplug event).
    public var disconnects = 0
    /// Of those, how many a hotplug event reported first.
    public var hotplugRemovals = 0
    public var reconnects = 0
    public init() {}
}

/// The counters behind `USBLinkStatistics`, written from the event thread and the caller's,
/// allocated once so counting never allocates.
final class USBLinkCounters: @unchecked Sendable {
    // @unchecked: the storage is a fixed block of atomics.
    enum Counter: Int, CaseIterable {
        case bytesIn, bytesOut, inTransfersCompleted, outTransfersSubmitted, zeroLengthPackets, outTimeouts,
             outPoolExhausted, inBytesDropped, stalls, transferErrors, disconnects, hotplugRemovals, reconnects
    }

    private let storage: UnsafeMutablePointer<Atomic<Int>>

    init() {
        storage = .allocate(capacity: Counter.allCases.count)
        for i in 0..<Counter.allCases.count { (storage + i).initialize(to: Atomic(0)) }
    }

    deinit {
        storage.deinitialize(count: Counter.allCases.count)
        storage.deallocate()
    }

    func add(_ counter: Counter, _ n: Int = 1) {
        storage[counter.rawValue].add(n, ordering: .relaxed)
    }

    func value(_ counter: Counter) -> Int {
        storage[counter.rawValue].load(ordering: .relaxed)
    }

    var snapshot: USBLinkStatistics {
        var s = USBLinkStatistics()
        s.bytesIn = value(.bytesIn)
        s.bytesOut = value(.bytesOut)
        s.inTransfersCompleted = value(.inTransfersCompleted)
        s.outTransfersSubmitted = value(.outTransfersSubmitted)
        s.zeroLengthPackets = value(.zeroLengthPackets)
        s.outTimeouts = value(.outTimeouts)
        s.outPoolExhausted = value(.outPoolExhausted)
        s.inBytesDropped = value(.inBytesDropped)
        s.stalls = value(.stalls)
        s.transferErrors = value(.transferErrors)
        s.disconnects = value(.disconnects)
        s.hotplugRemovals = value(.hotplugRemovals)
        s.reconnects = value(.reconnects)
        return s
    }
}
