import Foundation
import StippleControl
import StippleJournal
import StippleModel

/// A journal file with one sealed session (session 1: client `c-001` "Ana Client", operator
/// `op-ana`, two passes on the frontal hairline and one on the crown), for the session and
/// journal commands.
struct JournalCLIFixture {
    let dir: TemporaryDirectory
    let path: String
    let seal: SessionSeal

    init() throws {
        dir = try TemporaryDirectory()
        path = dir.path("home/journal.sqlite")
        let day = UTCTimestamp(iso8601: "2026-11-20T09:00:00.000000Z")!
        let j = try Journal.open(at: path, now: { day })
        _ = try j.addClient(ref: "c-001", name: "Ana Client", dateOfBirth: "1988-02-29")
        _ = try j.addConsent(clientRef: "c-001", documentRef: "consent-1", signedAt: day)
        _ = try j.addOperator(ref: "op-ana", name: "Ana")
        _ = try j.addClient(ref: "c-002")
        let w = try JournalWriter.open(at: path, now: { day })
        let machine = MachineIdentity(model: "Rotary R1", serial: "R1-0042", firmwareVersion: "1.4.2")
        let cartridge = CartridgeIdentity(uid: 9_000_001, typeName: "3RL-0.25", lot: "L2611", singleUse: true)
        // The literal is a valid pigment; a failure here is a broken test, not input.
        let pigment = try! Pigment(brand: "Scalp Ink Co", name: "Dark Brown 2", batch: "B12", lot: "LOT-77",
                                   expiry: CalendarDate("2027-03-31")!, dilution: 1)
        try w.beginSession(SessionStart(clientRef: "c-001", operatorRef: "op-ana", machine: machine, pigments: [pigment],
                                        cartridges: [cartridge], anchor: TimeAnchor(monotonicNanoseconds: 1_000_000_000, utc: day)))
        for (generation, zone) in [(UInt16(1), "frontal-hairline"), (2, "crown")] {
            w.register(PassSettings(zone: zone, profileName: "soft", profileHash: PassSettings.contentHash(of: zone), cartridge: cartridge,
                                    pigmentLot: "LOT-77", rateSetHertz: 120, depthSetMillimetres: 0.9), generation: generation)
        }
        for (k, generation) in [UInt16(1), 1, 2].enumerated() {
            let start = 2_000_000_000 + UInt64(k) * 1_000_000_000
            var s = ControlRecord(kind: .passStarted, at: start)
            s.code = generation
            try w.ingest(s)
            for i in 0..<50 {
                var t = ControlRecord(kind: .telemetry, at: start + UInt64(i + 1) * 1_000_000)
                t.rateHertz = 120
                t.depthMillimetres = 0.9
                try w.ingest(t)
            }
            var e = ControlRecord(kind: .passEnded, at: start + 51_000_000)
            e.summary.startedAt = start
            e.summary.endedAt = e.at
            e.summary.strokes = 6
            e.summary.samples = 50
            e.summary.rateMeanHertz = 120
            e.summary.rateMinHertz = 120
            e.summary.rateMaxHertz = 120
            e.summary.depthMeanMillimetres = 0.9
            e.summary.depthMinMillimetres = 0.9
            e.summary.depthMaxMillimetres = 0.9
            e.summary.stopReason = .pedalReleased
            try w.ingest(e)
        }
        seal = try w.endSession(at: 6_000_000_000)
        try w.close()
        try j.close()
    }

    /// `stipple ARGS --journal <this journal>`.
    func run(_ args: [String]) -> CLIResult { runCLI(args + ["--journal", path]) }
}
