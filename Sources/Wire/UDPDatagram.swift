/// A view of a UDP datagram (RFC 768).
public struct UDPDatagram {
    public let bytes: UnsafeRawBufferPointer

    public enum Failure: Error { case truncatedHeader }

    @inlinable @inline(__always) public init(validating bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard bytes.count >= 8 else { throw .truncatedHeader }
        self.bytes = bytes
    }

    @inlinable public var sourcePort: UInt16 { bytes.uint16(at: 0) }
    @inlinable public var destinationPort: UInt16 { bytes.uint16(at: 2) }
    /// The length field: header plus payload. 0 is legal for IPv6 jumbograms only.
    @inlinable public var length: Int { Int(bytes.uint16(at: 4)) }
    @inlinable public var checksum: UInt16 { bytes.uint16(at: 6) }
    /// The captured payload, bounded by the length field when it is sane.
    @inlinable @inline(__always) public var payload: UnsafeRawBufferPointer {
        length >= 8 ? bytes.slice(from: 8, length: length - 8) : bytes.suffix(from: 8)
    }
}
