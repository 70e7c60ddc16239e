/// A view of a TCP segment (RFC 9293).
public struct TCPSegment {
    public let bytes: UnsafeRawBufferPointer

    public enum Failure: Error { case truncatedHeader, dataOffsetTooShort }

    /// Validates the fixed header. The option area may be cut by the snaplen: `options` reads
    /// what was captured, and the decoder notes the cut.
    @inlinable @inline(__always) public init(validating bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard bytes.count >= 20 else { throw .truncatedHeader }
        guard bytes.byte(at: 12) >> 4 >= 5 else { throw .dataOffsetTooShort }
        self.bytes = bytes
    }

    @inlinable public var sourcePort: UInt16 { bytes.uint16(at: 0) }
    @inlinable public var destinationPort: UInt16 { bytes.uint16(at: 2) }
    @inlinable public var sequenceNumber: UInt32 { bytes.uint32(at: 4) }
    @inlinable public var acknowledgmentNumber: UInt32 { bytes.uint32(at: 8) }
    @inlinable public var headerLength: Int { Int(bytes.byte(at: 12) >> 4) * 4 }
    @inlinable public var flags: TCPFlags { TCPFlags(rawValue: bytes.uint16(at: 12) & 0x01FF) }
    @inlinable public var window: UInt16 { bytes.uint16(at: 14) }
    @inlinable public var checksum: UInt16 { bytes.uint16(at: 16) }
    @inlinable public var urgentPointer: UInt16 { bytes.uint16(at: 18) }
    @inlinable @inline(__always) public var payload: UnsafeRawBufferPointer { bytes.suffix(from: headerLength) }
    @inlinable public var options: TCPOptions { TCPOptions(bytes.slice(from: 20, length: headerLength - 20)) }
}

/// TCP header flags (the low 9 bits of bytes 12–13).
public struct TCPFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    // Computed and inlinable, so `flags.contains(.syn)` compiles to a bit test in other modules
    // (a stored `static let` is a lazily initialised global behind an accessor call).
    @inlinable public static var fin: TCPFlags { TCPFlags(rawValue: 0x001) }
    @inlinable public static var syn: TCPFlags { TCPFlags(rawValue: 0x002) }
    @inlinable public static var rst: TCPFlags { TCPFlags(rawValue: 0x004) }
    @inlinable public static var psh: TCPFlags { TCPFlags(rawValue: 0x008) }
    @inlinable public static var ack: TCPFlags { TCPFlags(rawValue: 0x010) }
    @inlinable public static var urg: TCPFlags { TCPFlags(rawValue: 0x020) }
    @inlinable public static var ece: TCPFlags { TCPFlags(rawValue: 0x040) }
    @inlinable public static var cwr: TCPFlags { TCPFlags(rawValue: 0x080) }
    @inlinable public static var ae: TCPFlags { TCPFlags(rawValue: 0x100) }

    /// tcpdump's notation: S, F, R, P, U, E, W, and "." for ACK.
    public var description: String {
        var text = ""
        if contains(.syn) { text += "S" }
        if contains(.fin) { text += "F" }
        if contains(.rst) { text += "R" }
        if contains(.psh) { text += "P" }
        if contains(.urg) { text += "U" }
        if contains(.ece) { text += "E" }
        if contains(.cwr) { text += "W" }
        if contains(.ack) { text += "." }
        return text.isEmpty ? "none" : text
    }
}

/// The TCP options BlockWatch reads (RFC 9293, RFC 7323, RFC 2018), parsed on demand.
public struct TCPOptions: Sendable, Equatable {
    public var maximumSegmentSize: UInt16? = nil
    public var windowScale: UInt8? = nil
    public var sackPermitted = false
    /// How many SACK blocks the segment carries.
    public var sackBlockCount = 0
    public var timestampValue: UInt32? = nil
    public var timestampEcho: UInt32? = nil
    /// The option list ran past its end or had an impossible length.
    public var malformed = false

    @inlinable public init(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let kind = bytes.byte(at: offset)
            if kind == 0 { break }                   // end of option list
            if kind == 1 { offset += 1; continue }   // no-operation padding
            guard offset + 1 < bytes.count else { malformed = true; break }
            let length = Int(bytes.byte(at: offset + 1))
            guard length >= 2, offset + length <= bytes.count else { malformed = true; break }
            switch (kind, length) {
            case (2, 4): maximumSegmentSize = bytes.uint16(at: offset + 2)
            case (3, 3): windowScale = bytes.byte(at: offset + 2)
            case (4, 2): sackPermitted = true
            case (5, _): sackBlockCount = (length - 2) / 8
            case (8, 10):
                timestampValue = bytes.uint32(at: offset + 2)
                timestampEcho = bytes.uint32(at: offset + 6)
            default: break
            }
            offset += length
        }
    }
}
