/// A view of an IPv4 packet (RFC 791). Created only over bytes that hold a whole, sane header.
public struct IPv4Packet {
    /// The captured bytes from the IP header on, trimmed to `totalLength` (link padding removed).
    public let bytes: UnsafeRawBufferPointer
    /// The packet's length. Usually the header's total-length field; when that field is 0 the
    /// sender used TCP segmentation offload and the capture holds the real length (as Wireshark presumes).
    public let totalLength: Int

    public enum Failure: Error { case truncatedHeader, badVersion, headerLengthTooShort, totalLengthTooShort }

    @inlinable @inline(__always) public init(validating bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard bytes.count >= 20 else { throw .truncatedHeader }
        let versionAndLength = bytes.byte(at: 0)
        guard versionAndLength >> 4 == 4 else { throw .badVersion }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { throw .headerLengthTooShort }
        guard bytes.count >= headerLength else { throw .truncatedHeader }
        var total = Int(bytes.uint16(at: 2))
        if total == 0 { total = bytes.count }
        guard total >= headerLength else { throw .totalLengthTooShort }
        // Trim Ethernet padding; keep what was captured when the snaplen cut the packet.
        self.bytes = bytes.slice(from: 0, length: total)
        self.totalLength = total
    }

    @inlinable public var headerLength: Int { Int(bytes.byte(at: 0) & 0x0F) * 4 }
    @inlinable public var identification: UInt16 { bytes.uint16(at: 4) }
    @inlinable public var dontFragment: Bool { bytes.byte(at: 6) & 0x40 != 0 }
    @inlinable public var moreFragments: Bool { bytes.byte(at: 6) & 0x20 != 0 }
    /// Fragment offset in bytes.
    @inlinable public var fragmentOffset: Int { Int(bytes.uint16(at: 6) & 0x1FFF) * 8 }
    @inlinable public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
    @inlinable public var timeToLive: UInt8 { bytes.byte(at: 8) }
    @inlinable public var protocolNumber: UInt8 { bytes.byte(at: 9) }
    @inlinable public var headerChecksum: UInt16 { bytes.uint16(at: 10) }
    @inlinable public var source: IPAddress { IPAddress(ipv4: bytes.uint32(at: 12)) }
    @inlinable public var destination: IPAddress { IPAddress(ipv4: bytes.uint32(at: 16)) }
    /// Options between the fixed header and the payload (empty for most packets).
    @inlinable public var options: UnsafeRawBufferPointer { bytes.slice(from: 20, length: headerLength - 20) }
    /// The captured part of the payload; may be shorter than `payloadLength` after a snaplen cut.
    @inlinable @inline(__always) public var payload: UnsafeRawBufferPointer { bytes.suffix(from: headerLength) }
    @inlinable public var payloadLength: Int { totalLength - headerLength }

    /// Whether the header checksum adds up (RFC 1071). Offloaded checksums on the capturing host
    /// are usually right for received IPv4 headers, so a mismatch is worth a note.
    @inlinable public var headerChecksumIsValid: Bool {
        var sum: UInt32 = 0
        var offset = 0
        while offset < headerLength {
            sum &+= UInt32(bytes.uint16(at: offset))
            offset += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return sum == 0xFFFF
    }
}
