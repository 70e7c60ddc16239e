/// The fixed 12-byte DNS header (RFC 1035 §4.1.1). On its own it survives a snaplen cut that
/// loses the records: the response code of a cut NXDOMAIN answer is still evidence.
public struct DNSHeader {
    public let bytes: UnsafeRawBufferPointer

    /// The header is 12 bytes; anything shorter is not DNS.
    public static let length = 12

    /// Validates that the 12 header bytes are present.
    @inlinable public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= DNSHeader.length else { return nil }
        self.bytes = bytes
    }

    @inlinable public var id: UInt16 { bytes.uint16(at: 0) }
    /// The 16 flag bits: QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE.
    @inlinable public var flags: UInt16 { bytes.uint16(at: 2) }
    /// QR: set in responses.
    @inlinable public var isResponse: Bool { flags & 0x8000 != 0 }
    @inlinable public var opcode: DNSOpcode { DNSOpcode(rawValue: UInt8((flags >> 11) & 0x0F)) }
    @inlinable public var isAuthoritative: Bool { flags & 0x0400 != 0 }
    /// TC: the answer did not fit; the client will usually retry over TCP.
    @inlinable public var isTruncated: Bool { flags & 0x0200 != 0 }
    @inlinable public var isRecursionDesired: Bool { flags & 0x0100 != 0 }
    @inlinable public var isRecursionAvailable: Bool { flags & 0x0080 != 0 }
    @inlinable public var isAuthenticData: Bool { flags & 0x0020 != 0 }
    @inlinable public var isCheckingDisabled: Bool { flags & 0x0010 != 0 }
    @inlinable public var responseCode: DNSResponseCode { DNSResponseCode(rawValue: UInt8(flags & 0x0F)) }
    @inlinable public var questionCount: Int { Int(bytes.uint16(at: 4)) }
    @inlinable public var answerCount: Int { Int(bytes.uint16(at: 6)) }
    @inlinable public var authorityCount: Int { Int(bytes.uint16(at: 8)) }
    @inlinable public var additionalCount: Int { Int(bytes.uint16(at: 10)) }
}

/// A view of a whole DNS message (RFC 1035 §4.1). Creating one walks every question and record
/// the header counts, so afterwards no accessor can trap and, for a complete message, iteration
/// yields every counted entry.
public struct DNSMessage {
    /// The message bytes (for DNS over TCP: after the 2-byte length prefix).
    public let bytes: UnsafeRawBufferPointer
    /// Offsets where the answer, authority and additional sections start, and where the last
    /// record ends (bytes after it, if any, are ignored). In an incomplete message, sections
    /// past the cut start, and the message ends, at the end of the bytes.
    public let answerOffset: Int
    public let authorityOffset: Int
    public let additionalOffset: Int
    public let endOffset: Int

    /// Whether every counted question and record is present and well-formed. Always true for
    /// messages made with `init?(_:)`.
    public let isComplete: Bool

