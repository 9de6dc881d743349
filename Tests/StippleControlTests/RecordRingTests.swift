import Testing
import StippleControl

/// The drop policy DESIGN.md asks of the loop-to-journal ring: a full ring drops telemetry,
/// never pass boundaries or faults, and counts what it drops.
@Suite("Record ring reserve policy")
struct RecordRingTests {
    struct Record: DroppableRecord, Equatable {
        var id: Int
        var isDroppable: Bool
    }

    @Test func telemetryIsRefusedOnceOnlyTheReserveIsFreeAndCriticalRecordsUseIt() throws {
        let ring = try RecordRing<Int>(capacity: 16, reserve: 4)
        var accepted = 0
        for i in 0..<20 {
            if ring.tryPushTelemetry(i) { accepted += 1 }
        }
        #expect(accepted == 12, "telemetry may fill capacity - reserve slots")
        #expect(ring.droppedTelemetry == 8)
        #expect(ring.droppedCritical == 0)

        for i in 100..<104 { #expect(ring.tryPushCritical(i), "critical record \(i) must fit in the reserve") }
        #expect(ring.count == 16)
        #expect(ring.droppedCritical == 0)

        #expect(!ring.tryPushCritical(999), "a completely full ring refuses even critical records")
        #expect(ring.droppedCritical == 1)
        #expect(!ring.tryPushTelemetry(998))
        #expect(ring.droppedTelemetry == 9)

        var out: [Int] = []
        out.reserveCapacity(16)
        ring.drain(into: &out)
        #expect(out == Array(0..<12) + Array(100..<104), "order is kept across kinds")
    }

    @Test func freeingSlotsLetsTelemetryBackInOnlyAboveTheReserve() throws {
        let ring = try RecordRing<Int>(capacity: 8, reserve: 2)
        for i in 0..<8 { ring.tryPushCritical(i) }
        _ = ring.pop()
        _ = ring.pop()
        #expect(!ring.tryPushTelemetry(50), "2 free slots are the reserve: telemetry stays out")
        _ = ring.pop()
        #expect(ring.tryPushTelemetry(51), "3 free slots: telemetry may take one")
        #expect(ring.droppedTelemetry == 1)
    }

    @Test func aDroppableRecordChoosesItsOwnPolicy() throws {
        let ring = try RecordRing<Record>(capacity: 4, reserve: 2)
        #expect(ring.tryPush(Record(id: 1, isDroppable: true)))
        #expect(ring.tryPush(Record(id: 2, isDroppable: true)))
        #expect(!ring.tryPush(Record(id: 3, isDroppable: true)))
        #expect(ring.tryPush(Record(id: 4, isDroppable: false)))
        #expect(ring.tryPush(Record(id: 5, isDroppable: false)))
        #expect(ring.droppedTelemetry == 1)
        #expect(ring.droppedCritical == 0)
        #expect([ring.pop()?.id, ring.pop()?.id, ring.pop()?.id, ring.pop()?.id] == [1, 2, 4, 5])
    }

    @Test func refusesAReserveThatLeavesNoRoomOrNoReserve() {
        #expect(throws: RealTimeError.self) { _ = try RecordRing<Int>(capacity: 8, reserve: 0) }
        #expect(throws: RealTimeError.self) { _ = try RecordRing<Int>(capacity: 8, reserve: 8) }
        #expect(throws: RealTimeError.self) { _ = try RecordRing<Int>(capacity: 12, reserve: 2) }
    }
}
