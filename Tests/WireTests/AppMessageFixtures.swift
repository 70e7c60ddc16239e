// Helpers for the application-message tests (DNS, TLS, HTTP, STUN): hex fixtures pasted from
// tshark, and buffers allocated to the exact byte so an over-read trips the debug bounds check.

enum AppFixture {
    /// Bytes from hex text as tshark prints it (`-e tcp.payload`); whitespace and newlines ignored.
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8? = nil
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            default: continue
            }
            if let h = high {
                result.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        precondition(high == nil, "odd number of hex digits in a fixture")
        return result
    }

    /// Runs `body` over a fresh allocation holding exactly `bytes`, so no slack follows them.
    static func withExact<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        return try body(UnsafeRawBufferPointer(buffer))
    }

    /// Calls `body` with every strict prefix of `bytes` (lengths 0 through count − 1).
    static func forEachTruncation(of bytes: [UInt8], _ body: (Int, UnsafeRawBufferPointer) -> Void) {
        for length in 0..<bytes.count {
            withExact(bytes[0..<length]) { body(length, $0) }
        }
    }

    /// Calls `body` with copies of `bytes` in which one byte is replaced by each of a few values
    /// chosen to hit length fields, pointers and type bytes.
    static func forEachCorruption(of bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
        let values: [UInt8] = [0x00, 0x01, 0x03, 0x0C, 0x16, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFE, 0xFF]
        var copy = bytes
        for index in bytes.indices {
            for value in values where value != bytes[index] {
                copy[index] = value
                withExact(copy) { body($0) }
            }
            copy[index] = bytes[index]
        }
    }

    /// Hex for a region of bytes, for readable expectations.
    static func hex(_ bytes: UnsafeRawBufferPointer?) -> String? {
        guard let bytes else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Text for a region of bytes.
    static func text(_ bytes: UnsafeRawBufferPointer?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }
}
