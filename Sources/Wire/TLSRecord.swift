/// A view of one whole TLS record (RFC 8446 §5.1): 5-byte header and fragment.
public struct TLSRecord {
    /// The record, header included, trimmed to its length.
    public let bytes: UnsafeRawBufferPointer

    public static let headerLength = 5
    /// Plaintext fragments are at most 2^14 bytes; TLS 1.2 ciphertext may reach 2^14 + 2,048
    /// (RFC 5246 §6.2.3), TLS 1.3's 2^14 + 256. One bound for every record type keeps this simple.
    public static let maximumFragmentLength = 16_384 + 2_048

    /// Validates a header that looks like TLS and that the whole record is present.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let length = TLSRecord.recordLength(bytes), bytes.count >= length else { return nil }
        self.bytes = bytes.slice(from: 0, length: length)
    }

    /// The total length (header + fragment) of the record that `bytes` starts with, read from its
    /// header alone, or nil when those first 5 bytes do not look like a TLS record.
    public static func recordLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= headerLength,
              case .some = TLSContentType(known: bytes.byte(at: 0)),
              bytes.byte(at: 1) == 3, bytes.byte(at: 2) <= 4 else { return nil }
        let length = Int(bytes.uint16(at: 3))
        guard length > 0, length <= maximumFragmentLength else { return nil }
        return headerLength + length
    }

    @inlinable public var contentType: TLSContentType { TLSContentType(rawValue: bytes.byte(at: 0)) }
    /// The record-layer version (0x0301 or 0x0303 in practice, whatever is negotiated).
    @inlinable public var version: TLSVersion { TLSVersion(rawValue: bytes.uint16(at: 1)) }
    /// The fragment length.
    @inlinable public var length: Int { Int(bytes.uint16(at: 3)) }
    @inlinable public var fragment: UnsafeRawBufferPointer { bytes.suffix(from: TLSRecord.headerLength) }

    /// The records at the front of `bytes`, in order, stopping at the first incomplete or non-TLS one.
    public static func records(in bytes: UnsafeRawBufferPointer) -> TLSRecords { TLSRecords(bytes: bytes) }
}

/// Consecutive whole TLS records, iterated without allocating.
public struct TLSRecords: Sequence, IteratorProtocol {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    /// How many bytes the records returned so far used.
    public var consumed: Int { offset }

    public mutating func next() -> TLSRecord? {
        guard let record = TLSRecord(bytes.suffix(from: offset)) else { return nil }
        offset += record.bytes.count
        return record
    }
}

/// A record's content type; unnamed types are kept as `.unknown(raw)`.
public enum TLSContentType: Sendable, Hashable {
    case changeCipherSpec, alert, handshake, applicationData, heartbeat
    case unknown(UInt8)

    @inlinable public init(rawValue: UInt8) {
        self = TLSContentType(known: rawValue) ?? .unknown(rawValue)
    }

    @inlinable init?(known rawValue: UInt8) {
        switch rawValue {
        case 20: self = .changeCipherSpec
        case 21: self = .alert
        case 22: self = .handshake
        case 23: self = .applicationData
        case 24: self = .heartbeat
        default: return nil
        }
    }
}

/// A protocol version as carried in records, hellos and supported_versions.
public enum TLSVersion: Sendable, Hashable, CustomStringConvertible {
    case ssl3, tls10, tls11, tls12, tls13
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 0x0300: self = .ssl3
        case 0x0301: self = .tls10
        case 0x0302: self = .tls11
        case 0x0303: self = .tls12
        case 0x0304: self = .tls13
        default: self = .unknown(rawValue)
        }
    }

    @inlinable public var rawValue: UInt16 {
        switch self {
        case .ssl3: 0x0300
        case .tls10: 0x0301
        case .tls11: 0x0302
        case .tls12: 0x0303
        case .tls13: 0x0304
        case .unknown(let raw): raw
        }
    }

    /// A GREASE value (RFC 8701), which clients list to keep servers tolerant, never to negotiate.
    @inlinable public var isGREASE: Bool { TLSGREASE.contains(rawValue) }

    public var description: String {
        switch self {
        case .ssl3: "SSL 3.0"
        case .tls10: "TLS 1.0"
        case .tls11: "TLS 1.1"
        case .tls12: "TLS 1.2"
        case .tls13: "TLS 1.3"
        case .unknown(let raw): "0x" + String(raw, radix: 16)
        }
    }
}

