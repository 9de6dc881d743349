import Synchronization

/// The ring that carries the control loop's records to the journal thread, with the drop policy
/// DESIGN.md asks for: a full ring drops telemetry, never pass boundaries or faults.
///
/// The last `reserve` free slots are kept for critical records: a droppable (telemetry) record
/// is refused when taking a slot would leave fewer than `reserve` free, so telemetry fills at
/// most `capacity - reserve` slots and a burst of boundaries and faults still finds room while
/// the journal is slow. A critical record is refused only when the ring is completely full,
/// which in practice means the consumer has stopped; `droppedCritical` says so.
///
/// Single producer (the loop), single consumer (the journal), like the `SPSCRing` inside it.
public final class RecordRing<Element>: @unchecked Sendable {
    public let ring: SPSCRing<Element>
    /// Slots telemetry may not take.
    public let reserve: Int
    @usableFromInline let telemetryDrops = Atomic<UInt64>(0)
    @usableFromInline let criticalDrops = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - capacity: a power of two; size it for the longest journal stall you want to ride out
    ///     (4096 slots at one record per 1 ms cycle is 4 s).
    ///   - reserve: slots kept for critical records, 1 ..< capacity.
    public init(capacity: Int, reserve: Int) throws(RealTimeError) {
        guard reserve >= 1, reserve < capacity else {
            throw .invalidConfiguration(
                field: "reserve", value: "\(reserve)",
                reason: "the reserve for critical records must be at least 1 and below the capacity (\(capacity))")
        }
        ring = try SPSCRing(capacity: capacity)
        self.reserve = reserve
    }

    public var capacity: Int { ring.capacity }

    /// Producer only. Pushes `element`, applying the reserve when it is `droppable`; counts it
    /// as dropped when refused. Never blocks or allocates.
    @inlinable
    @discardableResult
    public func tryPush(_ element: Element, droppable: Bool) -> Bool {
        if ring.tryPush(element, leavingFree: droppable ? reserve : 0) { return true }
        if droppable {
            telemetryDrops.wrappingAdd(1, ordering: .relaxed)
        } else {
            criticalDrops.wrappingAdd(1, ordering: .relaxed)
        }
        return false
    }

    /// Producer only. A telemetry record: refused when the free slots are down to the reserve.
    @inlinable
    @discardableResult
    public func tryPushTelemetry(_ element: Element) -> Bool { tryPush(element, droppable: true) }

    /// Producer only. A pass boundary, fault or e-stop: may use the reserve.
    @inlinable
    @discardableResult
    public func tryPushCritical(_ element: Element) -> Bool { tryPush(element, droppable: false) }

    /// Consumer only. The oldest record, or nil.
    @inlinable
    public func pop() -> Element? { ring.pop() }

    /// Consumer only. Pops every waiting record into `elements`; returns how many.
    @inlinable
    @discardableResult
    public func drain(into elements: inout [Element]) -> Int { ring.drain(into: &elements) }

    /// Records waiting for the consumer.
    public var count: Int { ring.count }

    /// Telemetry records refused since creation.
    public var droppedTelemetry: UInt64 { telemetryDrops.load(ordering: .relaxed) }

    /// Critical records refused since creation: 0 unless the consumer stopped draining.
    public var droppedCritical: UInt64 { criticalDrops.load(ordering: .relaxed) }
}

extension RecordRing where Element: DroppableRecord {
    /// Producer only. Pushes `element` by its own `isDroppable`.
    @inlinable
    @discardableResult
    public func tryPush(_ element: Element) -> Bool { tryPush(element, droppable: element.isDroppable) }
}
