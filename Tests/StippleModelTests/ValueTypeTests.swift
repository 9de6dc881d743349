import Foundation
import Testing
@testable import StippleModel  // editDistance is internal

/// The small value types every file and record is built from.
@Suite struct ValueTypeTests {
    // MARK: Depth

    @Test(arguments: [
        (0.25, 250), (2.0, 2000), (0.0, 0), (3.0, 3000), (0.1234, 123), (0.1236, 124),
        (0.0004, 0), (-0.0016, -2), (1.0 / 3.0, 333),
    ])
    func depthRoundsMillimetresToTheNearestMicrometre(mm: Double, um: Int) {
        #expect(Depth(millimetres: mm).micrometres == um)
    }

    @Test func depthConvertsBackToMillimetresExactly() {
        #expect(Depth(micrometres: 1250).millimetres == 1.25)
        #expect(Depth(micrometres: 5).millimetres == 0.005)
        #expect(Depth(millimetres: 0.85).millimetres == 0.85)
    }

    @Test(arguments: [
        (2000, "2.0"), (250, "0.25"), (125, "0.125"), (0, "0.0"), (5, "0.005"), (50, "0.05"),
        (1200, "1.2"), (12340, "12.34"), (-500, "-0.5"), (-5, "-0.005"),
    ])
    func depthFormatsWithAsManyDecimalsAsNeededAndAtLeastOne(um: Int, text: String) {
        #expect(Depth(micrometres: um).plain == text)
        #expect(Depth(micrometres: um).description == text + " mm")
    }

    @Test func depthArithmeticAndOrderingAreInMicrometres() {
        let a = Depth(millimetres: 1.2), b = Depth(millimetres: 0.25)
        #expect((a + b).micrometres == 1450)
        #expect((b - a).micrometres == -950)
        #expect(b < a)
        #expect(!(a < a))
        // 0.1 + 0.2 is not 0.3 in floating point, but is exactly 0.3 mm in micrometres.
        #expect(Depth(millimetres: 0.1) + Depth(millimetres: 0.2) == Depth(millimetres: 0.3))
    }

    // MARK: StrokeRate

    @Test(arguments: [
        (120.0, 120_000), (50.0, 50_000), (120.5, 120_500), (120.0004, 120_000), (120.0006, 120_001), (99.9, 99_900),
    ])
    func strokeRateRoundsHertzToTheNearestMillihertz(hz: Double, mhz: Int) {
        #expect(StrokeRate(hertz: hz).millihertz == mhz)
    }

    @Test(arguments: [
        (120_000, "120"), (50_000, "50"), (120_500, "120.5"), (99_900, "99.9"), (100_125, "100.125"), (1, "0.001"),
    ])
    func strokeRateFormatsWholeHertzWithoutDecimals(mhz: Int, text: String) {
        #expect(StrokeRate(millihertz: mhz).plain == text)
        #expect(StrokeRate(millihertz: mhz).description == text + " Hz")
    }

    @Test func strokeRateOrdersByMillihertz() {
        #expect(StrokeRate(hertz: 99.999) < StrokeRate(hertz: 100))
        #expect(StrokeRate(hertz: 115).hertz == 115)
    }

    // MARK: Zone

    @Test func everyStandardZoneRoundTripsThroughItsName() {
        #expect(Zone.standard.count == 9)
        #expect(Set(Zone.standard.map(\.name)).count == Zone.standard.count)
        for zone in Zone.standard {
            #expect(Zone(name: zone.name) == zone)
            #expect(zone.description == zone.name)
            #expect(!zone.name.hasPrefix("custom:"))
        }
        #expect(Zone(name: "frontal-hairline") == .frontalHairline)
        #expect(Zone(name: "donor-scar") == .donorScar)
        #expect(Zone.occipital.name == "occipital")
    }

    @Test(arguments: ["left-patch", "scar2", "A", "Z-9", String(repeating: "x", count: 40), "crown"])
    func customZoneAcceptsLettersDigitsAndDashes(rest: String) throws {
        let zone = try #require(Zone(name: "custom:" + rest))
        #expect(zone == .custom(rest))
        #expect(zone.name == "custom:" + rest)
        #expect(Zone(name: zone.name) == zone)
    }

