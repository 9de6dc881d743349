/// Escaping for text placed in HTML (element content and quoted attribute values).
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references: enough for content and for
    /// attributes in either quote, so nothing read from the journal can open a tag or a script.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
