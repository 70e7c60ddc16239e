/// A view of an ICMP (RFC 792) or ICMPv6 (RFC 4443) message.
public struct ICMPMessage {
    public let bytes: UnsafeRawBufferPointer
    public let isVersion6: Bool

    public enum Failure: Error { case truncatedHeader }

    @inlinable public init(validating bytes: UnsafeRawBufferPointer, isVersion6: Bool) throws(Failure) {
        guard bytes.count >= 8 else { throw .truncatedHeader }
        self.bytes = bytes
        self.isVersion6 = isVersion6
    }

    @inlinable public var type: UInt8 { bytes.byte(at: 0) }
    @inlinable public var code: UInt8 { bytes.byte(at: 1) }
    @inlinable public var checksum: UInt16 { bytes.uint16(at: 2) }
    /// The identifier of an echo request or reply.
    @inlinable public var echoIdentifier: UInt16 { bytes.uint16(at: 4) }
    @inlinable public var echoSequence: UInt16 { bytes.uint16(at: 6) }

    /// Error messages carry the start of the packet that caused them.
    @inlinable public var isError: Bool {
        if isVersion6 { return type >= 1 && type <= 4 }
        switch type {
        case 3, 4, 5, 11, 12: return true
        default: return false
        }
    }

    @inlinable public var isEchoRequest: Bool { type == (isVersion6 ? 128 : 8) }
    @inlinable public var isEchoReply: Bool { type == (isVersion6 ? 129 : 0) }

    /// Destination unreachable, "administratively prohibited" (ICMP codes 9, 10, 13; ICMPv6 code 1):
    /// what a filtering router sends when it refuses to forward.
    @inlinable public var isAdministrativelyProhibited: Bool {
        if isVersion6 { return type == 1 && code == 1 }
        return type == 3 && (code == 9 || code == 10 || code == 13)
    }

    /// The quoted packet of an error message: its IP header and the start of its transport header.
    @inlinable public var quotedBytes: UnsafeRawBufferPointer { bytes.suffix(from: 8) }

    /// Zeek keys ICMP "connections" by type and the counterpart type (echo request 8 ↔ reply 0),
    /// so a request and its reply fall into one flow. Returns (source port, destination port).
    @inlinable public var flowPorts: (UInt16, UInt16) {
        let t = UInt16(type)
        if isVersion6 {
            switch type {
            case 128: return (128, 129)
            case 129: return (129, 128)
            case 133: return (133, 134)   // router solicitation / advertisement
            case 134: return (134, 133)
            case 135: return (135, 136)   // neighbor solicitation / advertisement
            case 136: return (136, 135)
            default: return (t, UInt16(code))
            }
        }
        switch type {
        case 8: return (8, 0)
        case 0: return (0, 8)
        case 13: return (13, 14)          // timestamp
        case 14: return (14, 13)
        default: return (t, UInt16(code))
        }
    }
}
