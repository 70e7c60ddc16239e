/// An IPv4 or IPv6 address to put into a crafted packet; string literals parse as either form.
public enum HostAddress: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`); nil when it is neither.
    /// (`HostAddress("…")` with a literal is the literal initializer, which traps instead.)
    public init?(_ text: String) {
        if let v4 = HostAddress.parseIPv4(Substring(text)) {
            self = .v4(v4)
        } else if let (high, low) = HostAddress.parseIPv6(text) {
            self = .v6(high: high, low: low)
        } else {
            return nil
        }
    }

    /// Parses a literal address; a malformed literal is a programming error and traps.
    public init(stringLiteral text: String) {
        guard let address = HostAddress(text) else { preconditionFailure("not an IP address: \(text)") }
        self = address
    }

    /// The address from 4 or 16 network-order bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16, "an IP address has 4 or 16 bytes")
        if bytes.count == 4 {
            self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        } else {
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high: high, low: low)
        }
    }

    /// True for an IPv6 address.
    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .v4(let value):
            out.reserveCapacity(4)
            out.appendBigEndian(value)
        case .v6(let high, let low):
            out.reserveCapacity(16)
            out.appendBigEndian(high)
            out.appendBigEndian(low)
        }
        return out
    }

    /// The IPv4 value; traps for an IPv6 address (builders call this where IPv4 is required).
    var ipv4Value: UInt32 {
        guard case .v4(let value) = self else { preconditionFailure("an IPv4 address is required, got \(self)") }
        return value
    }

    /// The sum of the address's big-endian 16-bit words, for pseudo-header checksums.
    var wordSum: UInt64 {
        switch self {
        case .v4(let value):
            return UInt64(value >> 16) &+ UInt64(value & 0xFFFF)
        case .v6(let high, let low):
            var total: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 16) {
                total &+= (high >> UInt64(shift)) & 0xFFFF
                total &+= (low >> UInt64(shift)) & 0xFFFF
            }
            return total
        }
    }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6.
    public var description: String {
        switch self {
        case .v4(let v):
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        case .v6(let high, let low):
            var groups: [UInt16] = []
            for k in 0..<4 { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * k))) }
            for k in 0..<4 { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * k))) }
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

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    private static func parseIPv6(_ text: String) -> (UInt64, UInt64)? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseIPv4(piece) {
                    result += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
                result.append(group)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        let high = all[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = all[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)
    }
}

extension String {
    /// Splits at the first `::` (at most two parts); a second `::` yields three parts (invalid).
    fileprivate func components(separatedByDoubleColon _: Void) -> [Substring] {
        var parts: [Substring] = []
        var rest = self[...]
        while let range = rest.firstRange(of: "::") {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}

/// An IP address with a transport port; literals are `192.0.2.1:443` or `[2001:db8::1]:443`.
public struct HostPort: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var address: HostAddress
    public var port: UInt16

    /// An address and port.
    public init(_ address: HostAddress, _ port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses `a.b.c.d:port` or `[v6]:port`; a malformed literal traps.
    public init(stringLiteral text: String) {
        let parsed: (String, String)?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            parsed = rest.hasPrefix(":") ? (host, String(rest.dropFirst())) : nil
        } else if let colon = text.lastIndex(of: ":") {
            parsed = (String(text[..<colon]), String(text[text.index(after: colon)...]))
        } else {
            parsed = nil
        }
        guard let (host, portText) = parsed, let address = HostAddress(host), let port = UInt16(portText) else {
            preconditionFailure("not an address:port literal: \(text)")
        }
        self.init(address, port)
    }

    /// `a.b.c.d:port` or `[v6]:port`.
    public var description: String {
        address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// A 48-bit Ethernet MAC address; literals are `02:00:00:00:00:01`.
public struct MACAddress: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The address in the low 48 bits.
    public var value: UInt64

    /// The address from its low 48 bits.
    public init(_ value: UInt64) {
        self.value = value & 0xFFFF_FFFF_FFFF
    }

    /// Parses colon-separated hex; a malformed literal traps.
    public init(stringLiteral text: String) {
        let parts = text.split(separator: ":")
        var value: UInt64 = 0
        precondition(parts.count == 6, "not a MAC address: \(text)")
        for part in parts {
            guard part.count <= 2, let byte = UInt8(part, radix: 16) else { preconditionFailure("not a MAC address: \(text)") }
            value = value << 8 | UInt64(byte)
        }
        self.init(value)
    }

    /// ff:ff:ff:ff:ff:ff.
    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)
    /// 00:00:00:00:00:00 (the unknown target hardware address in an ARP request).
    public static let zero = MACAddress(0)

    /// The six bytes in transmission order.
    public var bytes: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * $0)) }
    }

    /// Lower-case colon-separated hex.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
