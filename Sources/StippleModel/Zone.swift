/// A scalp area treated as one unit; a zone pass is one pedal-down stretch in one zone.
public enum Zone: Sendable, Hashable, CustomStringConvertible {
    case frontalHairline
    case templeLeft
    case templeRight
    case midScalp
    case crown
    case sideLeft
    case sideRight
    case occipital
    case donorScar
    /// A clinic-defined area, written `custom:NAME` in files.
    case custom(String)

    public static let standard: [Zone] = [
        .frontalHairline, .templeLeft, .templeRight, .midScalp, .crown,
        .sideLeft, .sideRight, .occipital, .donorScar,
    ]

    /// The spelling used in files and on the command line.
    public var name: String {
        switch self {
        case .frontalHairline: "frontal-hairline"
        case .templeLeft: "temple-left"
        case .templeRight: "temple-right"
        case .midScalp: "mid-scalp"
        case .crown: "crown"
        case .sideLeft: "side-left"
        case .sideRight: "side-right"
        case .occipital: "occipital"
        case .donorScar: "donor-scar"
        case .custom(let n): "custom:" + n
        }
    }

    public var description: String { name }

    /// Parses a zone name; `custom:` names must be 1-40 letters, digits or dashes.
    public init?(name: String) {
        if let z = Zone.standard.first(where: { $0.name == name }) {
            self = z
            return
        }
        guard name.hasPrefix("custom:") else { return nil }
        let rest = name.dropFirst("custom:".count)
        guard (1...40).contains(rest.count),
              rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { return nil }
        self = .custom(String(rest))
    }
}
