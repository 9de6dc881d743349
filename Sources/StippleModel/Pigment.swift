import Foundation

/// A pigment as the EU "ink passport" and body-art record rules ask for it: who made it, which
/// batch and lot, when it expires, and how it was diluted for this session.
public struct Pigment: Sendable, Hashable {
    public var brand: String
    public var name: String
    public var batch: String
    public var lot: String
    /// The last day the pigment may be used (a calendar date, no time zone).
    public var expiry: CalendarDate
    /// Parts of diluent per part of pigment (0 = undiluted; 1 = 1:1). First sessions use more.
    public var dilution: Double

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case emptyField(String)
        case badDilution(Double)
        case expired(expiry: CalendarDate, on: CalendarDate)

        public var description: String {
            switch self {
            case .emptyField(let f): "pigment \(f) is empty: record the value printed on the bottle"
            case .badDilution(let d): "pigment dilution \(d) is not 0-10 parts diluent per part pigment"
            case .expired(let e, let on): "pigment expired on \(e) (today is \(on)): use an unexpired lot"
            }
        }
    }

    public init(brand: String, name: String, batch: String, lot: String, expiry: CalendarDate, dilution: Double) throws {
        for (field, value) in [("brand", brand), ("name", name), ("batch", batch), ("lot", lot)]
        where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw Problem.emptyField(field)
        }
        guard dilution.isFinite, (0...10).contains(dilution) else { throw Problem.badDilution(dilution) }
        self.brand = brand
        self.name = name
        self.batch = batch
        self.lot = lot
        self.expiry = expiry
        self.dilution = dilution
    }

    /// A pigment may be used through the whole of its expiry day.
    public func checkUsable(on day: CalendarDate) throws {
        if day > expiry { throw Problem.expired(expiry: expiry, on: day) }
    }
}

/// A date without time or zone, as printed on labels (`2027-03-31`).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month) else { return nil }
        let days = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
                    31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}
