import Foundation
import StippleControl
@testable import StippleJournal
import Testing

@Suite struct JournalWriterTests {
    @Test func aSessionIsJournaledWithPassStatisticsEventsAndAValidSeal() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath, options: .init(keepTelemetry: true), now: { Fixture.day })
        let id = try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 500))
        var fault = ControlRecord(kind: .fault, at: 2_600_000_000)
        fault.code = FaultCode.motorStall.rawValue
        try w.ingest(fault)
        var refused = ControlRecord(kind: .requestRefused, at: 2_700_000_000)
        refused.code = RefusalReason.pedalDown.rawValue
        try w.ingest(refused)
        var reset = ControlRecord(kind: .reset, at: 2_800_000_000)
        reset.code = FaultCode.motorStall.rawValue
        try w.ingest(reset)
        try w.ingest(Fixture.pass(at: 3_000_000_000, samples: 200))
        try w.noteDrops(telemetry: 17, critical: 0, at: 3_300_000_000)
        let seal = try w.endSession(at: 4_000_000_000)
        try w.close()

        #expect(seal.isSignatureValid)
        #expect(seal.passes == 2)
        let d = try j.session(id: id)
        #expect(d.summary.status == .completed)
        #expect(d.summary.endedAt == UTCTimestamp(iso8601: "2026-11-20T09:00:03.000000Z"))
        #expect(d.passes.map(\.ordinal) == [1, 2])
        let p = d.passes[0]
        #expect(p.zone == "frontal-hairline")
        #expect(p.startedAt == UTCTimestamp(iso8601: "2026-11-20T09:00:01.000000Z"))
        #expect(p.durationNanoseconds == 501_000_000)
        #expect(p.cartridge == Fixture.cartridge)
        #expect(p.samplesLoop == 500)
        // 10 ms of ramp-in left out of the percentiles, as the pass settings say.
        #expect(p.samplesJournal == 491)
        let rate = try #require(p.rate)
        let depth = try #require(p.depth)
        #expect(rate.min >= 119.5 && rate.max <= 120.5)
        let p5 = try #require(rate.p5), p95 = try #require(rate.p95)
        #expect(p5 < p95)
        #expect(p5 >= rate.min && p95 <= rate.max)
        #expect(abs(depth.mean - 0.9) < 0.01)
        #expect(p.hasTelemetry)
        #expect(try j.telemetry(passRowID: p.rowID).count == 500)
        #expect(d.events.map(\.kind) == [.fault, .refused, .reset, .telemetryDropped])
        #expect(d.events[0].code == Int64(FaultCode.motorStall.rawValue))
        #expect(d.events[3].code == 17)
        #expect(d.events.allSatisfy { $0.operatorRef == "op-ana" })
        #expect(d.pigments.map(\.lot) == ["LOT-77"])
        #expect(d.passes[0].pigmentRowID == d.pigments[0].rowID)
        #expect(d.cartridges.map(\.cartridge.uid) == [Fixture.cartridge.uid])
        #expect(d.seal == seal)
        #expect(d.ledger.last?.table == "session_closures")
        #expect(try j.verify(trustedKeys: [seal.publicKey]).isValid)
        #expect(try j.sessions(clientRef: "c-001").map(\.id) == [id])
    }

    @Test func aPassBoundaryIsCommittedBeforeTheSessionEnds() throws {
        let tmp = TempFolder()
        _ = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 50))
        // Another connection (as another process would) sees the pass at once.
        #expect(try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM zone_passes") == 1)
        var estop = ControlRecord(kind: .estop, at: 2_100_000_000)
        estop.code = FaultCode.estop.rawValue
        try w.ingest(estop)
        #expect(try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM events WHERE kind = 'estop'") == 1)
        // A refusal is batched: not yet committed...
        try w.ingest(ControlRecord(kind: .requestRefused, at: 2_200_000_000))
        #expect(try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM events WHERE kind = 'refused'") == 0)
        // ...until a flush (or the next durable commit).
        try w.flush()
        #expect(try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM events WHERE kind = 'refused'") == 1)
        try w.close()
    }

    @Test func pausesInsideAPassAreKeptAsInterruptions() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        let id = try w.beginSession(Fixture.start())
        w.register(Fixture.passSettings(), generation: 1)
        var records = Fixture.pass(at: 2_000_000_000, samples: 100)
        var pause = ControlRecord(kind: .stateChanged, at: 2_030_000_000)
        pause.from = .running
        pause.to = .paused
        var resume = ControlRecord(kind: .stateChanged, at: 2_050_000_000)
        resume.from = .paused
        resume.to = .running
        records.insert(contentsOf: [pause, resume], at: 40)
        try w.ingest(records)
        try w.endSession(at: 3_000_000_000)
        try w.close()
        let i = try j.session(id: id).passes[0].interruptions
        #expect(i == [PassInterruption(ordinal: 1, atOffsetNanoseconds: 30_000_000, resumedOffsetNanoseconds: 50_000_000, reason: "paused")])
    }

    @Test func percentilesAreNearestRank() {
        #expect(PassAggregate.percentile((1...100).map(Double.init), 5) == 5)
        #expect(PassAggregate.percentile((1...100).map(Double.init), 95) == 95)
        #expect(PassAggregate.percentile([7], 5) == 7)
        #expect(PassAggregate.percentile([], 5) == nil)
    }

    @Test func aCartridgeFirstSeenMidSessionIsRecordedAsUsedWhenItsPassStarts() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        try w.beginSession(Fixture.start())
        let second = CartridgeIdentity(uid: 9_000_002, typeName: "1RL-0.20", lot: "L2612", singleUse: true)
        w.register(Fixture.passSettings(cartridge: second), generation: 2)
        try w.ingest(Array(Fixture.pass(at: 2_000_000_000, samples: 5, generation: 2).prefix(2)))
        // Committed at the pass start, before the pass ends.
        #expect(try j.cartridgeUses(uid: second.uid).map(\.clientRef) == ["c-001"])
        #expect(w.cartridgeRegistry.previousClient(ofCartridge: second.uid, notBeing: "c-002") == "c-001")
        #expect(w.cartridgeRegistry.previousClient(ofCartridge: second.uid, notBeing: "c-001") == nil)
        try w.close()
    }

    @Test func thePassOfAnUnregisteredGenerationIsStillJournaled() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        let id = try w.beginSession(Fixture.start())
        #expect(throws: JournalError.noPassSettings(generation: 1)) {
            try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 5))
        }
        w.register(Fixture.passSettings(), generation: 1)
        try w.ingest(Fixture.pass(at: 3_000_000_000, samples: 5, generation: 4))
        try w.endSession(at: 4_000_000_000)
        let d = try j.session(id: id)
        #expect(d.passes.count == 1)
        #expect(d.events.contains { $0.kind == .note && $0.message.contains("generation 4") })
        try w.close()
    }
}
