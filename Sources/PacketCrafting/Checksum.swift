/// The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers that TCP, UDP and ICMPv6 cover.
public enum Checksum {
    /// The RFC 1071 checksum of `bytes`: the ones' complement of their ones' complement sum.
    public static func internet(_ bytes: [UInt8]) -> UInt16 {
        finish(sum(bytes))
    }

    /// The ones' complement sum of `bytes` read as big-endian 16-bit words (an odd last byte is
    /// padded with zero), not yet folded; add partial sums together, then `finish` them.
    public static func sum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { sum($0) }
    }

    /// The unfolded ones' complement sum of raw bytes, as for `sum(_: [UInt8])`.
    public static func sum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var total: UInt64 = 0
        var index = 0
        let count = bytes.count
        // Eight bytes at a time: four big-endian words summed through a byte-swapped load.
        while index + 8 <= count {
            let chunk = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            total &+= (chunk >> 48) &+ ((chunk >> 32) & 0xFFFF) &+ ((chunk >> 16) & 0xFFFF) &+ (chunk & 0xFFFF)
            index += 8
        }
        while index + 2 <= count {
            total &+= UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < count { total &+= UInt64(bytes[index]) << 8 }
        return total
    }

    /// Folds an unfolded sum to 16 bits and complements it. A result of zero stays zero here;
    /// UDP callers map it to 0xFFFF themselves (RFC 768).
    public static func finish(_ sum: UInt64) -> UInt16 {
        var folded = sum
        while folded > 0xFFFF { folded = (folded & 0xFFFF) &+ (folded >> 16) }
        return ~UInt16(folded)
    }

    /// The unfolded sum of the pseudo-header for an upper-layer unit of `length` bytes:
    /// RFC 793/768 for IPv4 (source, destination, zero, protocol, 16-bit length) and
    /// RFC 8200 §8.1 for IPv6 (source, final destination, 32-bit length, next header).
    public static func pseudoHeaderSum(source: HostAddress, destination: HostAddress,
                                       protocolNumber: UInt8, length: Int) -> UInt64 {
        source.wordSum &+ destination.wordSum &+ UInt64(protocolNumber)
            &+ UInt64(length & 0xFFFF) &+ UInt64((length >> 16) & 0xFFFF)
    }

    /// The checksum of an upper-layer unit (`segment`, its checksum field zero) under the pseudo-header.
    public static func transport(_ segment: [UInt8], source: HostAddress, destination: HostAddress,
                                 protocolNumber: UInt8) -> UInt16 {
        finish(pseudoHeaderSum(source: source, destination: destination,
                               protocolNumber: protocolNumber, length: segment.count) &+ sum(segment))
    }
}
