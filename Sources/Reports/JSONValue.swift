import Wire

/// A JSON document built in the order its keys should appear, so reports are deterministic and
/// read top-down (schema first) rather than in JSONEncoder's alphabetical order.
indirect enum JSONValue {
    case string(String)
    case int(Int)
    case number(Double)
    /// Epoch seconds with microseconds, as flow logs write `ts`.
    case time(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func optional<T>(_ value: T?, _ wrap: (T) -> JSONValue) -> JSONValue { value.map(wrap) ?? .null }

    /// A string-keyed count table, keys sorted so the output never depends on hashing.
    static func counts(_ table: [String: Int]) -> JSONValue {
        .object(table.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
    }

    /// Two-space indented; arrays of scalars stay on one line (bin states would otherwise take a
    /// line each).
    func rendered() -> String {
        var out = ""
        render(into: &out, indent: 0)
        return out
    }

    func render(into out: inout String, indent: Int) {
        switch self {
        case .string(let s): out += FlowLogWriter.jsonString(s)
        case .int(let n): out += String(n)
        case .number(let x): out += JSONValue.spell(x)
        case .time(let t): out += t.isFinite ? TimeFormatting.epochSeconds(Timestamp(seconds: t)) : "null"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if items.allSatisfy(\.isScalar) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.render(into: &out, indent: indent)
                }
                out += "]"
                return
            }
            let inner = String(repeating: "  ", count: indent + 1)
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.render(into: &out, indent: indent + 1)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            let inner = String(repeating: "  ", count: indent + 1)
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += inner + FlowLogWriter.jsonString(key) + ": "
                value.render(into: &out, indent: indent + 1)
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// Integral values without a fraction, others with up to six decimals; NaN and infinity,
    /// which JSON cannot spell, become null.
    static func spell(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        // Beyond nine billion the nanosecond arithmetic below would overflow; whole units do.
        if x == x.rounded() || abs(x) >= 9e9 { return abs(x) < 9e18 ? String(Int64(x.rounded())) : "\(x)" }
        var text = TimeFormatting.decimal(nanoseconds: Int64((x * 1e9).rounded()), fractionDigits: 6)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
