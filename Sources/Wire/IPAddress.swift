/// An IPv4 or IPv6 address in 16 bytes of inline storage (IPv4 as the IPv4-mapped IPv6 address
/// `::ffff:a.b.c.d`), so flow keys hash two words per address and never touch the heap.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    @inlinable public init(ipv4 value: UInt32) {
        self.high = 0
        self.low = 0x0000_FFFF_0000_0000 | UInt64(value)
    }

    @inlinable public var isIPv4: Bool { high == 0 && (low >> 32) == 0xFFFF }

    /// The IPv4 address as a 32-bit integer, or nil for an IPv6 address.
    @inlinable public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

    @inlinable public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`, `::ffff:192.0.2.1`).
    public init?(_ text: String) {
        if !text.contains(":") {
            guard let v4 = IPAddress.parseIPv4(Substring(text)) else { return nil }
            self.init(ipv4: v4)
            return
        }
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawGap = false
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var i = 0
        var groupsFromIPv4 = 0
        if text.hasPrefix("::") { sawGap = true; i = 2 }
        if text.hasPrefix("::") && text == "::" { self.init(high: 0, low: 0); return }
        while i < parts.count {
            let part = parts[i]
            if part.isEmpty {
                if sawGap && !(i == parts.count - 1 && text.hasSuffix("::")) { return nil }
                sawGap = true
                i += 1
                continue
            }
            if i == parts.count - 1, part.contains(".") {
                guard let v4 = IPAddress.parseIPv4(part) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawGap { tail += groups } else { head += groups }
                groupsFromIPv4 = 2
                i += 1
                continue
            }
            guard part.count <= 4, let g = UInt16(part, radix: 16) else { return nil }
            if sawGap { tail.append(g) } else { head.append(g) }
            i += 1
        }
        _ = groupsFromIPv4
        let total = head.count + tail.count
        guard sawGap ? total < 8 : total == 8 else { return nil }
        let groups = head + Array(repeating: 0, count: 8 - total) + tail
        var hi: UInt64 = 0, lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(groups[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(groups[k]) }
        self.init(high: hi, low: lo)
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for o in octets {
            guard !o.isEmpty, o.count <= 3, let b = UInt8(o) else { return nil }
            value = value << 8 | UInt32(b)
        }
        return value
    }

    /// RFC 5952 text: dotted quad for IPv4, lower-case hex with the longest zero run compressed.
    public var description: String {
        if let v4 = ipv4 {
            return "\(v4 >> 24).\((v4 >> 16) & 0xFF).\((v4 >> 8) & 0xFF).\(v4 & 0xFF)"
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for k in 0..<4 {
            groups[k] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(k)))
            groups[k + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(k)))
        }
        // Longest run of two or more zero groups, the first one on a tie.
        var bestStart = -1, bestLength = 0, runStart = -1
        for k in 0...8 {
            if k < 8 && groups[k] == 0 {
                if runStart < 0 { runStart = k }
            } else if runStart >= 0 {
                if k - runStart > bestLength { bestStart = runStart; bestLength = k - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var k = 0
        while k < 8 {
            if k == bestStart {
                text += "::"
                k += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[k], radix: 16)
            k += 1
        }
        return text
    }
}
