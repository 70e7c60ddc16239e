/// Matches a server name against domain suffixes **by whole labels**: `t.co` matches `t.co` and
/// `x.t.co`, never `microsoft.co` or `reddit.com`'s neighbours — the mistake that made Russia's
/// 2021 throttling rule hit unrelated sites (methods.md A.6). Case-insensitive; a trailing dot
/// is ignored. The most specific (longest) suffix wins: `youtubei.googleapis.com` beats
/// `googleapis.com`. A lookup hashes each label suffix of the name once (a handful per name),
/// which is fine since it runs once per flow, not per packet.
struct DomainMatcher: Sendable {
    /// Suffix → owner.
    private var table: [String: Int32] = [:]

    init() {}

    /// `entries` in order; a suffix given twice keeps the later owner.
    init(_ entries: [(suffix: String, owner: Int32)]) {
        for (suffix, owner) in entries { table[suffix] = owner }
    }

    var count: Int { table.count }
    var suffixes: [String] { table.keys.sorted() }

    /// The owner of the longest suffix of `name`, and that suffix.
    func match(_ name: String) -> (owner: Int32, suffix: String)? {
        guard !table.isEmpty, let normalized = DomainMatcher.normalizedName(name) else { return nil }
        var candidate = Substring(normalized)
        while true {
            let key = String(candidate)
            if let owner = table[key] { return (owner, key) }
            guard let dot = candidate.firstIndex(of: ".") else { return nil }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }

    /// A name seen on the wire, lower-cased with one trailing dot removed; nil when it is not a
    /// plausible host name (empty, empty labels, spaces).
    static func normalizedName(_ name: String) -> String? {
        var text = name.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty, text.utf8.count <= 253 else { return nil }
        var previousWasDot = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return nil }
                previousWasDot = true
            } else {
                if byte <= 0x20 || byte == 0x7F { return nil }
                previousWasDot = false
            }
        }
        return text
    }

    /// A domain as a signature file may list it: letters, digits, `-` and `_` in at least two
    /// labels (a bare TLD such as `com` would claim half the Internet). Lower-cased, trailing
    /// dot removed; nil when not acceptable.
    static func validatedSuffix(_ text: String) -> String? {
        guard let name = normalizedName(text) else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return nil }
            for byte in label.utf8 {
                let ok = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                guard ok else { return nil }
            }
        }
        return name
    }
}

/// Numbers (ports, STUN message types, STUN attributes) in ranges, each range owned by a
/// service. Lookups scan a short array: the catalog holds tens of ranges, not thousands.
struct NumberRangeTable: Sendable {
    struct Span: Sendable {
        let low: UInt16
        let high: UInt16
        let owner: Int32
        var width: Int { Int(high) - Int(low) }
    }

    /// Sorted narrowest first, so the most specific range is found first.
    private(set) var ranges: [Span]

    init(_ ranges: [Span]) {
        self.ranges = ranges.sorted { ($0.width, $0.low, $0.owner) < ($1.width, $1.low, $1.owner) }
    }

    /// Every owner whose ranges contain `value`, most specific range first, each owner once.
    func owners(of value: UInt16) -> [Int32] {
        var result: [Int32] = []
        for range in ranges where range.low <= value && value <= range.high && !result.contains(range.owner) {
            result.append(range.owner)
        }
        return result
    }

    /// The owner of the narrowest range containing `value`.
    func firstOwner(of value: UInt16) -> Int32? {
        ranges.first { $0.low <= value && value <= $0.high }?.owner
    }
}
