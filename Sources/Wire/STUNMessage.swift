/// A view of a STUN message (RFC 8489, formerly RFC 5389) or a classic RFC 3489 one, which has no
/// magic cookie. Calls of WhatsApp, Signal, Telegram, Meet and Zoom set up their media with STUN
/// and TURN; the attributes name the app and the mapped and relayed addresses its media will use.
public struct STUNMessage {
    /// The message, header included, trimmed to the header's length field.
    public let bytes: UnsafeRawBufferPointer

    public static let headerLength = 20
    /// RFC 8489 §5: the fixed value that tells STUN apart from other protocols on the same port.
    public static let magicCookie: UInt32 = 0x2112_A442

    /// Validates the header (top two bits zero, length a multiple of 4 and present) and that the
    /// attributes, each padded to 4 bytes, fill the message exactly. Without the magic cookie the
    /// message must also be one of RFC 3489's six message types, since nothing else marks it.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= STUNMessage.headerLength, bytes.byte(at: 0) & 0xC0 == 0 else { return nil }
        let length = Int(bytes.uint16(at: 2))
        guard length % 4 == 0, STUNMessage.headerLength + length <= bytes.count else { return nil }
        if bytes.uint32(at: 4) != STUNMessage.magicCookie {
            switch bytes.uint16(at: 0) {
            case 0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112: break
            default: return nil
            }
        }
        let message = bytes.slice(from: 0, length: STUNMessage.headerLength + length)
        var offset = STUNMessage.headerLength
        while offset < message.count {
            guard offset + 4 <= message.count else { return nil }
            offset += 4 + STUNMessage.padded(Int(message.uint16(at: offset + 2)))
        }
        guard offset == message.count else { return nil }
        self.bytes = message
    }

    /// Attribute values are padded to a multiple of 4 bytes.
    @inlinable static func padded(_ length: Int) -> Int { (length + 3) & ~3 }

    /// Whether this is a classic RFC 3489 message (no magic cookie; no XOR addresses).
    @inlinable public var isClassic: Bool { bytes.uint32(at: 4) != STUNMessage.magicCookie }
    /// The 14-bit message type (class and method interleaved).
    @inlinable public var messageType: UInt16 { bytes.uint16(at: 0) }
    @inlinable public var messageClass: STUNClass {
        STUNClass(rawValue: UInt8(((messageType >> 7) & 0x2) | ((messageType >> 4) & 0x1)))
    }
    @inlinable public var method: STUNMethod {
        let type = messageType
        return STUNMethod(rawValue: (type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80))
    }
    /// The attributes' length (the message minus its header).
    @inlinable public var length: Int { Int(bytes.uint16(at: 2)) }
    /// The transaction id: 12 bytes after the cookie, or all 16 bytes for a classic message.
    @inlinable public var transactionID: UnsafeRawBufferPointer {
        isClassic ? bytes.slice(from: 4, length: 16) : bytes.slice(from: 8, length: 12)
    }

    /// The attributes in order.
    public var attributes: STUNAttributes {
        STUNAttributes(bytes: bytes, offset: STUNMessage.headerLength)
    }

    /// The value of the first attribute of `type`, if present.
    public func attribute(_ type: STUNAttributeType) -> UnsafeRawBufferPointer? {
        for attribute in attributes where attribute.type == type { return attribute.value }
        return nil
    }

    /// SOFTWARE (a client or server name, such as `WebRTC` or a TURN server's version).
    public var software: UnsafeRawBufferPointer? { attribute(.software) }
    /// REALM, which names the TURN provider (`google.com`, `signal.org`, …).
    public var realm: UnsafeRawBufferPointer? { attribute(.realm) }
    /// USERNAME (ICE's `remote:local` fragments in connectivity checks).
    public var username: UnsafeRawBufferPointer? { attribute(.username) }

    /// The value of an attribute of `type` as a `String`. Allocates: meant for once per flow.
    public func text(of type: STUNAttributeType) -> String? {
        attribute(type).map { String(decoding: $0, as: UTF8.self) }
    }

    /// XOR-MAPPED-ADDRESS: the client's address as the server saw it.
    public var xorMappedAddress: STUNTransportAddress? { xorAddress(.xorMappedAddress) }
    /// XOR-RELAYED-ADDRESS: the relay address a TURN server allocated.
    public var xorRelayedAddress: STUNTransportAddress? { xorAddress(.xorRelayedAddress) }
    /// XOR-PEER-ADDRESS: the peer a TURN client asks to reach.
    public var xorPeerAddress: STUNTransportAddress? { xorAddress(.xorPeerAddress) }

    /// MAPPED-ADDRESS, in the clear (classic servers, and old clients of new ones).
    public var mappedAddress: STUNTransportAddress? {
        guard let value = attribute(.mappedAddress) else { return nil }
        return STUNMessage.transportAddress(value, xor: false, header: bytes)
    }

    /// An XOR-encoded address attribute of `type` (RFC 8489 §14.2), decoded. Nil for classic
    /// messages, whose missing cookie leaves nothing to XOR with.
    public func xorAddress(_ type: STUNAttributeType) -> STUNTransportAddress? {
        guard !isClassic, let value = attribute(type) else { return nil }
        return STUNMessage.transportAddress(value, xor: true, header: bytes)
    }

    /// Whether MESSAGE-INTEGRITY (HMAC-SHA1) is present: the sender holds credentials.
    public var hasMessageIntegrity: Bool { attribute(.messageIntegrity) != nil }
    /// Whether MESSAGE-INTEGRITY-SHA256 is present.
    public var hasMessageIntegritySHA256: Bool { attribute(.messageIntegritySHA256) != nil }
    /// Whether FINGERPRINT (CRC-32) is present.
    public var hasFingerprint: Bool { attribute(.fingerprint) != nil }

    /// ERROR-CODE as a number (401 Unauthorized, 438 Stale Nonce, …).
    public var errorCode: Int? {
        guard let value = attribute(.errorCode), value.count >= 4 else { return nil }
        return Int(value.byte(at: 2) & 0x07) * 100 + Int(value.byte(at: 3))
    }

    /// Decodes MAPPED-ADDRESS layout: reserved, family (1 = IPv4, 2 = IPv6), port, address.
    static func transportAddress(_ value: UnsafeRawBufferPointer, xor: Bool,
                                 header: UnsafeRawBufferPointer) -> STUNTransportAddress? {
        guard value.count >= 4, header.count >= headerLength else { return nil }
        let family = value.byte(at: 1)
        let port = value.uint16(at: 2) ^ (xor ? UInt16(truncatingIfNeeded: magicCookie >> 16) : 0)
        switch family {
        case 1 where value.count == 8:
            let address = value.uint32(at: 4) ^ (xor ? magicCookie : 0)
            return STUNTransportAddress(address: IPAddress(ipv4: address), port: port)
        case 2 where value.count == 20:
            // IPv6 is XORed with the cookie followed by the 12-byte transaction id.
            let high = value.uint64(at: 4) ^ (xor ? header.uint64(at: 4) : 0)
            let low = value.uint64(at: 12) ^ (xor ? header.uint64(at: 12) : 0)
            return STUNTransportAddress(address: IPAddress(high: high, low: low), port: port)
        default:
            return nil
        }
    }
}