    /// Validates the header and every counted question and record: names well-formed (pointer
    /// loops and overlong names rejected), fixed fields present, record data inside the message.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let walk = DNSMessage.walk(bytes), walk.complete else { return nil }
        self.init(bytes: bytes, walk: walk)
    }

    /// Like `init?(_:)`, but keeps a message cut short by the snaplen or a damaged capture: the
    /// sections yield the questions and records that are whole, up to the first one that is not,
    /// and `isComplete` is false. Nil only when the 12-byte header itself is missing.
    public init?(acceptingTruncation bytes: UnsafeRawBufferPointer) {
        guard let walk = DNSMessage.walk(bytes) else { return nil }
        self.init(bytes: bytes, walk: walk)
    }

    private init(bytes: UnsafeRawBufferPointer, walk: Walk) {
        self.bytes = bytes
        self.answerOffset = walk.answers
        self.authorityOffset = walk.authorities
        self.additionalOffset = walk.additionals
        self.endOffset = walk.end
        self.isComplete = walk.complete
    }

    /// Where each section starts, found by walking the message once.
    private struct Walk {
        var answers: Int, authorities: Int, additionals: Int, end: Int
        var complete: Bool
    }

    /// Walks every counted entry. Sections after the first bad entry start at the end of the
    /// bytes, so iterating them yields nothing.
    private static func walk(_ bytes: UnsafeRawBufferPointer) -> Walk? {
        guard let header = DNSHeader(bytes) else { return nil }
        var offset = DNSHeader.length
        var walk = Walk(answers: bytes.count, authorities: bytes.count, additionals: bytes.count,
                        end: bytes.count, complete: false)
        for _ in 0..<header.questionCount {
            guard let end = endOfQuestion(in: bytes, at: offset) else { return walk }
            offset = end
        }
        walk.answers = offset
        for _ in 0..<header.answerCount {
            guard let end = endOfRecord(in: bytes, at: offset) else { return walk }
            offset = end
        }
        walk.authorities = offset
        for _ in 0..<header.authorityCount {
            guard let end = endOfRecord(in: bytes, at: offset) else { return walk }
            offset = end
        }
        walk.additionals = offset
        for _ in 0..<header.additionalCount {
            guard let end = endOfRecord(in: bytes, at: offset) else { return walk }
            offset = end
        }
        walk.end = offset
        walk.complete = true
        return walk
    }

    @inlinable public var header: DNSHeader { DNSHeader(unchecked: bytes) }
    @inlinable public var id: UInt16 { header.id }
    @inlinable public var flags: UInt16 { header.flags }
    @inlinable public var isResponse: Bool { header.isResponse }
    @inlinable public var opcode: DNSOpcode { header.opcode }
    @inlinable public var isTruncated: Bool { header.isTruncated }
    @inlinable public var responseCode: DNSResponseCode { header.responseCode }
    @inlinable public var questionCount: Int { header.questionCount }
    @inlinable public var answerCount: Int { header.answerCount }
    @inlinable public var authorityCount: Int { header.authorityCount }
    @inlinable public var additionalCount: Int { header.additionalCount }

    /// The question section.
    public var questions: DNSQuestions {
        DNSQuestions(message: bytes, offset: DNSHeader.length, count: questionCount)
    }

    /// The first question, which is the only one in practice.
    public var question: DNSQuestion? {
        var iterator = questions.makeIterator()
        return iterator.next()
    }

    /// The answer section.
    public var answers: DNSRecords {
        DNSRecords(message: bytes, offset: answerOffset, count: answerCount, section: .answer)
    }

    /// The authority section (an SOA here marks a negative answer).
    public var authorities: DNSRecords {
        DNSRecords(message: bytes, offset: authorityOffset, count: authorityCount, section: .authority)
    }

    /// The additional section (EDNS's OPT record included).
    public var additionals: DNSRecords {
        DNSRecords(message: bytes, offset: additionalOffset, count: additionalCount, section: .additional)
    }

    /// Every record of the three sections, in order.
    public var records: DNSRecords {
        DNSRecords(message: bytes, offset: answerOffset, count: answerCount + authorityCount + additionalCount,
                   section: .answer, sectionCounts: (answerCount, authorityCount))
    }

    /// The name at `offset`, in presentation form (`www.example.com`), or nil when no valid name
    /// starts there. Allocates: meant for once per flow, not per packet.
    public func name(at offset: Int) -> String? {
        DNSName(in: bytes, at: offset)?.text
    }

    /// RFC 7766: over TCP each message follows a 2-byte length. Splits the first message off
    /// the front of `stream`.
    public static func tcpFrame(in stream: UnsafeRawBufferPointer) -> DNSTCPFrame {
        guard stream.count >= 2 else { return .needMoreBytes(2 + DNSHeader.length) }
        let length = Int(stream.uint16(at: 0))
        // A message shorter than its own header cannot be DNS.
        guard length >= DNSHeader.length else { return .notDNS }
        guard stream.count >= 2 + length else { return .needMoreBytes(2 + length) }
        return .complete(message: stream.slice(from: 2, length: length), frameLength: 2 + length)
    }

    /// The offset just past a question (name, type, class) at `offset`.
    static func endOfQuestion(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard let name = DNSName(in: bytes, at: offset) else { return nil }
        let end = offset + name.encodedLength + 4
        return end <= bytes.count ? end : nil
    }

    /// The offset just past a resource record (name, type, class, TTL, length, data) at `offset`.
    static func endOfRecord(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard let name = DNSName(in: bytes, at: offset) else { return nil }
        let fixed = offset + name.encodedLength
        guard fixed + 10 <= bytes.count else { return nil }
        let end = fixed + 10 + Int(bytes.uint16(at: fixed + 8))
        return end <= bytes.count ? end : nil
    }
}

extension DNSHeader {
    /// For views that already proved the 12 bytes are there.
    @inlinable init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// The first DNS message of a TCP stream, split off its 2-byte length prefix.
public enum DNSTCPFrame {
    /// The message, and how many stream bytes (prefix included) it used.
    case complete(message: UnsafeRawBufferPointer, frameLength: Int)
    /// The stream must hold at least this many bytes before the message is complete.
    case needMoreBytes(Int)
    /// The length prefix is too small for any DNS message.
    case notDNS
}

/// Which section a record came from.
public enum DNSSection: Sendable, Hashable {
    case answer, authority, additional
}

/// One entry of the question section.
public struct DNSQuestion {
    public let name: DNSName
    public let type: DNSRecordType
    /// The raw class field (mDNS uses its top bit for "unicast response").
    public let rawClass: UInt16

