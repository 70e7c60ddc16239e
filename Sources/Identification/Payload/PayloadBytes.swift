// Reads for the payload recognizers. Wire's accessors are internal to Wire, and a recognizer
// looks at bytes whose length it has not validated as a whole, so every read here checks its
// own bounds: a read past the end yields nil or false instead of trapping.

/// A borrowed view of a flow's first bytes with bounds-checked reads.
struct PayloadBytes {
    let buffer: UnsafeRawBufferPointer

    @inline(__always) init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inline(__always) var count: Int { buffer.count }

    /// Whether `length` bytes from `offset` are present.
    @inline(__always) func has(_ length: Int, at offset: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= count - length
    }

    @inline(__always) func byte(_ offset: Int) -> UInt8? {
        has(1, at: offset) ? buffer[offset] : nil
    }

    @inline(__always) func uint16(_ offset: Int) -> UInt16? {
        guard has(2, at: offset) else { return nil }
        return UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// A 24-bit big-endian length, as WhatsApp frames carry.
    @inline(__always) func uint24(_ offset: Int) -> UInt32? {
        guard has(3, at: offset) else { return nil }
        return UInt32(buffer[offset]) << 16 | UInt32(buffer[offset + 1]) << 8 | UInt32(buffer[offset + 2])
    }

    @inline(__always) func uint32(_ offset: Int) -> UInt32? {
        guard has(4, at: offset) else { return nil }
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) func uint64(_ offset: Int) -> UInt64? {
        guard has(8, at: offset) else { return nil }
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) func littleUInt32(_ offset: Int) -> UInt32? {
        guard has(4, at: offset) else { return nil }
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) func littleUInt64(_ offset: Int) -> UInt64? {
        guard has(8, at: offset) else { return nil }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether the ASCII text `prefix` sits at `offset`. A `StaticString` keeps the check free of
    /// allocation.
    func matches(_ prefix: StaticString, at offset: Int = 0) -> Bool {
        prefix.withUTF8Buffer { expected in
            guard has(expected.count, at: offset) else { return false }
            for index in 0..<expected.count where buffer[offset + index] != expected[index] { return false }
            return true
        }
    }

    /// Whether all `length` bytes from `offset` equal `value` (false when they are not all present).
    func isAll(_ value: UInt8, from offset: Int, length: Int) -> Bool {
        guard has(length, at: offset) else { return false }
        for index in offset..<(offset + length) where buffer[index] != value { return false }
        return true
    }

    /// `length` bytes from `offset`, clamped to what is there.
    func slice(from offset: Int, length: Int) -> UnsafeRawBufferPointer {
        guard offset >= 0, offset < count, length > 0, let base = buffer.baseAddress else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: base + offset, count: min(length, count - offset))
    }

    /// Whether `needle` (lower-case ASCII) occurs in the bytes, ignoring ASCII case.
    func containsCaseInsensitive(_ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { pattern in
            guard pattern.count > 0, pattern.count <= count else { return pattern.count == 0 }
            outer: for start in 0...(count - pattern.count) {
                for index in 0..<pattern.count {
                    var byte = buffer[start + index]
                    if byte >= 0x41, byte <= 0x5A { byte |= 0x20 }
                    if byte != pattern[index] { continue outer }
                }
                return true
            }
            return false
        }
    }

    /// The printable-ASCII text from `offset` up to the first CR, LF or other control byte, at
    /// most `limit` bytes. Allocates: for a match's detail only.
    func line(from offset: Int, limit: Int) -> String {
        var end = offset
        while end < count, end - offset < limit, buffer[end] >= 0x20, buffer[end] < 0x7F { end += 1 }
        return String(decoding: slice(from: offset, length: end - offset), as: UTF8.self)
    }
}

/// Plausibility checks shared by several recognizers.
enum PayloadPlausibility {
    /// Unix seconds from 2013-01-01 to 2100-01-01: a timestamp a live client could send.
    static let unixTimes: ClosedRange<UInt32> = 1_356_998_400...4_102_444_800
}