    @Test(arguments: [
        "", "Crown", "crown ", " crown", "vertex", "custom", "custom:", "CUSTOM:patch", "custom:has space",
        "custom:a_b", "custom:a:b", "custom:a.b", "custom:ümlaut", "custom:patch\n",
        "custom:" + String(repeating: "x", count: 41),
    ])
    func zoneRejectsUnknownAndMalformedNames(name: String) {
        #expect(Zone(name: name) == nil)
    }

    // MARK: CalendarDate

    @Test(arguments: [(2024, 2, 29), (2000, 2, 29), (2023, 2, 28), (2024, 12, 31), (2024, 1, 1), (1900, 1, 1), (9999, 12, 31),
                      (2024, 4, 30), (2024, 7, 31)])
    func calendarDateAcceptsRealDays(y: Int, m: Int, d: Int) throws {
        let date = try #require(CalendarDate(year: y, month: m, day: d))
        #expect((date.year, date.month, date.day) == (y, m, d))
    }

    @Test(arguments: [
        (2023, 2, 29), // not a leap year
        (1900, 2, 29), // divisible by 100, not by 400
        (2100, 2, 29),
        (2024, 2, 30),
        (2024, 4, 31), (2024, 6, 31), (2024, 9, 31), (2024, 11, 31),
        (2024, 13, 1), (2024, 0, 1), (2024, 1, 0), (2024, 1, 32), (2024, -1, 1),
        (1899, 12, 31), (10000, 1, 1),
    ])
    func calendarDateRejectsDaysThatDoNotExist(y: Int, m: Int, d: Int) {
        #expect(CalendarDate(year: y, month: m, day: d) == nil)
    }

    @Test func calendarDateParsesAndPrintsYYYYMMDD() throws {
        let date = try #require(CalendarDate("2027-03-31"))
        #expect(date == CalendarDate(year: 2027, month: 3, day: 31))
        #expect(date.description == "2027-03-31")
        #expect(CalendarDate(year: 2027, month: 1, day: 5)?.description == "2027-01-05")
        #expect(CalendarDate("2024-02-29") != nil)
    }

    @Test(arguments: ["", "2027-3-31", "2027-03-1", "27-03-31", "20270331", "2027/03/31", "2027-03-31T00:00",
                      "2027-03-31-", "2027--03-31", "2027-02-30", "2027-13-01", "abcd-ef-gh", " 2027-03-31"])
    func calendarDateRejectsMalformedText(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func calendarDateRejectsSignedFields() {
        // `Int("+1")` is 1, so a two-character "+1" passes the width check unless signs are refused.
        #expect(CalendarDate("2024-+1-05") == nil)
        #expect(CalendarDate("2024-03-+9") == nil)
    }

    @Test func calendarDatesOrderByYearThenMonthThenDay() throws {
        let a = try #require(CalendarDate("2026-12-31"))
        let b = try #require(CalendarDate("2027-01-01"))
        let c = try #require(CalendarDate("2027-01-02"))
        let d = try #require(CalendarDate("2027-02-01"))
        #expect(a < b && b < c && c < d)
        #expect(!(b < b))
        #expect([d, b, a, c].sorted() == [a, b, c, d])
    }

    // MARK: Pigment

    static let expiry = CalendarDate(year: 2027, month: 3, day: 31)!

    static func pigment(brand: String = "Acme", name: String = "Dark Ash", batch: String = "B12",
                        lot: String = "L-0042", dilution: Double = 1.0) throws -> Pigment {
        try Pigment(brand: brand, name: name, batch: batch, lot: lot, expiry: expiry, dilution: dilution)
    }

    @Test func pigmentKeepsEveryPassportField() throws {
        let p = try Self.pigment()
        #expect(p.brand == "Acme" && p.name == "Dark Ash" && p.batch == "B12" && p.lot == "L-0042")
        #expect(p.expiry == Self.expiry)
        #expect(p.dilution == 1.0)
    }

    @Test func pigmentRefusesEmptyOrBlankFields() {
        #expect(throws: Pigment.Problem.emptyField("brand")) { try Self.pigment(brand: "") }
        #expect(throws: Pigment.Problem.emptyField("name")) { try Self.pigment(name: "   ") }
        #expect(throws: Pigment.Problem.emptyField("batch")) { try Self.pigment(batch: "") }
        #expect(throws: Pigment.Problem.emptyField("lot")) { try Self.pigment(lot: " ") }
        #expect(Pigment.Problem.emptyField("lot").description.contains("pigment lot is empty"))
        #expect(throws: Pigment.Problem.emptyField("batch")) { try Self.pigment(batch: "\n") }
    }

    @Test(arguments: [-0.5, -0.0001, 10.0001, 11, Double.nan, Double.infinity, -Double.infinity])
    func pigmentRefusesDilutionOutside0To10(dilution: Double) {
        #expect {
            try Self.pigment(dilution: dilution)
        } throws: { error in
            guard case .badDilution = error as? Pigment.Problem else { return false }
            return true
        }
    }