    /// The class, ignoring mDNS's top bit.
    @inlinable public var dnsClass: DNSClass { DNSClass(rawValue: rawClass & 0x7FFF) }
}

/// The question section, iterated without allocating.
public struct DNSQuestions: Sequence, IteratorProtocol {
    let message: UnsafeRawBufferPointer
    var offset: Int
    var remaining: Int

    init(message: UnsafeRawBufferPointer, offset: Int, count: Int) {
        self.message = message
        self.offset = offset
        self.remaining = count
    }

    public mutating func next() -> DNSQuestion? {
        guard remaining > 0, let name = DNSName(in: message, at: offset) else { return nil }
        let fixed = offset + name.encodedLength
        guard fixed + 4 <= message.count else { remaining = 0; return nil }
        remaining -= 1
        offset = fixed + 4
        return DNSQuestion(name: name, type: DNSRecordType(rawValue: message.uint16(at: fixed)),
                           rawClass: message.uint16(at: fixed + 2))
    }
}

/// One resource record (RFC 1035 §4.1.3), with its data as a view.
public struct DNSRecord {
    /// The whole message, which names in the data may point into.
    public let message: UnsafeRawBufferPointer
    /// The owner name.
    public let name: DNSName
    public let type: DNSRecordType
    /// The raw class field (mDNS uses its top bit for "cache flush"; OPT carries a UDP size here).
    public let rawClass: UInt16
    /// Seconds the answer may be cached: also how long an address-to-name mapping stays credible.
    public let ttl: UInt32
    /// Where the record data starts in `message` (names inside it may point elsewhere).
    public let dataOffset: Int
    /// The record data (RDATA).
    public let data: UnsafeRawBufferPointer
    public let section: DNSSection

    /// The class, ignoring mDNS's top bit.
    @inlinable public var dnsClass: DNSClass { DNSClass(rawValue: rawClass & 0x7FFF) }

    /// The address of an A (4 bytes) or AAAA (16 bytes) record; nil for other types or a bad length.
    public var address: IPAddress? {
        switch type {
        case .a where data.count == 4:
            IPAddress(ipv4: data.uint32(at: 0))
        case .aaaa where data.count == 16:
            IPAddress(high: data.uint64(at: 0), low: data.uint64(at: 8))
        default:
            nil
        }
    }

    /// The name a CNAME, DNAME, NS or PTR record points to; nil for other types or malformed data.
    public var target: DNSName? {
        switch type {
        case .cname, .dname, .ns, .ptr:
            // The target must fill the record data exactly.
            guard let name = DNSName(in: message, at: dataOffset, end: dataOffset + data.count),
                  name.encodedLength == data.count else { return nil }
            return name
        default:
            return nil
        }
    }

    /// The parameters of an SVCB or HTTPS record (RFC 9460); nil for other types or malformed data.
    public var serviceBinding: DNSServiceBinding? {
        switch type {
        case .svcb, .https: DNSServiceBinding(message: message, dataOffset: dataOffset, dataLength: data.count)
        default: nil
        }
    }
}

/// Records of one or more sections, iterated without allocating.
public struct DNSRecords: Sequence, IteratorProtocol {
    let message: UnsafeRawBufferPointer
    var offset: Int
    var remaining: Int
    var section: DNSSection
    /// When iterating all sections: records left before the section changes.
    var untilNextSection: Int
    var authorityCount: Int

    init(message: UnsafeRawBufferPointer, offset: Int, count: Int, section: DNSSection,
         sectionCounts: (answers: Int, authorities: Int)? = nil) {
        self.message = message
        self.offset = offset
        self.remaining = count
        self.section = section
        self.untilNextSection = sectionCounts?.answers ?? Int.max
        self.authorityCount = sectionCounts?.authorities ?? 0
    }

    public mutating func next() -> DNSRecord? {
        while untilNextSection == 0 {
            switch section {
            case .answer:
                section = .authority
                untilNextSection = authorityCount
            case .authority, .additional:
                section = .additional
                untilNextSection = Int.max
            }
        }
        guard remaining > 0, let name = DNSName(in: message, at: offset) else { return nil }
        let fixed = offset + name.encodedLength
        guard fixed + 10 <= message.count else { remaining = 0; return nil }
        let length = Int(message.uint16(at: fixed + 8))
        guard fixed + 10 + length <= message.count else { remaining = 0; return nil }
        remaining -= 1
        untilNextSection -= 1
        offset = fixed + 10 + length
        return DNSRecord(message: message, name: name, type: DNSRecordType(rawValue: message.uint16(at: fixed)),
                         rawClass: message.uint16(at: fixed + 2), ttl: message.uint32(at: fixed + 4),
                         dataOffset: fixed + 10, data: message.slice(from: fixed + 10, length: length),
                         section: section)
    }
}
