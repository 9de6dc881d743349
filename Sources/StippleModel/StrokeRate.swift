/// Needle strokes per second (full armature cycles), held in millihertz as on the wire.
public struct StrokeRate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millihertz: Int

    public init(millihertz: Int) { self.millihertz = millihertz }

    /// Rounds to the nearest millihertz.
    public init(hertz: Double) { self.millihertz = Int((hertz * 1000).rounded()) }

    public var hertz: Double { Double(millihertz) / 1000 }

    public static func < (a: StrokeRate, b: StrokeRate) -> Bool { a.millihertz < b.millihertz }

    public var description: String { plain + " Hz" }

    public var plain: String {
        millihertz % 1000 == 0 ? String(millihertz / 1000) : ConfigValue.render(hertz)
    }
}
