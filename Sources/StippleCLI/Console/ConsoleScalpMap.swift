import StippleJournal

/// The treat page's scalp map: the printed report's zone geometry (`ScalpZoneMap.shapes`), drawn
/// as large tappable zones with their names. The script shades each zone by its passes this
/// session and marks the chosen one; the server renders the shapes once.
enum ConsoleScalpMap {
    /// Names short enough to sit inside the zone at arm's length; the full name is the zone's
    /// accessible label and the profile panel's heading.
    static func shortLabel(_ zone: String) -> String {
        switch zone {
        case "frontal-hairline": "Hairline"
        case "temple-left", "temple-right": "Temple"
        case "side-left": "Side L"
        case "side-right": "Side R"
        default: ScalpZoneMap.label(zone)
        }
    }

    static var svg: String {
        var out = #"<svg class="scalp" id="scalp" xmlns="http://www.w3.org/2000/svg" viewBox="0 -14 240 316" role="group" aria-label="Scalp zones seen from above, forehead at the top">"#
        out += #"<ellipse class="head" cx="120" cy="150" rx="112" ry="140"/>"#
        out += #"<text class="front" x="120" y="-3" text-anchor="middle">front</text>"#
        for s in ScalpZoneMap.shapes {
            let zone = HTMLText.escape(s.zone)
            let label = HTMLText.escape(ScalpZoneMap.label(s.zone))
            out += #"<g class="zone" data-zone="\#(zone)" data-label="\#(label)" data-passes="0" tabindex="0" role="button" aria-label="\#(label): no passes yet">"#
            if s.zone == "donor-scar" {
                // The scar is a thin line; a clear frame around it and its name keeps it a 48 px target.
                out += #"<rect class="zone-hit" x="56" y="262" width="128" height="38" rx="6"/>"#
            }
            out += ScalpZoneMap.element(s.svg, attributes: #"class="zone-base""#)
            out += ScalpZoneMap.element(s.svg, attributes: #"class="zone-shade" fill-opacity="0""#)
            let side = s.zone == "temple-left" ? "left" : s.zone == "temple-right" ? "right" : nil
            let (x, y) = s.zone == "donor-scar" ? (s.labelX, s.labelY + 2) : (s.labelX, s.labelY - (side == nil ? 0 : 4))
            let turn = s.zone.hasPrefix("side-") ? #" transform="rotate(-90 \#(x) \#(y))""# : ""
            out += #"<text class="zone-label" x="\#(x)" y="\#(y)" text-anchor="middle"\#(turn)>\#(HTMLText.escape(shortLabel(s.zone)))</text>"#
            // The temples are too narrow for "Temple left" on one line: the side goes below.
            if let side { out += #"<text class="zone-label" x="\#(x)" y="\#(y + 11)" text-anchor="middle">\#(side)</text>"# }
            let (countX, countY) = s.zone.hasPrefix("side-") ? (x, y + 32) : (s.zone == "donor-scar" ? (x + 78, y - 13) : (x, y + (side == nil ? 11 : 21)))
            out += #"<text class="zone-count" x="\#(countX)" y="\#(countY)" text-anchor="middle"></text>"#
            out += "</g>"
        }
        out += "</svg>"
        return out
    }
}
