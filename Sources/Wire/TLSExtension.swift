// Hello extensions (RFC 8446 §4.2) and the small lists inside them, shared by ClientHello and
// ServerHello. Every list is a view iterated without allocating.

/// An extension type (IANA "TLS ExtensionType Values"); unnamed types are kept as `.unknown(raw)`.
public enum TLSExtensionType: Sendable, Hashable {
    case serverName, statusRequest, supportedGroups, ecPointFormats, signatureAlgorithms
    case applicationLayerProtocolNegotiation, signedCertificateTimestamp, padding
    case encryptThenMAC, extendedMasterSecret, compressCertificate, recordSizeLimit, sessionTicket
    case preSharedKey, earlyData, supportedVersions, cookie, pskKeyExchangeModes
    case certificateAuthorities, postHandshakeAuth, signatureAlgorithmsCert, keyShare
    case quicTransportParameters, applicationSettings, encryptedClientHello, renegotiationInfo
    /// The draft ESNI extension (0xffce) that ECH replaced; censors have blocked it outright.
    case encryptedServerName
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 0: self = .serverName
        case 5: self = .statusRequest
        case 10: self = .supportedGroups
        case 11: self = .ecPointFormats
        case 13: self = .signatureAlgorithms
        case 16: self = .applicationLayerProtocolNegotiation
        case 18: self = .signedCertificateTimestamp
        case 21: self = .padding
        case 22: self = .encryptThenMAC
        case 23: self = .extendedMasterSecret
        case 27: self = .compressCertificate
        case 28: self = .recordSizeLimit
        case 35: self = .sessionTicket
        case 41: self = .preSharedKey
        case 42: self = .earlyData
        case 43: self = .supportedVersions
        case 44: self = .cookie
        case 45: self = .pskKeyExchangeModes
        case 47: self = .certificateAuthorities
        case 49: self = .postHandshakeAuth
        case 50: self = .signatureAlgorithmsCert
        case 51: self = .keyShare
        case 57: self = .quicTransportParameters
        case 0x4469, 0x44CD: self = .applicationSettings
        case 0xFE0D: self = .encryptedClientHello
        case 0xFF01: self = .renegotiationInfo
        case 0xFFCE: self = .encryptedServerName
        default: self = .unknown(rawValue)
        }
    }
}

/// One extension: its raw type and its data.
public struct TLSExtension {
    public let rawType: UInt16
    public let data: UnsafeRawBufferPointer

    @inlinable public var type: TLSExtensionType { TLSExtensionType(rawValue: rawType) }
}

/// An extensions block (the bytes after its 2-byte length), iterated without allocating.
public struct TLSExtensions: Sequence, IteratorProtocol {
    public let bytes: UnsafeRawBufferPointer
    var offset = 0

    /// Validates that the extensions fill `bytes` exactly.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { return nil }
            offset += 4 + Int(bytes.uint16(at: offset + 2))
        }
        guard offset == bytes.count else { return nil }
        self.bytes = bytes
    }

    /// An empty block, for hellos that carry none.
    static var empty: TLSExtensions { TLSExtensions(unchecked: UnsafeRawBufferPointer(start: nil, count: 0)) }

    init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public mutating func next() -> TLSExtension? {
        guard offset + 4 <= bytes.count else { return nil }
        let length = Int(bytes.uint16(at: offset + 2))
        guard offset + 4 + length <= bytes.count else { offset = bytes.count; return nil }
        defer { offset += 4 + length }
        return TLSExtension(rawType: bytes.uint16(at: offset), data: bytes.slice(from: offset + 4, length: length))
    }

    /// The data of the first extension of `type`, if present.
    public func data(for type: TLSExtensionType) -> UnsafeRawBufferPointer? {
        for ext in TLSExtensions(unchecked: bytes) where ext.type == type { return ext.data }
        return nil
    }

    /// Whether an extension of `type` is present.
    public func contains(_ type: TLSExtensionType) -> Bool { data(for: type) != nil }

    /// The number of extensions.
    public var count: Int {
        var n = 0
        for _ in TLSExtensions(unchecked: bytes) { n += 1 }
        return n
    }
}

/// A key-exchange group (IANA "TLS Supported Groups"); unnamed groups are kept as `.unknown(raw)`.
public enum TLSNamedGroup: Sendable, Hashable {
    case secp256r1, secp384r1, secp521r1, x25519, x448
    case ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192
    case mlkem512, mlkem768, mlkem1024
    case secp256r1MLKEM768, x25519MLKEM768, secp384r1MLKEM1024
    /// The pre-standard hybrid Chrome and Cloudflare shipped in 2023–2024.
    case x25519Kyber768Draft00
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 23: self = .secp256r1
        case 24: self = .secp384r1
        case 25: self = .secp521r1
        case 29: self = .x25519
        case 30: self = .x448
        case 256: self = .ffdhe2048
        case 257: self = .ffdhe3072
        case 258: self = .ffdhe4096
        case 259: self = .ffdhe6144
        case 260: self = .ffdhe8192
        case 0x0200: self = .mlkem512
        case 0x0201: self = .mlkem768
        case 0x0202: self = .mlkem1024
        case 0x11EB: self = .secp256r1MLKEM768
        case 0x11EC: self = .x25519MLKEM768
        case 0x11ED: self = .secp384r1MLKEM1024
        case 0x6399: self = .x25519Kyber768Draft00
        default: self = .unknown(rawValue)
        }
    }

    /// Whether the group resists quantum attack (ML-KEM alone or in a hybrid). Hellos offering
    /// one carry a ~1.2 KB key share, so they usually span two TCP segments or QUIC packets.
    @inlinable public var isPostQuantum: Bool {
        switch self {
        case .mlkem512, .mlkem768, .mlkem1024, .secp256r1MLKEM768, .x25519MLKEM768, .secp384r1MLKEM1024,
             .x25519Kyber768Draft00:
            true
        default:
            false
        }
    }
}

