/// A needle depth or length, held in whole micrometres so step-grid checks are exact and the value
/// maps one-to-one onto the firmware protocol's unit.
public struct Depth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var micrometres: Int

    public init(micrometres: Int) { self.micrometres = micrometres }

    /// Rounds to the nearest micrometre.
    public init(millimetres: Double) { self.micrometres = Int((millimetres * 1000).rounded()) }

    public var millimetres: Double { Double(micrometres) / 1000 }

    public static func < (a: Depth, b: Depth) -> Bool { a.micrometres < b.micrometres }
    public static func + (a: Depth, b: Depth) -> Depth { Depth(micrometres: a.micrometres + b.micrometres) }
    public static func - (a: Depth, b: Depth) -> Depth { Depth(micrometres: a.micrometres - b.micrometres) }

    /// Millimetres with as many decimals as needed, at least one ("0.25 mm", "2.0 mm", "0.125 mm").
    public var description: String { Depth.format(micrometres) + " mm" }

    /// Millimetres as a bare number, for messages that quote a file's value back.
    public var plain: String { Depth.format(micrometres) }

    static func format(_ um: Int) -> String {
        let sign = um < 0 ? "-" : ""
        let a = abs(um)
        var frac = String(a % 1000)
        frac = String(repeating: "0", count: 3 - frac.count) + frac
        while frac.count > 1 && frac.hasSuffix("0") { frac.removeLast() }
        return "\(sign)\(a / 1000).\(frac)"
    }
}
