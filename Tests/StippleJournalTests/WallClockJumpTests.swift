import Foundation
import StippleControl
@testable import StippleJournal
import StippleSafetyEvidence
import Synchronization
import Testing

/// The wall clock steps (NTP, a technician setting the date) in the middle of a session. Pass
/// times come from the loop's monotonic clock, placed on UTC through the anchor taken once at
/// session start, so a step changes neither a pass's duration nor the record's order, and the
/// chain still verifies.
@Suite struct WallClockJumpTests {
    /// The journal's wall clock, stepped by the test.
    final class SteppedWallClock: Sendable {
        let offset = Mutex<Int64>(0)
        func now() -> UTCTimestamp {
            UTCTimestamp(nanosecondsSinceEpoch: Fixture.day.nanosecondsSinceEpoch + offset.withLock { $0 })
        }
        func step(seconds: Int64) { offset.withLock { $0 += seconds * 1_000_000_000 } }
    }

    @Test(arguments: [-3_600, 3_600] as [Int64])
    func aWallClockStepMidSessionChangesNoPassDurationAndKeepsTheChain(stepSeconds: Int64) throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let wall = SteppedWallClock()
        let w = try JournalWriter.open(at: tmp.journalPath, now: { wall.now() })
        let id = try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 500))
        wall.step(seconds: stepSeconds)
        try w.ingest(Fixture.pass(at: 3_000_000_000, samples: 500))
        var fault = ControlRecord(kind: .fault, at: 3_600_000_000)
        fault.code = FaultCode.motorStall.rawValue
        try w.ingest(fault)
        let seal = try w.endSession(at: 4_000_000_000)
        try w.close()

        let d = try j.session(id: id)
        let durations = d.passes.map(\.durationNanoseconds)
        #expect(durations == [501_000_000, 501_000_000])
        // Placed by the anchor (monotonic 1 s = 09:00:00), not by the stepped wall clock.
        #expect(d.passes.map(\.startedAt) == [UTCTimestamp(iso8601: "2026-11-20T09:00:01.000000Z")!,
                                              UTCTimestamp(iso8601: "2026-11-20T09:00:02.000000Z")!])
        #expect(d.events.first?.kind == .fault)
        #expect(d.summary.endedAt == UTCTimestamp(iso8601: "2026-11-20T09:00:03.000000Z"))
        #expect(try j.verify(trustedKeys: [seal.publicKey]).isValid)
        let changed = durations.map { abs(Int64($0) - 501_000_000) }.max() ?? Int64.max
        SafetyEvidence.record(hazard: "clock-jump", what: "pass duration changed by a \(stepSeconds) s wall-clock step",
                              measured: Double(changed) / 1e6, bound: 0, unit: "ms")
    }
}