/// RFC 8701 GREASE values: 0x0A0A, 0x1A1A, … 0xFAFA.
public enum TLSGREASE {
    @inlinable public static func contains(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
    }
}

/// A handshake message type (RFC 8446 §4); unnamed types are kept as `.unknown(raw)`.
public enum TLSHandshakeType: Sendable, Hashable {
    case helloRequest, clientHello, serverHello, newSessionTicket, endOfEarlyData, encryptedExtensions
    case certificate, serverKeyExchange, certificateRequest, serverHelloDone, certificateVerify
    case clientKeyExchange, finished, keyUpdate
    case unknown(UInt8)

    @inlinable public init(rawValue: UInt8) {
        switch rawValue {
        case 0: self = .helloRequest
        case 1: self = .clientHello
        case 2: self = .serverHello
        case 4: self = .newSessionTicket
        case 5: self = .endOfEarlyData
        case 8: self = .encryptedExtensions
        case 11: self = .certificate
        case 12: self = .serverKeyExchange
        case 13: self = .certificateRequest
        case 14: self = .serverHelloDone
        case 15: self = .certificateVerify
        case 16: self = .clientKeyExchange
        case 20: self = .finished
        case 24: self = .keyUpdate
        default: self = .unknown(rawValue)
        }
    }
}

/// A view of one whole handshake message (RFC 8446 §4): type, 3-byte length, body. QUIC carries
/// these directly in CRYPTO frames, without the record layer.
public struct TLSHandshakeMessage {
    /// The message, header included, trimmed to its length.
    public let bytes: UnsafeRawBufferPointer

    public static let headerLength = 4

    /// Validates that the whole message is present.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= TLSHandshakeMessage.headerLength else { return nil }
        let length = TLSHandshakeMessage.headerLength + Int(bytes.uint32(at: 0) & 0x00FF_FFFF)
        guard bytes.count >= length else { return nil }
        self.bytes = bytes.slice(from: 0, length: length)
    }

    @inlinable public var type: TLSHandshakeType { TLSHandshakeType(rawValue: bytes.byte(at: 0)) }
    /// The body length.
    @inlinable public var length: Int { bytes.count - TLSHandshakeMessage.headerLength }
    @inlinable public var body: UnsafeRawBufferPointer { bytes.suffix(from: TLSHandshakeMessage.headerLength) }

    /// Copies the handshake message that starts the record stream `records` — split over several
    /// handshake records, as circumvention tools and some large hellos do — into `buffer`, and
    /// returns the copied message. Nil when the stream is incomplete, not a run of handshake
    /// records, or `buffer` is too small (`.fragmented(messageLength:)` says the size needed).
    public static func coalesce(records: UnsafeRawBufferPointer,
                                into buffer: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let destination = buffer.baseAddress else { return nil }
        var copied = 0
        var needed = headerLength
        var offset = 0
        while copied < needed {
            guard let record = TLSRecord(records.suffix(from: offset)),
                  record.contentType == .handshake, let source = record.fragment.baseAddress else { return nil }
            let fragment = record.fragment
            var position = 0
            while position < fragment.count, copied < needed {
                let take = Swift.min(fragment.count - position, needed - copied)
                guard copied + take <= buffer.count else { return nil }
                (destination + copied).copyMemory(from: source + position, byteCount: take)
                copied += take
                position += take
                if needed == headerLength, copied == headerLength {
                    // The 3-byte length is in the buffer now: the whole message's size is known.
                    let header = UnsafeRawBufferPointer(start: destination, count: headerLength)
                    needed = headerLength + Int(header.uint32(at: 0) & 0x00FF_FFFF)
                }
            }
            offset += record.bytes.count
        }
        return UnsafeRawBufferPointer(start: buffer.baseAddress, count: copied)
    }
}

