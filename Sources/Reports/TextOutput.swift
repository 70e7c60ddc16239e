#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Wire

/// A buffered writer to a file descriptor (stdout, or a file from `-o`). Reports are written
/// as they are produced, so a long capture's flow log never has to sit in memory.
public final class TextOutput: TextOutputStream {
    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case writeFailed(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): "cannot write '\(path)': \(reason)"
            case .writeFailed(let path, let reason): "writing '\(path)' failed: \(reason)"
            }
        }
    }

    let descriptor: Int32
    let ownsDescriptor: Bool
    public let path: String
    /// The pending bytes: `count` of `capacity` used. Raw storage rather than an array, so the
    /// record writers append byte by byte without uniqueness or exclusivity checks.
    var storage: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var count = 0
    public private(set) var failure: Failure?

    /// Written out once this much is pending.
    static let flushThreshold = 1 << 16

    public static func standardOutput() -> TextOutput { TextOutput(descriptor: 1, path: "standard output", owns: false) }
    public static func standardError() -> TextOutput { TextOutput(descriptor: 2, path: "standard error", owns: false) }

    /// Opens (creating or truncating) `path` for writing.
    public init(path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        descriptor = fd
        ownsDescriptor = true
        self.path = path
        capacity = 2 * TextOutput.flushThreshold
        storage = .allocate(capacity: capacity)
    }

    init(descriptor: Int32, path: String, owns: Bool) {
        self.descriptor = descriptor
        self.ownsDescriptor = owns
        self.path = path
        capacity = 2 * TextOutput.flushThreshold
        storage = .allocate(capacity: capacity)
    }

    deinit {
        flush()
        storage.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    /// Whether this output is a terminal (a table for people rather than a machine format).
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    public func write(_ string: String) {
        var s = string
        s.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Appends raw bytes (already UTF-8).
    public func append(bytes: UnsafeRawBufferPointer) {
        appendBytes { $0.append(bytes) }
    }

    /// Appends a literal.
    public func appendASCII(_ text: StaticString) {
        appendBytes { $0.ascii(text) }
    }

    /// Lets `body` append a whole record straight into the output buffer (no intermediate
    /// String), then writes the buffer out when enough is pending.
    func appendBytes(_ body: (inout TextBytes) -> Void) {
        var bytes = TextBytes(base: storage, count: count, capacity: capacity)
        body(&bytes)
        storage = bytes.base
        count = bytes.count
        capacity = bytes.capacity
        if count >= TextOutput.flushThreshold { flush() }
    }

    public func flush() {
        guard count > 0, failure == nil else { count = 0; return }
        var written = 0
        while written < count {
            let n = Glibc.write(descriptor, storage + written, count - written)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .writeFailed(path: path, reason: String(cString: strerror(errno)))
                break
            }
            written += n
        }
        count = 0
    }
}

/// Bytes of text being appended to a `TextOutput`'s buffer, with the formatting the
/// machine-readable reports need: integers, fixed decimals, IP addresses and JSON strings written
/// digit by digit, without a String. It owns the buffer while it is in use (`appendBytes`).
struct TextBytes {
    var base: UnsafeMutablePointer<UInt8>
    var count: Int
    var capacity: Int

    /// Makes room for `extra` more bytes.
    @inline(__always) mutating func reserve(_ extra: Int) {
        if capacity - count < extra { grow(extra) }
    }

