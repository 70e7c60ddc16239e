/// A domain name inside a DNS message (RFC 1035 §3.1, §4.1.4), possibly compressed: the view
/// records where the name starts and reads its labels on demand, following pointers.
///
/// Creating one walks the whole name once, so a loop of compression pointers, a pointer out of the
/// message or a name longer than 255 bytes is rejected up front; afterwards `Labels` cannot fail.
public struct DNSName {
    /// The whole DNS message: pointers are offsets into it.
    public let message: UnsafeRawBufferPointer
    /// Where the name starts in `message`.
    public let offset: Int
    /// Bytes the name occupies at `offset` (labels up to its zero byte or first pointer).
    public let encodedLength: Int
    /// Length of the uncompressed wire form, root byte included (at most 255).
    public let wireLength: Int
    /// Number of labels, not counting the root.
    public let labelCount: Int

    /// RFC 1035 §3.1: a name is at most 255 bytes on the wire.
    public static let maximumWireLength = 255
    /// Real messages use one or two pointers per name; the cap bounds the work a crafted chain costs.
    public static let maximumPointerHops = 32

    /// Validates the name at `offset`. Its in-place bytes must end before `end` (the end of the
    /// record data holding it, for instance); pointers may lead anywhere inside `message`.
    public init?(in message: UnsafeRawBufferPointer, at offset: Int, end: Int? = nil) {
        let limit = Swift.min(end ?? message.count, message.count)
        guard offset >= 0, offset < limit else { return nil }
        var position = offset
        var bound = limit
        var inPlaceEnd = -1
        var hops = 0, wire = 0, labels = 0
        while true {
            guard position >= 0, position < bound else { return nil }
            let length = Int(message.byte(at: position))
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    wire += 1
                    if inPlaceEnd < 0 { inPlaceEnd = position + 1 }
                    self.message = message
                    self.offset = offset
                    self.encodedLength = inPlaceEnd - offset
                    self.wireLength = wire
                    self.labelCount = labels
                    return
                }
                // The label and at least the root byte after it must fit in 255 bytes.
                wire += 1 + length
                guard wire < DNSName.maximumWireLength else { return nil }
                labels += 1
                position += 1 + length
            case 0xC0:
                guard position + 2 <= bound else { return nil }
                if inPlaceEnd < 0 { inPlaceEnd = position + 2 }
                hops += 1
                guard hops <= DNSName.maximumPointerHops else { return nil }
                position = Int(message.uint16(at: position) & 0x3FFF)
                // After the first jump the name continues wherever the pointer says.
                bound = message.count
            default:
                // 0x40 and 0x80 prefixes are extended label types, never valid in names on the wire.
                return nil
            }
        }
    }

    /// Whether this is the root name (no labels).
    @inlinable public var isRoot: Bool { labelCount == 0 }

    /// The labels in order, each a view of its bytes (no length byte), pointers followed.
    public func makeIterator() -> Labels { Labels(message: message, position: offset) }

    /// Iterates labels without allocating.
    public struct Labels: IteratorProtocol, Sequence {
        let message: UnsafeRawBufferPointer
        var position: Int
        var hops = 0

        init(message: UnsafeRawBufferPointer, position: Int) {
            self.message = message
            self.position = position
        }

        public mutating func next() -> UnsafeRawBufferPointer? {
            // The name was validated when created; the checks below only keep a broken invariant
            // from ever reading outside the message.
            while position >= 0, position < message.count {
                let length = Int(message.byte(at: position))
                if length == 0 { position = -1; return nil }
                if length & 0xC0 == 0xC0 {
                    guard position + 2 <= message.count, hops < DNSName.maximumPointerHops else { break }
                    hops += 1
                    position = Int(message.uint16(at: position) & 0x3FFF)
                    continue
                }
                guard length & 0xC0 == 0, position + 1 + length <= message.count else { break }
                let label = message.slice(from: position + 1, length: length)
                position += 1 + length
                return label
            }
            position = -1
            return nil
        }
    }

    /// The labels, as a sequence.
    public var labels: Labels { makeIterator() }

    /// Writes the presentation form (`www.example.com`, no trailing dot; `.` for the root) into
    /// `buffer`, escaping dots inside labels and unprintable bytes as dig does (`\.`, `\007`).
    /// Returns the number of bytes written, or nil when `buffer` is too small (1,024 always suffices).
    public func copyText(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var count = 0
        func put(_ byte: UInt8) -> Bool {
            guard count < buffer.count else { return false }
            buffer[count] = byte
            count += 1
            return true
        }
        if isRoot { return put(UInt8(ascii: ".")) ? 1 : nil }
        var first = true
        for label in labels {
            if !first { guard put(UInt8(ascii: ".")) else { return nil } }
            first = false
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    guard put(UInt8(ascii: "\\")), put(byte) else { return nil }
                case 0x21...0x7E:
                    guard put(byte) else { return nil }
                default:
                    guard put(UInt8(ascii: "\\")),
                          put(UInt8(ascii: "0") + byte / 100),
                          put(UInt8(ascii: "0") + byte / 10 % 10),
                          put(UInt8(ascii: "0") + byte % 10) else { return nil }
                }
            }
        }
        return count
    }

    /// The presentation form as a `String`. Allocates: meant for once per flow, not per packet.
    /// Written on the stack first, so the string holds just its bytes: made with 1,024 bytes of
    /// capacity, every name a DNS flow or the name table kept cost over 1 KB.
    public var text: String {
        withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 1) { buffer in
            let count = copyText(into: buffer) ?? 0
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Whether the name equals dotted `text`, ignoring ASCII case and a trailing dot. No allocation.
    public func equals(_ text: String) -> Bool {
        matches(text, skippingLabels: 0)
    }

    /// Whether the name is `domain` or a name below it (`a.b.example.com` is under `example.com`),
    /// ignoring ASCII case. No allocation.
    public func isSubdomain(of domain: String) -> Bool {
        var domainLabels = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in domain.utf8 {
            if byte != UInt8(ascii: "."), previous == UInt8(ascii: ".") { domainLabels += 1 }
            previous = byte
        }
        guard domainLabels <= labelCount else { return false }
        return matches(domain, skippingLabels: labelCount - domainLabels)
    }

    /// Compares the labels after the first `skip` with the dot-separated parts of `text`.
    private func matches(_ text: String, skippingLabels skip: Int) -> Bool {
        var chars = text.utf8.makeIterator()
        var labels = self.labels
        for _ in 0..<skip { _ = labels.next() }
        guard var label = labels.next() else {
            // No labels left: only "" or "." match.
            guard let c = chars.next() else { return true }
            return c == UInt8(ascii: ".") && chars.next() == nil
        }
        while true {
            for byte in label {
                // A dot inside a label cannot equal the same text, where it separates labels.
                guard byte != UInt8(ascii: "."), let c = chars.next(),
                      DNSName.lowercased(c) == DNSName.lowercased(byte) else { return false }
            }
            guard let separator = chars.next() else { return labels.next() == nil }
            guard separator == UInt8(ascii: ".") else { return false }
            guard let nextLabel = labels.next() else { return chars.next() == nil }
            label = nextLabel
        }
    }

    @inlinable static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
