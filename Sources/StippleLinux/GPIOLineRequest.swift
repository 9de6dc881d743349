import StippleModel

/// Which line of the chip a role uses and how it is wired: by offset (what machine files give)
/// or by the line's name in the device tree (`gpio-line-names`, e.g. "PEDAL"), for boards whose
/// offsets differ between revisions but whose line names do not.
public struct GPIOLineRequest: Sendable, Hashable {
    public enum Selector: Sendable, Hashable {
        case offset(Int)
        /// The first line of the machine's chip with this name.
        case name(String)
    }

    public var selector: Selector
    /// The electrical low level is the active one; requested with libgpiod's active-low flag so
    /// reads, writes and edges are in logical levels.
    public var activeLow: Bool

    public init(_ selector: Selector, activeLow: Bool) {
        self.selector = selector
        self.activeLow = activeLow
    }

    public static func offset(_ offset: Int, activeLow: Bool) -> GPIOLineRequest {
        GPIOLineRequest(.offset(offset), activeLow: activeLow)
    }

    public static func named(_ name: String, activeLow: Bool) -> GPIOLineRequest {
        GPIOLineRequest(.name(name), activeLow: activeLow)
    }

    /// The request for a line of a machine file's pin map.
    public init(_ line: GPIOLine) {
        self.init(.offset(line.offset), activeLow: line.activeLow)
    }
}