/// A message's class: the two class bits of the type.
public enum STUNClass: Sendable, Hashable {
    case request, indication, successResponse, errorResponse

    @inlinable public init(rawValue: UInt8) {
        switch rawValue & 0x3 {
        case 0: self = .request
        case 1: self = .indication
        case 2: self = .successResponse
        default: self = .errorResponse
        }
    }
}

/// A message's method (IANA "STUN Methods"); unnamed methods are kept as `.unknown(raw)`.
public enum STUNMethod: Sendable, Hashable {
    case binding, sharedSecret, allocate, refresh, send, data, createPermission, channelBind
    case connect, connectionBind, connectionAttempt
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 0x001: self = .binding
        case 0x002: self = .sharedSecret
        case 0x003: self = .allocate
        case 0x004: self = .refresh
        case 0x006: self = .send
        case 0x007: self = .data
        case 0x008: self = .createPermission
        case 0x009: self = .channelBind
        case 0x00A: self = .connect
        case 0x00B: self = .connectionBind
        case 0x00C: self = .connectionAttempt
        default: self = .unknown(rawValue)
        }
    }
}

/// An attribute type (IANA "STUN Attributes"); unnamed types are kept as `.unknown(raw)`.
public enum STUNAttributeType: Sendable, Hashable {
    case mappedAddress, responseAddress, changeRequest, sourceAddress, changedAddress, username
    case password, messageIntegrity, errorCode, unknownAttributes, reflectedFrom, channelNumber
    case lifetime, xorPeerAddress, data, realm, nonce, xorRelayedAddress, requestedAddressFamily
    case evenPort, requestedTransport, dontFragment, messageIntegritySHA256, passwordAlgorithm
    case userHash, xorMappedAddress, reservationToken, priority, useCandidate, padding, responsePort
    case connectionID, passwordAlgorithms, alternateDomain, software, alternateServer, cacheTimeout
    case fingerprint, iceControlled, iceControlling, responseOrigin, otherAddress
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 0x0001: self = .mappedAddress
        case 0x0002: self = .responseAddress
        case 0x0003: self = .changeRequest
        case 0x0004: self = .sourceAddress
        case 0x0005: self = .changedAddress
        case 0x0006: self = .username
        case 0x0007: self = .password
        case 0x0008: self = .messageIntegrity
        case 0x0009: self = .errorCode
        case 0x000A: self = .unknownAttributes
        case 0x000B: self = .reflectedFrom
        case 0x000C: self = .channelNumber
        case 0x000D: self = .lifetime
        case 0x0012: self = .xorPeerAddress
        case 0x0013: self = .data
        case 0x0014: self = .realm
        case 0x0015: self = .nonce
        case 0x0016: self = .xorRelayedAddress
        case 0x0017: self = .requestedAddressFamily
        case 0x0018: self = .evenPort
        case 0x0019: self = .requestedTransport
        case 0x001A: self = .dontFragment
        case 0x001C: self = .messageIntegritySHA256
        case 0x001D: self = .passwordAlgorithm
        case 0x001E: self = .userHash
        case 0x0020: self = .xorMappedAddress
        case 0x0022: self = .reservationToken
        case 0x0024: self = .priority
        case 0x0025: self = .useCandidate
        case 0x0026: self = .padding
        case 0x0027: self = .responsePort
        case 0x002A: self = .connectionID
        case 0x8002: self = .passwordAlgorithms
        case 0x8003: self = .alternateDomain
        case 0x8022: self = .software
        case 0x8023: self = .alternateServer
        case 0x8027: self = .cacheTimeout
        case 0x8028: self = .fingerprint
        case 0x8029: self = .iceControlled
        case 0x802A: self = .iceControlling
        case 0x802B: self = .responseOrigin
        case 0x802C: self = .otherAddress
        default: self = .unknown(rawValue)
        }
    }
}

/// One attribute: raw type and value (padding excluded).
public struct STUNAttribute {
    public let rawType: UInt16
    public let value: UnsafeRawBufferPointer

    @inlinable public var type: STUNAttributeType { STUNAttributeType(rawValue: rawType) }
    /// Types below 0x8000 are comprehension-required: an agent must understand them.
    @inlinable public var isComprehensionRequired: Bool { rawType < 0x8000 }
}

/// A message's attributes, iterated without allocating.
public struct STUNAttributes: Sequence, IteratorProtocol {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    public mutating func next() -> STUNAttribute? {
        guard offset + 4 <= bytes.count else { return nil }
        let length = Int(bytes.uint16(at: offset + 2))
        guard offset + 4 + length <= bytes.count else { offset = bytes.count; return nil }
        defer { offset += 4 + STUNMessage.padded(length) }
        return STUNAttribute(rawType: bytes.uint16(at: offset), value: bytes.slice(from: offset + 4, length: length))
    }
}

/// An address and port carried in a STUN attribute.
public struct STUNTransportAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    @inlinable public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `192.0.2.1:3478` or `[2001:db8::1]:3478`.
    public var description: String {
        address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