/// Back-to-back big-endian 16-bit values: cipher suites, groups, versions, signature schemes.
public struct TLSUInt16List: Sequence, IteratorProtocol {
    public let bytes: UnsafeRawBufferPointer
    var offset = 0

    /// Validates an even byte count.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count % 2 == 0 else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable public var count: Int { bytes.count / 2 }

    public mutating func next() -> UInt16? {
        guard offset + 2 <= bytes.count else { return nil }
        defer { offset += 2 }
        return bytes.uint16(at: offset)
    }

    /// Whether `value` is in the list.
    public func contains(_ value: UInt16) -> Bool {
        var offset = 0
        while offset + 2 <= bytes.count {
            if bytes.uint16(at: offset) == value { return true }
            offset += 2
        }
        return false
    }

    /// The list parsed out of data that starts with its byte length (`prefixWidth` 1 or 2 bytes),
    /// as supported_groups (2) and supported_versions (1) are laid out. The list must fill `data`.
    static func prefixed(_ data: UnsafeRawBufferPointer, prefixWidth: Int) -> TLSUInt16List? {
        guard data.count >= prefixWidth else { return nil }
        let length = prefixWidth == 1 ? Int(data.byte(at: 0)) : Int(data.uint16(at: 0))
        guard prefixWidth + length == data.count else { return nil }
        return TLSUInt16List(data.suffix(from: prefixWidth))
    }
}

/// Protocol ids, each after a 1-byte length (RFC 7301's ProtocolNameList without its outer
/// length; SVCB's alpn parameter uses the same layout). Iterates the ids as byte views.
public struct ALPNProtocolList: Sequence, IteratorProtocol {
    public let bytes: UnsafeRawBufferPointer
    var offset = 0

    /// Validates that non-empty ids fill `entries` exactly.
    public init?(entries: UnsafeRawBufferPointer) {
        guard entries.count > 0 else { return nil }
        var offset = 0
        while offset < entries.count {
            let length = Int(entries.byte(at: offset))
            guard length > 0 else { return nil }
            offset += 1 + length
        }
        guard offset == entries.count else { return nil }
        self.bytes = entries
    }

    /// Parses the TLS extension's data: a 2-byte length, then the ids.
    public init?(extensionData data: UnsafeRawBufferPointer) {
        guard data.count >= 2, Int(data.uint16(at: 0)) + 2 == data.count else { return nil }
        self.init(entries: data.suffix(from: 2))
    }

    public mutating func next() -> UnsafeRawBufferPointer? {
        guard offset < bytes.count else { return nil }
        let length = Int(bytes.byte(at: offset))
        guard offset + 1 + length <= bytes.count else { offset = bytes.count; return nil }
        defer { offset += 1 + length }
        return bytes.slice(from: offset + 1, length: length)
    }

    /// Whether the list holds `id` (`"h2"`, `"h3"`, `"http/1.1"`). No allocation.
    public func contains(_ id: String) -> Bool {
        for entry in ALPNProtocolList(unchecked: bytes) where entry.elementsEqual(id.utf8) { return true }
        return false
    }

    /// The ids as strings. Allocates: meant for once per flow.
    public var strings: [String] {
        ALPNProtocolList(unchecked: bytes).map { String(decoding: $0, as: UTF8.self) }
    }

    init(unchecked bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// One key_share entry: the group and its key-exchange bytes.
public struct TLSKeyShareEntry {
    public let rawGroup: UInt16
    public let keyExchange: UnsafeRawBufferPointer

    @inlinable public var group: TLSNamedGroup { TLSNamedGroup(rawValue: rawGroup) }
}

/// The ClientHello's key_share entries (RFC 8446 §4.2.8), iterated without allocating.
public struct TLSKeyShareEntries: Sequence, IteratorProtocol {
    public let bytes: UnsafeRawBufferPointer
    var offset = 0

    /// Parses the extension data: a 2-byte length, then entries that must fill it exactly.
    public init?(extensionData data: UnsafeRawBufferPointer) {
        guard data.count >= 2, Int(data.uint16(at: 0)) + 2 == data.count else { return nil }
        let entries = data.suffix(from: 2)
        var offset = 0
        while offset < entries.count {
            guard offset + 4 <= entries.count else { return nil }
            offset += 4 + Int(entries.uint16(at: offset + 2))
        }
        guard offset == entries.count else { return nil }
        self.bytes = entries
    }

    public mutating func next() -> TLSKeyShareEntry? {
        guard offset + 4 <= bytes.count else { return nil }
        let length = Int(bytes.uint16(at: offset + 2))
        guard offset + 4 + length <= bytes.count else { offset = bytes.count; return nil }
        defer { offset += 4 + length }
        return TLSKeyShareEntry(rawGroup: bytes.uint16(at: offset), keyExchange: bytes.slice(from: offset + 4, length: length))
    }
}
