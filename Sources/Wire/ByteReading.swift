// The one place in Wire that reads integers out of raw packet bytes.
//
// Views validate their length once, when they are created (`init?(_:)`), and then read fields
// through these accessors. The loads are unaligned and unchecked in release builds, which is
// safe because every caller has proved `offset + width <= count` before calling; debug builds
// still trap on a violation through `loadUnaligned`'s own precondition.

extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        // Safe: the view checked `offset < count` when it was created.
        loadUnaligned(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    func uint16(at offset: Int) -> UInt16 {
        // Safe: the view checked `offset + 2 <= count` when it was created.
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func uint32(at offset: Int) -> UInt32 {
        // Safe: the view checked `offset + 4 <= count` when it was created.
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    func uint64(at offset: Int) -> UInt64 {
        // Safe: the view checked `offset + 8 <= count` when it was created.
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        // Safe: the view checked `offset + 4 <= count` when it was created.
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The bytes from `offset` to the end, or an empty buffer when `offset` is past the end.
    /// Creating a slice is bounds-checked here, so views can hand out their payloads safely.
    @inlinable @inline(__always)
    func suffix(from offset: Int) -> UnsafeRawBufferPointer {
        guard offset < count, let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: count - offset)
    }

    /// `length` bytes from `offset`, clamped to what is there.
    @inlinable @inline(__always)
    func slice(from offset: Int, length: Int) -> UnsafeRawBufferPointer {
        guard offset < count, length > 0, let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: Swift.min(length, count - offset))
    }
}