/// What the first bytes of one direction of a TCP connection hold, as far as one expected
/// handshake message (a ClientHello from the client, a ServerHello from the server) goes.
public enum TLSHandshakeScan<Message> {
    /// The message is whole, inside one record.
    case complete(Message)
    /// The stream must hold at least this many bytes (counted from its start) to go further.
    case needMoreBytes(Int)
    /// All of the message is present but split over several records: copy it out with
    /// `TLSHandshakeMessage.coalesce(records:into:)` into a buffer of `messageLength` bytes.
    case fragmented(messageLength: Int)
    /// Not a TLS handshake record carrying that message.
    case notTLS
    /// Looks like TLS, but the message inside does not parse.
    case malformed
}

/// The record walk behind `TLSClientHello.scan` and `TLSServerHello.scan`.
enum TLSHandshakeScanner {
    enum Result {
        case single(UnsafeRawBufferPointer)
        case needMoreBytes(Int)
        case fragmented(Int)
        case notTLS
        case malformed
    }

    /// Largest handshake message accepted: a ClientHello's own length fields cap it near 2^17.
    static let maximumMessageLength = 1 << 17

    static func scan(_ stream: UnsafeRawBufferPointer, expecting type: UInt8) -> Result {
        // Reject early on the first bytes, so a flow's first segment is classified at once.
        if stream.count >= 1, stream.byte(at: 0) != 22 { return .notTLS }
        if stream.count >= 2, stream.byte(at: 1) != 3 { return .notTLS }
        if stream.count >= 3, stream.byte(at: 2) > 4 { return .notTLS }
        if stream.count >= 6, stream.byte(at: 5) != type { return .notTLS }
        var offset = 0
        var collected = 0
        var header: UInt32 = 0
        var messageLength = -1
        var records = 0
        while true {
            let minimumNeeded = messageLength < 0 ? TLSHandshakeMessage.headerLength : messageLength
            guard offset + TLSRecord.headerLength <= stream.count else {
                return .needMoreBytes(offset + TLSRecord.headerLength + (minimumNeeded - collected))
            }
            let recordType = stream.byte(at: offset)
            guard recordType == 22 else { return records == 0 ? .notTLS : .malformed }
            let fragmentLength = Int(stream.uint16(at: offset + 3))
            // The same header checks as `TLSRecord.recordLength`, so `coalesce` accepts what this accepts.
            guard stream.byte(at: offset + 1) == 3, stream.byte(at: offset + 2) <= 4, fragmentLength > 0,
                  fragmentLength <= TLSRecord.maximumFragmentLength else { return records == 0 ? .notTLS : .malformed }
            records += 1
            let fragmentStart = offset + TLSRecord.headerLength
            let available = Swift.min(fragmentLength, stream.count - fragmentStart)
            // Gather the 4-byte handshake header, which a tool may split over records.
            var index = 0
            while collected + index < TLSHandshakeMessage.headerLength, index < available {
                header = header << 8 | UInt32(stream.byte(at: fragmentStart + index))
                index += 1
            }
            if messageLength < 0, collected + index >= TLSHandshakeMessage.headerLength {
                guard header >> 24 == UInt32(type) else { return records == 1 ? .notTLS : .malformed }
                messageLength = TLSHandshakeMessage.headerLength + Int(header & 0x00FF_FFFF)
                guard messageLength <= maximumMessageLength else { return .malformed }
            }
            if messageLength >= 0, collected + fragmentLength >= messageLength {
                // This record finishes the message.
                let missing = messageLength - collected
                guard available >= missing else { return .needMoreBytes(fragmentStart + missing) }
                return records == 1 ? .single(stream.slice(from: fragmentStart, length: messageLength))
                                    : .fragmented(messageLength)
            }
            guard available == fragmentLength else { return .needMoreBytes(fragmentStart + fragmentLength) }
            collected += fragmentLength
            offset = fragmentStart + fragmentLength
        }
    }

    /// Runs `scan` and, for a message inside one record, builds its view with `make`.
    static func scan<Message>(_ stream: UnsafeRawBufferPointer, expecting type: UInt8,
                              make: (UnsafeRawBufferPointer) -> Message?) -> TLSHandshakeScan<Message> {
        switch scan(stream, expecting: type) {
        case .single(let bytes): make(bytes).map { .complete($0) } ?? .malformed
        case .needMoreBytes(let count): .needMoreBytes(count)
        case .fragmented(let length): .fragmented(messageLength: length)
        case .notTLS: .notTLS
        case .malformed: .malformed
        }
    }
}
