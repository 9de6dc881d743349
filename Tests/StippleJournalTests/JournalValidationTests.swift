import Foundation
import StippleJournal
import Testing

/// Refused inputs name the problem and leave nothing half-written.
@Suite struct JournalValidationTests {
    private func refuses(_ expected: JournalError, _ start: SessionStart, prepare: (Journal) throws -> Void = { _ in }) throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        try prepare(j)
        let ledgerBefore = try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM ledger")
        let sessionsBefore = try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM sessions")
        let w = try JournalWriter.open(at: tmp.journalPath)
        #expect(throws: expected) { try w.beginSession(start) }
        #expect(try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM ledger") == ledgerBefore)
        #expect(try Fixture.count(tmp.journalPath, "SELECT COUNT(*) FROM sessions") == sessionsBefore)
        #expect(w.currentSessionID == nil)
        try w.close()
        #expect(try j.verify().isValid)
    }

    @Test func anUnknownClientIsRefused() throws {
        try refuses(.unknownClient("c-999"), Fixture.start(client: "c-999"))
    }

    @Test func aClientWithoutConsentIsRefused() throws {
        try refuses(.missingConsent(client: "c-002"), Fixture.start(client: "c-002")) { j in
            _ = try j.addClient(ref: "c-002")
        }
    }

    @Test func anExpiredPigmentLotIsRefused() throws {
        try refuses(.pigmentExpired(lot: "OLD-1", expiry: "2026-11-19", sessionDay: "2026-11-20"),
                    Fixture.start(pigments: [Fixture.pigment(), Fixture.pigment(expiry: "2026-11-19", lot: "OLD-1")]))
    }

    @Test func aPigmentIsUsableThroughItsExpiryDay() throws {
        let tmp = TempFolder()
        _ = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        #expect(throws: Never.self) { try w.beginSession(Fixture.start(pigments: [Fixture.pigment(expiry: "2026-11-20")])) }
        try w.close()
    }

    @Test func aSingleUseCartridgeUsedOnAnotherClientIsRefusedAndItsSessionNotBegun() throws {
        // Unknown cartridge registered, session rows and the other cartridge's use: all or nothing.
        let fresh = CartridgeIdentity(uid: 77, typeName: "1RL-0.20", lot: "L1", singleUse: true)
        try refuses(.cartridgeReused(uid: String(Fixture.cartridge.uid), previousClient: "c-002", previousSession: 1),
                    Fixture.start(cartridges: [fresh, Fixture.cartridge])) { j in
            _ = try j.addClient(ref: "c-002")
            _ = try j.addConsent(clientRef: "c-002", documentRef: "doc-2", signedAt: UTCTimestamp(iso8601: "2026-11-01T10:00:00Z")!)
            let w = try JournalWriter.open(at: j.path)
            try w.beginSession(Fixture.start(client: "c-002"))
            try w.endSession(at: 2_000_000_000)
            try w.close()
        }
    }

    @Test func aSingleUseCartridgeMayNotComeBackForTheSameClientInALaterSession() throws {
        let tmp = TempFolder()
        _ = try Fixture.seeded(tmp.journalPath)
        let w = try JournalWriter.open(at: tmp.journalPath)
        let first = try w.beginSession(Fixture.start())
        try w.endSession(at: 2_000_000_000)
        #expect(throws: JournalError.cartridgeReused(uid: String(Fixture.cartridge.uid), previousClient: "c-001", previousSession: first)) {
            try w.beginSession(Fixture.start())
        }
        try w.close()
    }

    @Test func aStaleCalibrationIsRefused() throws {
        var start = Fixture.start()
        start.calibrationRef = "cal-1"
        try refuses(.calibrationExpired(id: "cal-1", expired: "2026-11-01T00:00:00.000000Z"), start) { j in
            _ = try j.addCalibration(ref: "cal-1", machine: Fixture.machine, performedAt: UTCTimestamp(iso8601: "2026-10-01T00:00:00Z")!,
                                     operatorRef: "tech-1", expiresAt: UTCTimestamp(iso8601: "2026-11-01T00:00:00Z")!, payload: "{}")
        }
    }

    @Test func registrationRefusesBadValues() throws {
        let tmp = TempFolder()
        let j = try Fixture.seeded(tmp.journalPath)
        #expect(throws: JournalError.duplicateClient("c-001")) { try j.addClient(ref: "c-001") }
        #expect(throws: JournalError.self) { try j.addClient(ref: "has space") }
        #expect(throws: JournalError.self) { try j.addClient(ref: "c-9", dateOfBirth: "1990-02-30") }
        #expect(throws: JournalError.unknownClient("nobody")) { try j.addConsent(clientRef: "nobody", documentRef: "d", signedAt: Fixture.day) }
        #expect(throws: JournalError.self) { try j.addPlan(clientRef: "c-001", plannedSessions: 5, spacingDays: 14) }
        let plan = try j.addPlan(clientRef: "c-001", plannedSessions: 3, spacingDays: 21)
        #expect(plan.plannedSessions == 3)
        var other = CartridgeIdentity(uid: Fixture.cartridge.uid, typeName: "1RL-0.20", lot: "X", singleUse: true)
        _ = try j.addCartridge(Fixture.cartridge)
        #expect(throws: JournalError.self) { try j.addCartridge(other) }
        other = Fixture.cartridge
        #expect(try j.addCartridge(other) == (try j.addCartridge(other)))
    }

    @Test func errorsFollowTheProjectFormat() {
        let all: [JournalError] = [
            .unknownClient("c"), .missingConsent(client: "c"), .pigmentExpired(lot: "l", expiry: "e", sessionDay: "d"),
            .cartridgeReused(uid: "1", previousClient: "c", previousSession: 2), .writerActive(path: "/p", holder: "pid 3"),
            .database(path: "/p", operation: "open", message: "m"), .invalidField(field: "f", value: "v", reason: "r"),
        ]
        for e in all {
            #expect(e.description.hasPrefix("error: "))
            #expect(e.description.contains(" ("))
            #expect(e.description.contains("): "))
            #expect(e.description.contains(". "))
        }
    }
}
