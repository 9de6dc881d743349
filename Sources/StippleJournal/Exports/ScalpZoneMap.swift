import Foundation

/// The scalp seen from above (forehead at the top) as inline SVG, each zone shaded by how many
/// passes it received, for the printed report. A schematic, not anatomy: it shows at a glance
/// where the session worked and how often.
public enum ScalpZoneMap {
    /// Zone shapes in a 240 x 300 box, in `Zone` names. Public so the practitioner console draws
    /// its tappable map from the same geometry as the printed report.
    public static let shapes: [(zone: String, svg: String, labelX: Int, labelY: Int)] = [
        ("frontal-hairline", #"<ellipse cx="120" cy="42" rx="62" ry="16"/>"#, 120, 45),
        ("temple-left", #"<ellipse cx="52" cy="78" rx="22" ry="20"/>"#, 52, 81),
        ("temple-right", #"<ellipse cx="188" cy="78" rx="22" ry="20"/>"#, 188, 81),
        ("mid-scalp", #"<ellipse cx="120" cy="112" rx="52" ry="34"/>"#, 120, 115),
        ("side-left", #"<ellipse cx="36" cy="165" rx="16" ry="48"/>"#, 36, 168),
        ("side-right", #"<ellipse cx="204" cy="165" rx="16" ry="48"/>"#, 204, 168),
        ("crown", #"<circle cx="120" cy="185" r="34"/>"#, 120, 188),
        ("occipital", #"<ellipse cx="120" cy="245" rx="62" ry="20"/>"#, 120, 248),
        ("donor-scar", #"<rect x="70" y="270" width="100" height="9" rx="4"/>"#, 120, 292),
    ]

    /// How a zone name reads on paper.
    public static func label(_ zone: String) -> String {
        switch zone {
        case "frontal-hairline": "Frontal hairline"
        case "temple-left": "Temple (left)"
        case "temple-right": "Temple (right)"
        case "mid-scalp": "Mid-scalp"
        case "crown": "Crown"
        case "side-left": "Side (left)"
        case "side-right": "Side (right)"
        case "occipital": "Occipital"
        case "donor-scar": "Donor scar"
        default: zone.hasPrefix("custom:") ? "Custom: " + zone.dropFirst("custom:".count) : zone
        }
    }

    /// The SVG element; `passes` counts passes per zone name. Zones not on the map (custom
    /// ones) are left to the caller to list.
    public static func svg(passes: [String: Int]) -> String {
        let most = max(1, passes.values.max() ?? 1)
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 300" width="240" height="300" role="img" aria-label="Scalp zone map, shaded by passes">"#
        out += ##"<ellipse cx="120" cy="150" rx="112" ry="140" fill="#ffffff" stroke="#444444" stroke-width="1.5"/>"##
        out += ##"<text x="120" y="20" font-size="8" text-anchor="middle" fill="#444444">front</text>"##
        for s in shapes {
            let n = passes[s.zone] ?? 0
            // 0 passes: outline only; then darker with more passes, relative to the busiest zone.
            let opacity = n == 0 ? 0.0 : 0.2 + 0.7 * Double(n) / Double(most)
            let title = HTMLText.escape(label(s.zone)) + ": \(n) pass" + (n == 1 ? "" : "es")
            let paint = ##" fill="#1f4e8c" fill-opacity="\##(format(opacity))" stroke="#1f4e8c" stroke-width="1">"##
            let shaded = s.svg.replacingFirst("/>", with: paint + "<title>\(title)</title></\(s.svg.elementName)>")
            out += #"<g class="zone" data-zone="\#(s.zone)" data-passes="\#(n)">"# + shaded
            let ink = opacity > 0.55 ? "#ffffff" : "#222222"
            out += #"<text x="\#(s.labelX)" y="\#(s.labelY)" font-size="7" text-anchor="middle" fill="\#(ink)">\#(n)</text></g>"#
        }
        out += "</svg>"
        return out
    }

    /// A zone's shape element (one of `shapes`) with `attributes` added, still self-closing: the
    /// console adds its own classes and paint, the report its shading.
    public static func element(_ shape: String, attributes: String) -> String {
        shape.replacingFirst("/>", with: " " + attributes + "/>")
    }

    static func format(_ d: Double) -> String {
        let hundredths = Int((d * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

private extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }

    /// `ellipse` for `<ellipse .../>`.
    var elementName: String { String(dropFirst().prefix { $0 != " " }) }
}
