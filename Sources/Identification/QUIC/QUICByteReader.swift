// Bounds-checked reads for the QUIC parsers. Wire's accessors are internal to Wire, and QUIC input
// is hostile (anyone can send a UDP datagram to port 443), so every read here proves its range
// first and reports running out as nil instead of trapping.

/// A cursor over bytes: a datagram, one packet, or a decrypted payload.
struct QUICByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readByte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var value: UInt32 = 0
        for index in offset..<offset + 4 { value = value << 8 | UInt32(bytes[index]) }
        offset += 4
        return value
    }

    /// A variable-length integer (RFC 9000 §16): the top two bits of the first byte give its
    /// width, 1, 2, 4 or 8 bytes.
    mutating func readVarint() -> UInt64? {
        guard offset < bytes.count else { return nil }
        let width = 1 << Int(bytes[offset] >> 6)
        guard remaining >= width else { return nil }
        var value = UInt64(bytes[offset] & 0x3F)
        for index in offset + 1..<offset + width { value = value << 8 | UInt64(bytes[index]) }
        offset += width
        return value
    }

    /// A varint that must fit what is left, as every length field does; nil otherwise.
    mutating func readLength() -> Int? {
        guard let value = readVarint(), value <= UInt64(remaining) else { return nil }
        return Int(value)
    }

    /// The next `count` bytes as a view; nil when fewer remain.
    mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        offset += count
        return true
    }
}
