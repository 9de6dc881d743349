import Foundation

/// A needle cartridge type (not one physical cartridge: those carry a unique id and a lot).
public struct Cartridge: Sendable, Hashable {
    public enum Grouping: String, Sendable, Hashable, CaseIterable {
        /// Round liner: needles soldered tight, the SMP standard (1RL for single dots).
        case RL
        /// Round shader: looser round grouping.
        case RS
    }

    public var name: String
    public var needles: Int
    public var grouping: Grouping
    public var needleDiameter: Depth
    /// The deepest actual needle depth this cartridge is rated for.
    public var maxDepth: Depth
    /// How much shallower the needle goes than the set depth (membrane, hover); calibration adds it.
    public var membraneOffset: Depth
    /// Single-use cartridges are locked out once used on a client.
    public var singleUse: Bool

    /// The canonical name for this configuration (`3RL-0.25`); a file's name must start with it.
    public var configurationName: String {
        "\(needles)\(grouping.rawValue)-" + diameterText
    }

    /// The diameter as labels print it: at least two decimals, three when needed (0.20, 0.185).
    public var diameterText: String {
        let um = needleDiameter.micrometres
        return um % 10 == 0 ? String(format: "%.2f", needleDiameter.millimetres) : needleDiameter.plain
    }

    public static func decode(text: String, file: String) -> Result<Cartridge, ConfigError> {
        ConfigDocument.decode(text: text, file: file) { r in
            let name = ConfigDocument.name(r, kind: "cartridge")
            let needles = r.integer("needles", in: AbsoluteBounds.needleCount)
            let groupingName = r.string("grouping", expect: "\"RL\" or \"RS\"")
            let diameter = r.number("needle_diameter_mm", in: AbsoluteBounds.needleDiameterMillimetres, unit: "mm")
            let maxDepth = r.number("max_depth_mm", in: AbsoluteBounds.depthMillimetres, unit: "mm")
            let offset = r.number("membrane_offset_mm", in: AbsoluteBounds.membraneOffsetMillimetres, unit: "mm")
            let singleUse = r.bool("single_use")
            var grouping: Grouping?
            if let groupingName {
                grouping = Grouping(rawValue: groupingName)
                if grouping == nil {
                    r.report("grouping", value: .string(groupingName), "is not a known needle grouping",
                             fix: "Use one of: " + Grouping.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            if let maxDepth, maxDepth <= 0 {
                r.report("max_depth_mm", value: .float(maxDepth), "must be above 0 mm", fix: "Set the maker's rated depth")
            }
            guard let name, let needles, let grouping, let diameter, let maxDepth, let offset, let singleUse,
                  maxDepth > 0 else { return nil }
            let c = Cartridge(name: name, needles: needles, grouping: grouping,
                              needleDiameter: Depth(millimetres: diameter), maxDepth: Depth(millimetres: maxDepth),
                              membraneOffset: Depth(millimetres: offset), singleUse: singleUse)
            // A practitioner picks a cartridge by name: the name must not promise other needles.
            let expected = c.configurationName
            guard name == expected || name.hasPrefix(expected + "-") else {
                r.report("name", value: .string(name),
                         "does not describe \(needles) \(grouping.rawValue) needle(s) of \(c.needleDiameter)",
                         fix: "Name it \(expected) (optionally with a -suffix), or correct the needle fields")
                return nil
            }
            return c
        }
    }
}
