import Wire

/// A CIDR prefix over the 128-bit `IPAddress` space. IPv4 prefixes live in the IPv4-mapped
/// range: `149.154.160.0/20` is `::ffff:149.154.160.0/116`.
struct AddressPrefix: Hashable, Sendable, CustomStringConvertible {
    /// The first address (host bits zero).
    let first: IPAddress
    /// Prefix length in the 128-bit space (96 + n for IPv4).
    let length: Int
    let isIPv4: Bool

    /// Parses `a.b.c.d/n` or `x:y::/n`; a bare address is a single host (/32 or /128).
    /// Refuses host bits set (`10.0.0.1/8`): a typo there usually means the wrong prefix.
    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, !parts[0].isEmpty,
              !parts[0].contains(where: { $0.isWhitespace }) else { return nil }
        let addressText = String(parts[0])
        guard let address = IPAddress(addressText) else { return nil }
        let v4 = !addressText.contains(":")
        let maximum = v4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(parts[1]), n <= maximum else { return nil }
            length = n
        }
        self.init(first: address, length: v4 ? 96 + length : length, isIPv4: v4)
        guard AddressPrefix.masked(address, length: self.length) == address else { return nil }
    }

    private init(first: IPAddress, length: Int, isIPv4: Bool) {
        self.first = first
        self.length = length
        self.isIPv4 = isIPv4
    }

    /// The last address of the prefix.
    var last: IPAddress {
        let (highMask, lowMask) = AddressPrefix.masks(length)
        return IPAddress(high: first.high | ~highMask, low: first.low | ~lowMask)
    }

    func contains(_ address: IPAddress) -> Bool {
        AddressPrefix.masked(address, length: length) == first
    }

    static func masks(_ length: Int) -> (high: UInt64, low: UInt64) {
        let high: UInt64 = length >= 64 ? ~0 : (length <= 0 ? 0 : ~0 << UInt64(64 - length))
        let low: UInt64 = length <= 64 ? 0 : (length >= 128 ? ~0 : ~0 << UInt64(128 - length))
        return (high, low)
    }

    static func masked(_ address: IPAddress, length: Int) -> IPAddress {
        let (highMask, lowMask) = masks(length)
        return IPAddress(high: address.high & highMask, low: address.low & lowMask)
    }

    /// `149.154.160.0/20`, `2001:67c:4e8::/48`.
    var description: String { "\(first)/\(isIPv4 ? length - 96 : length)" }
}

/// Longest-prefix match over 128-bit addresses. Built once: the prefixes (CIDR prefixes either
/// nest or are disjoint) are flattened into sorted, disjoint address ranges, each owned by the
/// most specific prefix covering it. A lookup is a binary search over plain arrays: no
/// allocation, about log2(ranges) comparisons.
struct AddressPrefixTable: Sendable {
    /// The prefixes as given, deduplicated; `owners[i]` belongs to `prefixes[i]`.
    let prefixes: [AddressPrefix]
    let owners: [Int32]
    // The flattened ranges, sorted by start; `rangePrefix` indexes `prefixes`.
    private let rangeStart: [IPAddress]
    private let rangeEnd: [IPAddress]
    private let rangePrefix: [Int32]

    /// `entries` may overlap; an identical prefix given twice keeps the later owner.
    init(_ entries: [(prefix: AddressPrefix, owner: Int32)]) {
        var position: [AddressPrefix: Int] = [:]
        var prefixes: [AddressPrefix] = []
        var owners: [Int32] = []
        for (prefix, owner) in entries {
            if let i = position[prefix] {
                owners[i] = owner
            } else {
                position[prefix] = prefixes.count
                prefixes.append(prefix)
                owners.append(owner)
            }
        }
        self.prefixes = prefixes
        self.owners = owners

        // Wider prefixes first among those starting at the same address, so nested ones
        // come after the prefix that contains them.
        let order = prefixes.indices.sorted { a, b in
            prefixes[a].first != prefixes[b].first ? prefixes[a].first < prefixes[b].first
                                                    : prefixes[a].length < prefixes[b].length
        }
        var starts: [IPAddress] = [], ends: [IPAddress] = [], owning: [Int32] = []
        var cursor = IPAddress(high: 0, low: 0)
        var exhausted = false   // the cursor passed the very last address
        var open: [Int] = []    // a stack of prefixes, each nested in the one below
        func emit(upTo end: IPAddress, _ prefix: Int) {
            guard !exhausted, !(end < cursor) else { return }
            starts.append(cursor)
            ends.append(end)
            owning.append(Int32(prefix))
            if end == IPAddress(high: ~0, low: ~0) { exhausted = true } else { cursor = end.successor }
        }
        for index in order {
            let prefix = prefixes[index]
            while let top = open.last, prefixes[top].last < prefix.first {
                emit(upTo: prefixes[top].last, top)
                open.removeLast()
            }
            if let top = open.last, cursor < prefix.first {
                emit(upTo: prefix.first.predecessor, top)
            }
            if cursor < prefix.first { cursor = prefix.first }
            open.append(index)
        }
        while let top = open.popLast() { emit(upTo: prefixes[top].last, top) }
        rangeStart = starts
        rangeEnd = ends
        rangePrefix = owning
    }

    var isEmpty: Bool { prefixes.isEmpty }
    var rangeCount: Int { rangeStart.count }

    /// The index (into `prefixes`/`owners`) of the longest prefix containing `address`.
    @inline(__always)
    func lookup(_ address: IPAddress) -> Int? {
        // The last range whose start is <= address.
        var low = 0, high = rangeStart.count
        while low < high {
            let mid = (low &+ high) >> 1
            if address < rangeStart[mid] { high = mid } else { low = mid &+ 1 }
        }
        guard low > 0 else { return nil }
        let i = low - 1
        return rangeEnd[i] < address ? nil : Int(rangePrefix[i])
    }
}

extension IPAddress {
    /// The next address (wraps at the top; callers check for the last address first).
    var successor: IPAddress {
        let low = self.low &+ 1
        return IPAddress(high: low == 0 ? high &+ 1 : high, low: low)
    }

    /// The previous address (wraps at zero; callers never ask for the one before ::).
    var predecessor: IPAddress {
        IPAddress(high: low == 0 ? high &- 1 : high, low: low &- 1)
    }
}
