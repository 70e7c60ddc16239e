/// Builds the HTML report's markup. Everything it emits is also well-formed XML (every element
/// closed, attributes quoted, only XML's five entities), so tests can check it with an XML
/// parser; and every string from a capture passes through `escape`, because captures are
/// adversarial (a server name can carry markup).
struct HTMLMarkup {
    private(set) var text = ""

    init() {
        text.reserveCapacity(64 * 1024)
    }

    /// Text and attribute values: the markup characters become entities, and characters XML
    /// cannot hold at all (C0 controls but tab and newline, U+FFFE/U+FFFF) become U+FFFD.
    static func escape(_ raw: String) -> String {
        var out = ""
        out.reserveCapacity(raw.utf8.count)
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF
                    || (0x80...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Markup this file wrote itself (tags, CSS, numbers): appended as is.
    mutating func raw(_ markup: String) { text += markup }

    /// Text from anywhere else: escaped.
    mutating func text(_ content: String) { text += HTMLMarkup.escape(content) }

    /// `<name a="v">`, attributes escaped, nil values left out.
    mutating func open(_ name: String, _ attributes: [(String, String?)] = []) {
        text += "<" + name + HTMLMarkup.attributes(attributes) + ">"
    }

    mutating func close(_ name: String) { text += "</" + name + ">" }

    /// `<name a="v"/>`: SVG shapes and void HTML elements.
    mutating func empty(_ name: String, _ attributes: [(String, String?)] = []) {
        text += "<" + name + HTMLMarkup.attributes(attributes) + "/>"
    }

    /// `<name>escaped text</name>`.
    mutating func element(_ name: String, _ attributes: [(String, String?)] = [], _ content: String) {
        open(name, attributes)
        self.text(content)
        close(name)
    }

    /// An element whose content is written by `body`.
    mutating func element(_ name: String, _ attributes: [(String, String?)] = [], body: (inout HTMLMarkup) -> Void) {
        open(name, attributes)
        body(&self)
        close(name)
    }

    static func attributes(_ attributes: [(String, String?)]) -> String {
        var out = ""
        for (name, value) in attributes {
            guard let value else { continue }
            out += " " + name + "=\"" + escape(value) + "\""
        }
        return out
    }

    /// SVG coordinates: two decimals at most, no exponent, no "-0".
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(rounded)
        if text.contains("e") { text = String(Int(rounded)) }
        return text
    }
}
