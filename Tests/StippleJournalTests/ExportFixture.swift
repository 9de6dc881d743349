import Foundation
import StippleControl
import StippleJournal

/// A journal with one sealed session for the export tests: client `c-001` ("Ana Client", born
/// 1988-02-29), operator `op-ana` ("Ana"), three passes (frontal hairline twice, one of them
/// paused and resumed; the crown stopped by the e-stop with a pause never resumed), a fault
/// event, kept telemetry.
struct ExportFixture {
    let tmp = TempFolder()
    let journal: Journal
    let sessionID: Int64
    let seal: SessionSeal

    /// `clientName`/`zone`/`profile` let a test put hostile text in the journal.
    init(clientName: String = "Ana Client", crownZone: String = "crown", profile: String = "hairline-soft",
         faultMessage: Bool = false) throws {
        let j = try Journal.open(at: tmp.journalPath, now: { Fixture.day })
        _ = try j.addClient(ref: "c-001", name: clientName, dateOfBirth: "1988-02-29")
        _ = try j.addConsent(clientRef: "c-001", documentRef: "consent-2026-001", signedAt: UTCTimestamp(iso8601: "2026-11-19T10:00:00Z")!)
        _ = try j.addOperator(ref: "op-ana", name: "Ana")
        let w = try JournalWriter.open(at: tmp.journalPath, options: .init(keepTelemetry: true), now: { Fixture.day })
        sessionID = try w.beginSession(Fixture.start())
        var hairline = Fixture.passSettings()
        hairline.profileName = profile
        w.register(hairline, generation: 1)
        var crown = Fixture.passSettings()
        crown.zone = crownZone
        crown.rateSetHertz = 110
        crown.depthSetMillimetres = 1.1
        w.register(crown, generation: 2)
        try w.ingest(Fixture.pass(at: 2_000_000_000, samples: 200))
        var second = Fixture.pass(at: 3_000_000_000, samples: 100)
        var pause = ControlRecord(kind: .stateChanged, at: 3_030_000_000)
        pause.from = .running
        pause.to = .paused
        var resume = ControlRecord(kind: .stateChanged, at: 3_050_000_000)
        resume.from = .paused
        resume.to = .running
        second.insert(contentsOf: [pause, resume], at: 40)
        try w.ingest(second)
        var third = Fixture.pass(at: 4_000_000_000, samples: 80, generation: 2, stop: .estop, fault: FaultCode.estop.rawValue)
        var stop = ControlRecord(kind: .stateChanged, at: 4_060_000_000)
        stop.from = .running
        stop.to = .paused
        third.insert(stop, at: 60)
        try w.ingest(third)
        var fault = ControlRecord(kind: .fault, at: 4_100_000_000)
        fault.code = FaultCode.motorStall.rawValue
        try w.ingest(fault)
        seal = try w.endSession(at: 5_000_000_000)
        try w.close()
        journal = j
    }
}
