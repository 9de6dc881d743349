import Foundation
import StippleControl
import StippleJournal
import StippleModel

/// A temporary folder removed when the fixture goes away.
final class TempFolder {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("stipple-journal-\(UUID().uuidString)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A journal path inside a not-yet-existing subfolder, so the journal creates the folder.
    var journalPath: String { path + "/home/journal.sqlite" }
}

/// Fixed inputs shared by the tests.
enum Fixture {
    static let day = UTCTimestamp(iso8601: "2026-11-20T09:00:00.000000Z")!
    static let anchor = TimeAnchor(monotonicNanoseconds: 1_000_000_000, utc: day)
    static let machine = MachineIdentity(model: "Rotary R1", serial: "R1-0042", firmwareVersion: "1.4.2")
    static let cartridge = CartridgeIdentity(uid: 9_000_001, typeName: "3RL-0.25", lot: "L2611", singleUse: true)

    static func pigment(expiry: String = "2027-03-31", lot: String = "LOT-77") -> Pigment {
        // The literal is a valid pigment; a failure here is a broken test, not input.
        try! Pigment(brand: "Scalp Ink Co", name: "Dark Brown 2", batch: "B12", lot: lot,
                     expiry: CalendarDate(expiry)!, dilution: 1)
    }

    static func passSettings(cartridge: CartridgeIdentity = cartridge) -> PassSettings {
        PassSettings(zone: "frontal-hairline", profileName: "hairline-soft", profileHash: PassSettings.contentHash(of: "profile text"),
                     cartridge: cartridge, pigmentLot: "LOT-77", rateSetHertz: 120, depthSetMillimetres: 0.9,
                     steadyAfterNanoseconds: 10_000_000)
    }

    /// A journal with client `c-001` (consented) and operator `op-ana`.
    static func seeded(_ path: String) throws -> Journal {
        let j = try Journal.open(at: path, now: { day })
        _ = try j.addClient(ref: "c-001", name: "Ana Client", dateOfBirth: "1988-02-29")
        _ = try j.addConsent(clientRef: "c-001", documentRef: "consent-2026-001", signedAt: UTCTimestamp(iso8601: "2026-11-19T10:00:00Z")!)
        _ = try j.addOperator(ref: "op-ana", name: "Ana")
        return j
    }

    static func start(client: String = "c-001", pigments: [Pigment] = [pigment()], cartridges: [CartridgeIdentity] = [cartridge],
                      anchor: TimeAnchor = anchor) -> SessionStart {
        SessionStart(clientRef: client, operatorRef: "op-ana", machine: machine, pigments: pigments, cartridges: cartridges,
                     anchor: anchor)
    }

    /// The records of one pass: start at `at`, `samples` telemetry records 1 ms apart, end.
    /// Rate is 120 Hz with a +/-0.5 Hz wobble, depth 0.9 mm with a +/-0.05 mm per-dot pattern,
    /// both on the firmware's integer grid (mHz, um).
    static func pass(at start: UInt64, samples: Int, generation: UInt16 = 1, stop: StopReason = .pedalReleased,
                     fault: UInt16 = 0) -> [ControlRecord] {
        var out: [ControlRecord] = []
        var s = ControlRecord(kind: .passStarted, at: start)
        s.code = generation
        out.append(s)
        var rates: [Double] = []
        var depths: [Double] = []
        for i in 0..<samples {
            var t = ControlRecord(kind: .telemetry, at: start + UInt64(i + 1) * 1_000_000)
            t.rateHertz = Double(120_000 + (i * 37 % 1001) - 500) / 1000
            t.depthMillimetres = Double(900 + (i * 13 % 101) - 50) / 1000
            t.currentMilliamperes = UInt16(350 + i % 7)
            rates.append(t.rateHertz)
            depths.append(t.depthMillimetres)
            out.append(t)
        }
        var e = ControlRecord(kind: .passEnded, at: start + UInt64(samples + 1) * 1_000_000)
        e.summary.startedAt = start
        e.summary.endedAt = e.at
        e.summary.strokes = UInt32(samples) * 120 / 1000
        e.summary.samples = UInt32(samples)
        e.summary.rateMeanHertz = rates.reduce(0, +) / Double(max(1, samples))
        e.summary.rateMinHertz = rates.min() ?? 0
        e.summary.rateMaxHertz = rates.max() ?? 0
        e.summary.depthMeanMillimetres = depths.reduce(0, +) / Double(max(1, samples))
        e.summary.depthMinMillimetres = depths.min() ?? 0
        e.summary.depthMaxMillimetres = depths.max() ?? 0
        e.summary.stopReason = stop
        e.summary.faultCode = fault
        out.append(e)
        return out
    }

    static func count(_ journal: String, _ sql: String) throws -> Int {
        try RawSQL.int(journal, sql)
    }
}