    @Test(arguments: [0.0, 0.5, 1.0, 10.0])
    func pigmentAcceptsDilutionFrom0To10(dilution: Double) throws {
        #expect(try Self.pigment(dilution: dilution).dilution == dilution)
    }

    @Test func pigmentIsUsableThroughItsWholeExpiryDay() throws {
        let p = try Self.pigment()
        try p.checkUsable(on: CalendarDate(year: 2027, month: 3, day: 31)!)
        try p.checkUsable(on: CalendarDate(year: 2027, month: 3, day: 30)!)
        try p.checkUsable(on: CalendarDate(year: 2026, month: 12, day: 31)!)
    }

    @Test func pigmentIsRefusedFromTheDayAfterExpiry() throws {
        let p = try Self.pigment()
        let dayAfter = CalendarDate(year: 2027, month: 4, day: 1)!
        #expect(throws: Pigment.Problem.expired(expiry: Self.expiry, on: dayAfter)) { try p.checkUsable(on: dayAfter) }
        #expect(throws: Pigment.Problem.self) { try p.checkUsable(on: CalendarDate(year: 2028, month: 1, day: 1)!) }
        let message = Pigment.Problem.expired(expiry: Self.expiry, on: dayAfter).description
        #expect(message == "pigment expired on 2027-03-31 (today is 2027-04-01): use an unexpired lot")
    }

    // MARK: ClientID and OperatorID

    @Test(arguments: ["C-0042", "op_anna.k", "a", "0", "A.B-C_D", String(repeating: "x", count: 64)])
    func identifiersAcceptSafeASCII(raw: String) throws {
        #expect(try #require(ClientID(raw)).rawValue == raw)
        #expect(try #require(OperatorID(raw)).description == raw)
        #expect(IdentifierRule.isValid(raw))
    }

    @Test(arguments: ["", " ", "anna k", "anna\t", "a/b", "a\\b", "a,b", "a;b", "a\"b", "ümlaut", "ａ", "a\nb", "café",
                      String(repeating: "x", count: 65)])
    func identifiersRejectEmptyLongAndUnsafeCharacters(raw: String) {
        #expect(ClientID(raw) == nil)
        #expect(OperatorID(raw) == nil)
        #expect(!IdentifierRule.isValid(raw))
    }

    // MARK: editDistance

    @Test(arguments: [
        ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("same", "same", 0),
        ("kitten", "sitting", 3), ("flaw", "lawn", 2),
        ("ramp_ou_ms", "ramp_out_ms", 1), ("depth_max_mn", "depth_max_mm", 1), ("rate_hz", "hz_rate", 6),
        ("µm", "um", 1),
    ])
    func editDistanceIsLevenshtein(a: String, b: String, distance: Int) {
        #expect(editDistance(a, b) == distance)
        #expect(editDistance(b, a) == distance)
    }
}
