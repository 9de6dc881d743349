import StippleHardware
import StippleModel

/// The host's end of an in-memory pipe to a `SimulatedMachine`, behind the same `DeviceLink`
/// seam as the USB backend, for virtual-time runs: `send` hands the host's bytes to the machine,
/// `pump(now:)` lets the machine run up to `now` and collects what it transmits into a
/// preallocated ring, and `receive(into:)` returns those bytes.
///
/// `faults` breaks the pipe on purpose (drops, corruption, stalls, a pulled cable), from a
/// seeded generator so a run repeats. Not thread-safe: the control thread owns it.
public final class SimulatedDeviceLink: DeviceLink {
    public let machine: SimulatedMachine
    public var faults = LinkFaults()
    /// The pipe's clock: the last `pump` time (bytes sent are stamped with it).
    public private(set) var now: UInt64 = 0
    public private(set) var statistics = Statistics()

    /// What the pipe did to the bytes.
    public struct Statistics: Sendable, Hashable {
        public var chunksToMachine = 0
        public var chunksToHost = 0
        public var droppedToMachine = 0
        public var droppedToHost = 0
        public var corruptedToMachine = 0
        public var corruptedToHost = 0
        /// Bytes lost because a buffer was full (the host did not read for a long while).
        public var overflowBytes = 0
        public init() {}
    }

    private let toHost: ByteRing
    private let heldForMachine: ByteRing
    private let scratch: UnsafeMutableRawBufferPointer
    private var rng: SplitMix64

    /// - Parameter bufferBytes: room for the machine's output between two host reads (64 KiB is
    ///   over a second of 500 Hz telemetry) and for the host's output held during a stall.
    public init(machine: SimulatedMachine, seed: UInt64 = 0x5EED_1E55, bufferBytes: Int = 65_536) {
        self.machine = machine
        rng = SplitMix64(seed: seed)
        toHost = ByteRing(capacity: bufferBytes)
        heldForMachine = ByteRing(capacity: bufferBytes)
        scratch = .allocate(byteCount: 4096, alignment: 8)
    }

    deinit { scratch.deallocate() }

    private var stalled: Bool { faults.stalledUntil.map { now < $0 } ?? false }

    // MARK: DeviceLink

    public func send(_ bytes: UnsafeRawBufferPointer) throws(LinkError) {
        guard !faults.unplugged else { throw .disconnected }
        guard !bytes.isEmpty else { return }
        statistics.chunksToMachine += 1
        if rng.chance(faults.dropRate) {
            statistics.droppedToMachine += 1
            return
        }
        var chunk = bytes
        if rng.chance(faults.corruptRate), bytes.count <= scratch.count {
            statistics.corruptedToMachine += 1
            chunk = corrupted(bytes)
        }
        if stalled {
            if !heldForMachine.write(chunk) { statistics.overflowBytes += chunk.count }
        } else {
            flushHeld()
            machine.receiveFromHost(chunk, now: now)
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(LinkError) -> Int {
        guard !faults.unplugged else { throw .disconnected }
        guard !stalled else { return 0 }
        return toHost.read(into: buffer)
    }

    // MARK: Time

    /// Moves the pipe to `now`: bytes held by a stall that has ended reach the machine, then the
    /// machine runs up to `now` and its transmissions enter the pipe (subject to `faults`).
    public func pump(now: UInt64) {
        self.now = max(self.now, now)
        if !stalled { flushHeld() }
        machine.advance(to: self.now) { frame in
            statistics.chunksToHost += 1
            if faults.unplugged { return }
            if rng.chance(faults.dropRate) {
                statistics.droppedToHost += 1
                return
            }
            var chunk = frame
            if rng.chance(faults.corruptRate), frame.count <= scratch.count {
                statistics.corruptedToHost += 1
                chunk = corrupted(frame)
            }
            if !toHost.write(chunk) { statistics.overflowBytes += chunk.count }
        }
    }

    /// Bytes waiting for the host to `receive`.
    public var pendingToHost: Int { toHost.count }

    private func flushHeld() {
        guard heldForMachine.count > 0 else { return }
        let t = now
        heldForMachine.drain { machine.receiveFromHost($0, now: t) }
    }

    /// A copy of `bytes` in the scratch buffer with one byte flipped by a non-zero mask.
    private func corrupted(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        scratch.copyMemory(from: bytes)
        let i = Int(rng.next() % UInt64(bytes.count))
        scratch[i] ^= UInt8(1 + rng.next() % 255)
        return UnsafeRawBufferPointer(rebasing: scratch[0..<bytes.count])
    }
}
