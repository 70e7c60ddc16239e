/// Matches a server name against domain suffixes **by whole labels**: `t.co` matches `t.co` and
/// `x.t.co`, never `microsoft.co` or `reddit.com`'s neighbours — the mistake that made Russia's
/// 2021 throttling rule hit unrelated sites (methods.md A.6). Case-insensitive; a trailing dot
/// is ignored. The most specific (longest) suffix wins: `youtubei.googleapis.com` beats
/// `googleapis.com`. A lookup hashes each label suffix of the name once (a handful per name),
/// which is fine since it runs once per flow, not per packet.
struct DomainMatcher: Sendable {
    /// Suffix → owner.
    private var table: [String: Int32] = [:]
    /// The same entries keyed by a hash of each suffix's bytes read backwards, so that `match`
    /// finds every label suffix of an ASCII name in one pass over its bytes, without building a
    /// String per suffix. Nil when it cannot stand in for `table` (a suffix beyond ASCII, where
    /// String equality is Unicode's canonical equivalence, or two suffixes with one hash).
    private var byHash: [UInt64: (suffix: String, owner: Int32)]? = [:]

    init() {}

    /// `entries` in order; a suffix given twice keeps the later owner.
    init(_ entries: [(suffix: String, owner: Int32)]) {
        for (suffix, owner) in entries { table[suffix] = owner }
        var hashed: [UInt64: (suffix: String, owner: Int32)] = [:]
        for (suffix, owner) in table {
            guard suffix.utf8.allSatisfy({ $0 < 0x80 }) else { byHash = nil; return }
            let hash = DomainMatcher.reversedHash(suffix.utf8)
            guard hashed[hash] == nil else { byHash = nil; return }
            hashed[hash] = (suffix, owner)
        }
        byHash = hashed
    }

    var count: Int { table.count }
    var suffixes: [String] { table.keys.sorted() }

    /// The owner of the longest suffix of `name`, and that suffix.
    func match(_ name: String) -> (owner: Int32, suffix: String)? {
        guard !table.isEmpty else { return nil }
        if let byHash, case .decided(let answer)? = name.utf8.withContiguousStorageIfAvailable({ asciiMatch($0, byHash) }) {
            return answer
        }
        return matchByStrings(name)
    }

    /// `match` on Strings: any name, Unicode included (the reference the ASCII path must equal).
    func matchByStrings(_ name: String) -> (owner: Int32, suffix: String)? {
        guard let normalized = DomainMatcher.normalizedName(name) else { return nil }
        var candidate = Substring(normalized)
        while true {
            let key = String(candidate)
            if let owner = table[key] { return (owner, key) }
            guard let dot = candidate.firstIndex(of: ".") else { return nil }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }

    /// FNV-1a over the bytes from last to first, ASCII letters lower-cased.
    static func reversedHash(_ bytes: some BidirectionalCollection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes.reversed() { hash = (hash ^ UInt64(lowercased(byte))) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    private enum ASCIIAnswer {
        /// The name holds bytes beyond ASCII: the String path decides.
        case notASCII
        case decided((owner: Int32, suffix: String)?)
    }

    /// `match` for a name that is all ASCII, with `normalizedName`'s rules applied byte by byte.
    private func asciiMatch(_ bytes: UnsafeBufferPointer<UInt8>,
                            _ byHash: [UInt64: (suffix: String, owner: Int32)]) -> ASCIIAnswer {
        for byte in bytes where byte >= 0x80 { return .notASCII }
        var end = bytes.count
        if end > 0 && bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end > 0, end <= 253 else { return .decided(nil) }
        var previousWasDot = true
        for i in 0..<end {
            let byte = bytes[i]
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return .decided(nil) }
                previousWasDot = true
            } else {
                if byte <= 0x20 || byte == 0x7F { return .decided(nil) }
                previousWasDot = false
            }
        }
        // Every label suffix, shortest first; the longest that matches wins.
        var found: (owner: Int32, suffix: String)? = nil
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        if bytes[end - 1] == UInt8(ascii: "."), let entry = lookup(hash, bytes, from: end, to: end, byHash) {
            found = (entry.owner, entry.suffix)
        }
        var i = end
        while i > 0 {
            i -= 1
            hash = (hash ^ UInt64(DomainMatcher.lowercased(bytes[i]))) &* 0x0000_0100_0000_01B3
            if i == 0 || bytes[i - 1] == UInt8(ascii: "."), let entry = lookup(hash, bytes, from: i, to: end, byHash) {
                found = (entry.owner, entry.suffix)
            }
        }
        return .decided(found)
    }

    @inline(__always)
    private func lookup(_ hash: UInt64, _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                        _ byHash: [UInt64: (suffix: String, owner: Int32)]) -> (suffix: String, owner: Int32)? {
        guard let entry = byHash[hash] else { return nil }
        // Confirm the bytes: a hash match alone could be a different name.
        var i = start
        for byte in entry.suffix.utf8 {
            guard i < end, DomainMatcher.lowercased(bytes[i]) == byte else { return nil }
            i += 1
        }
        return i == end ? entry : nil
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
