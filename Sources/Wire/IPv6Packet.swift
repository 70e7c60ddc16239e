/// A view of an IPv6 packet (RFC 8200) with its extension-header chain walked to the upper layer.
public struct IPv6Packet {
    /// The captured bytes from the IPv6 header on, trimmed to the header's payload length.
    public let bytes: UnsafeRawBufferPointer
    /// The protocol after the last extension header (6 for TCP, 17 for UDP, 58 for ICMPv6, ...).
    public let upperLayerProtocol: UInt8
    /// Offset of the upper-layer header from the start of `bytes`.
    public let upperLayerOffset: Int
    /// The fragment header, when the chain has one.
    public let fragment: FragmentHeader?

    public struct FragmentHeader: Sendable, Equatable {
        public let offset: Int          // in bytes
        public let moreFragments: Bool
        public let identification: UInt32
    }

    public enum Failure: Error { case truncatedHeader, badVersion, truncatedExtensionHeader, tooManyExtensionHeaders }

    /// Extension headers walked before giving up: real chains have a handful; crafted ones may not end.
    static let maximumExtensionHeaders = 16

    public init(validating bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard bytes.count >= 40 else { throw .truncatedHeader }
        guard bytes.byte(at: 0) >> 4 == 6 else { throw .badVersion }
        let payloadLength = Int(bytes.uint16(at: 4))
        // A zero payload length means a jumbogram (RFC 2675): trust the captured length.
        let trimmed = payloadLength == 0 ? bytes : bytes.slice(from: 0, length: 40 + payloadLength)
        var next = bytes.byte(at: 6)
        var offset = 40
        var fragment: FragmentHeader? = nil
        var walked = 0
        loop: while true {
            switch next {
            case 0, 43, 60, 135, 139, 140:   // hop-by-hop, routing, destination options, mobility, HIP, shim6
                guard offset + 8 <= trimmed.count else { throw .truncatedExtensionHeader }
                let length = (Int(trimmed.byte(at: offset + 1)) + 1) * 8
                guard offset + length <= trimmed.count else { throw .truncatedExtensionHeader }
                next = trimmed.byte(at: offset)
                offset += length
            case 51:                          // authentication header counts in 4-byte units
                guard offset + 8 <= trimmed.count else { throw .truncatedExtensionHeader }
                let length = (Int(trimmed.byte(at: offset + 1)) + 2) * 4
                guard offset + length <= trimmed.count else { throw .truncatedExtensionHeader }
                next = trimmed.byte(at: offset)
                offset += length
            case 44:                          // fragment header: fixed 8 bytes
                guard offset + 8 <= trimmed.count else { throw .truncatedExtensionHeader }
                let field = trimmed.uint16(at: offset + 2)
                fragment = FragmentHeader(offset: Int(field & 0xFFF8),
                                          moreFragments: field & 1 != 0,
                                          identification: trimmed.uint32(at: offset + 4))
                next = trimmed.byte(at: offset)
                offset += 8
                // Later fragments carry no upper-layer header; the chain ends here for them.
                if fragment!.offset != 0 { break loop }
            default:
                break loop
            }
            walked += 1
            guard walked <= IPv6Packet.maximumExtensionHeaders else { throw .tooManyExtensionHeaders }
        }
        self.bytes = trimmed
        self.upperLayerProtocol = next
        self.upperLayerOffset = offset
        self.fragment = fragment
    }

    @inlinable public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: bytes.uint16(at: 0) >> 4) }
    @inlinable public var flowLabel: UInt32 { bytes.uint32(at: 0) & 0x000F_FFFF }
    @inlinable public var payloadLength: Int { Int(bytes.uint16(at: 4)) }
    @inlinable public var totalLength: Int { payloadLength == 0 ? bytes.count : 40 + payloadLength }
    @inlinable public var hopLimit: UInt8 { bytes.byte(at: 7) }
    @inlinable public var source: IPAddress { IPAddress(high: bytes.uint64(at: 8), low: bytes.uint64(at: 16)) }
    @inlinable public var destination: IPAddress { IPAddress(high: bytes.uint64(at: 24), low: bytes.uint64(at: 32)) }
    /// The captured upper-layer bytes (after all extension headers).
    @inlinable public var upperLayer: UnsafeRawBufferPointer { bytes.suffix(from: upperLayerOffset) }
    /// The upper-layer length the header promises (which the capture may have cut short).
    @inlinable public var upperLayerLength: Int { totalLength - upperLayerOffset }
}