    mutating func grow(_ extra: Int) {
        var newCapacity = Swift.max(2 * capacity, 64)
        while newCapacity - count < extra { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// The bytes appended so far (tests).
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(__always) mutating func byte(_ value: UInt8) {
        reserve(1)
        base[count] = value
        count &+= 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count &+= bytes.count
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(bytes))
    }

    /// Bytes kept in 32-byte slots (`slot`), so short constant texts are copied as four words.
    static let slotSize = 32

    /// Appends the first `length` bytes of a 32-byte slot at `source`: four 8-byte moves, the
    /// bytes past `length` overwritten by what comes next.
    @inline(__always) mutating func slot(_ source: UnsafeRawPointer, length: Int) {
        reserve(TextBytes.slotSize)
        let target = UnsafeMutableRawPointer(base + count)
        target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 24, as: UInt64.self), toByteOffset: 24, as: UInt64.self)
        count &+= length
    }

    @inline(__always) mutating func ascii(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    mutating func bytes(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// The UTF-8 of `text`, unchanged.
    mutating func utf8(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text.utf8 { self.byte(byte) }
        }
    }

    /// Decimal digits, as `String(value)` spells them.
    mutating func decimal(_ value: Int) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        unsigned(UInt64(value.magnitude))
    }

    mutating func unsigned(_ value: UInt64) {
        if value < 10 {
            byte(0x30 &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var digits = 2
        var power: UInt64 = 100
        while digits < 20 && value >= power {
            digits &+= 1
            if digits < 20 { power &*= 10 }
        }
        reserve(digits)
        var rest = value
        var index = count &+ digits
        // Two digits per step.
        while rest >= 100 {
            let pair = UInt8(truncatingIfNeeded: rest % 100)
            rest /= 100
            index &-= 2
            base[index] = 0x30 &+ pair / 10
            base[index &+ 1] = 0x30 &+ pair % 10
        }
        if rest >= 10 {
            let pair = UInt8(truncatingIfNeeded: rest)
            base[index &- 2] = 0x30 &+ pair / 10
            base[index &- 1] = 0x30 &+ pair % 10
        } else {
            base[index &- 1] = 0x30 &+ UInt8(truncatingIfNeeded: rest)
        }
        count &+= digits
    }

    /// `value` in exactly `width` digits, zero-padded (value < 10^width).
    mutating func zeroPadded(_ value: UInt64, width: Int) {
        reserve(width)
        var rest = value
        var index = count &+ width
        while index > count {
            index &-= 1
            base[index] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        count &+= width
    }

    /// Nanoseconds as seconds with `fractionDigits` decimals, rounded; the same text as
    /// `TimeFormatting.decimal(nanoseconds:fractionDigits:)`.
    mutating func seconds(nanoseconds: Int64, fractionDigits: Int = 6) {
        if fractionDigits == 6 {
            // The flow logs' precision: microseconds.
            let scaled = (nanoseconds.magnitude + 500) / 1000
            if nanoseconds < 0 { byte(UInt8(ascii: "-")) }
            unsigned(scaled / 1_000_000)
            byte(UInt8(ascii: "."))
            zeroPadded(scaled % 1_000_000, width: 6)
            return
        }
        let digits = min(9, max(0, fractionDigits))
        var divisor: UInt64 = 1
        for _ in 0..<(9 - digits) { divisor &*= 10 }
        let scaled = (nanoseconds.magnitude + divisor / 2) / divisor
        var unit: UInt64 = 1
        for _ in 0..<digits { unit &*= 10 }
        if nanoseconds < 0 { byte(UInt8(ascii: "-")) }
        unsigned(scaled / unit)
        if digits > 0 {
            byte(UInt8(ascii: "."))
            zeroPadded(scaled % unit, width: digits)
        }
    }

    /// `low`, or "low-high" when they differ (TTL and IP-ID ranges).
    mutating func range(_ low: UInt32, _ high: UInt32) {
        unsigned(UInt64(low))
        if low != high {
            byte(UInt8(ascii: "-"))
            unsigned(UInt64(high))
        }
    }

    /// RFC 5952 text, the same as `IPAddress.description`: a dotted quad for IPv4 (and
    /// IPv4-mapped) addresses, lower-case hex with the longest run of zero groups compressed.
    mutating func address(_ address: IPAddress) {
        if let v4 = address.ipv4 {
            unsigned(UInt64(v4 >> 24))
            byte(UInt8(ascii: "."))
            unsigned(UInt64((v4 >> 16) & 0xFF))
            byte(UInt8(ascii: "."))
            unsigned(UInt64((v4 >> 8) & 0xFF))
            byte(UInt8(ascii: "."))
            unsigned(UInt64(v4 & 0xFF))
            return
        }
        @inline(__always) func group(_ k: Int) -> UInt16 {
            let word = k < 4 ? address.high : address.low
            return UInt16(truncatingIfNeeded: word >> (48 - 16 * UInt64(k & 3)))
        }
        // Longest run of two or more zero groups, the first one on a tie.
        var bestStart = -1, bestLength = 0, runStart = -1
        for k in 0...8 {
            if k < 8 && group(k) == 0 {
                if runStart < 0 { runStart = k }
            } else if runStart >= 0 {
                if k - runStart > bestLength { bestStart = runStart; bestLength = k - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var k = 0
        var wroteAny = false
        var endsWithColon = false
        while k < 8 {
            if k == bestStart {
                byte(UInt8(ascii: ":"))
                byte(UInt8(ascii: ":"))
                wroteAny = true
                endsWithColon = true
                k += bestLength
                continue
            }
            if wroteAny && !endsWithColon { byte(UInt8(ascii: ":")) }
            hex(group(k))
            wroteAny = true
            endsWithColon = false
            k += 1
        }
    }

    /// Lower-case hex without leading zeros ("0" for zero), as `String(value, radix: 16)`.
    mutating func hex(_ value: UInt16) {
        var shift = 12
        while shift > 0 && (value >> UInt16(shift)) == 0 { shift -= 4 }
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt16(shift)) & 0x0F
            byte(nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble)
            shift -= 4
        }
    }

    /// A JSON string literal, escaped as `FlowLogWriter.jsonString` escapes it: quote, backslash
    /// and control characters; everything else (UTF-8 included) passes through.
    mutating func jsonString(_ text: String) {
        byte(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ jsonEscaped($0) }) == nil {
            jsonEscaped(Array(text.utf8))
        }
        byte(UInt8(ascii: "\""))
    }

    mutating func jsonEscaped<C: Collection>(_ utf8: C) where C.Element == UInt8 {
        var plain = true
        for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { plain = false; break }
        if plain {
            if utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
                for b in utf8 { byte(b) }
            }
            return
        }
        for b in utf8 {
            switch b {
            case 0x22: ascii("\\\"")
            case 0x5C: ascii("\\\\")
            case 0x0A: ascii("\\n")
            case 0x09: ascii("\\t")
            case 0x0D: ascii("\\r")
            case 0..<0x20:
                ascii("\\u00")
                byte(b < 0x10 ? 0x30 : 0x31)
                let low = b & 0x0F
                byte(low < 10 ? 0x30 &+ low : 0x57 &+ low)
            default: byte(b)
            }
        }
    }
}
