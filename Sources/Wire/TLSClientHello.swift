/// A view of a TLS ClientHello (RFC 8446 §4.1.2): the handshake message, header included, as it
/// comes out of a TLS record or a QUIC CRYPTO stream. Creating one validates the fixed fields
/// and that the extensions fill the message; each extension is parsed only when asked for.
public struct TLSClientHello {
    /// The handshake message (type, 3-byte length, body).
    public let bytes: UnsafeRawBufferPointer
    /// The extensions block (empty when the hello carries none, as old TLS 1.0 clients may).
    public let extensions: TLSExtensions
    @usableFromInline let cipherSuitesOffset: Int
    @usableFromInline let compressionMethodsOffset: Int

    /// Validates a ClientHello handshake message at the front of `handshake`.
    public init?(handshake: UnsafeRawBufferPointer) {
        guard let message = TLSHandshakeMessage(handshake), message.type == .clientHello else { return nil }
        let bytes = message.bytes
        // legacy_version (2) and random (32) follow the 4-byte header; then the session id.
        var offset = TLSHandshakeMessage.headerLength + 2 + 32
        guard offset + 1 <= bytes.count else { return nil }
        let sessionIDLength = Int(bytes.byte(at: offset))
        guard sessionIDLength <= 32 else { return nil }
        offset += 1 + sessionIDLength
        guard offset + 2 <= bytes.count else { return nil }
        let suitesLength = Int(bytes.uint16(at: offset))
        guard suitesLength >= 2, suitesLength % 2 == 0, offset + 2 + suitesLength <= bytes.count else { return nil }
        let suites = offset
        offset += 2 + suitesLength
        guard offset + 1 <= bytes.count else { return nil }
        let compressionLength = Int(bytes.byte(at: offset))
        guard compressionLength >= 1, offset + 1 + compressionLength <= bytes.count else { return nil }
        let compression = offset
        offset += 1 + compressionLength
        if offset == bytes.count {
            extensions = .empty
        } else {
            guard offset + 2 <= bytes.count, offset + 2 + Int(bytes.uint16(at: offset)) == bytes.count,
                  let block = TLSExtensions(bytes.suffix(from: offset + 2)) else { return nil }
            extensions = block
        }
        self.bytes = bytes
        self.cipherSuitesOffset = suites
        self.compressionMethodsOffset = compression
    }

    /// Validates a handshake record holding a whole ClientHello.
    public init?(record: UnsafeRawBufferPointer) {
        guard let record = TLSRecord(record), record.contentType == .handshake else { return nil }
        self.init(handshake: record.fragment)
    }

    /// Looks for a ClientHello at the start of the client's TCP byte stream (its first payloads,
    /// concatenated). A post-quantum hello (~1.8 KB) spans two segments: `.needMoreBytes` says
    /// how much of the stream to gather before calling again.
    public static func scan(_ stream: UnsafeRawBufferPointer) -> TLSHandshakeScan<TLSClientHello> {
        TLSHandshakeScanner.scan(stream, expecting: 1) { TLSClientHello(handshake: $0) }
    }

    /// The version field in the hello itself: 0x0303 for TLS 1.2 and 1.3 alike.
    @inlinable public var legacyVersion: TLSVersion { TLSVersion(rawValue: bytes.uint16(at: 4)) }
    /// The 32-byte client random.
    @inlinable public var random: UnsafeRawBufferPointer { bytes.slice(from: 6, length: 32) }
    /// The legacy session id (32 random bytes from TLS 1.3 clients in middlebox-compatibility mode).
    @inlinable public var sessionID: UnsafeRawBufferPointer {
        bytes.slice(from: 39, length: Int(bytes.byte(at: 38)))
    }

    /// The offered cipher suites, in order, GREASE values included.
    public var cipherSuites: TLSUInt16List {
        // The length was proved even and inside the message at creation.
        TLSUInt16List(unchecked: bytes.slice(from: cipherSuitesOffset + 2, length: Int(bytes.uint16(at: cipherSuitesOffset))))
    }

    @inlinable public var cipherSuiteCount: Int { Int(bytes.uint16(at: cipherSuitesOffset)) / 2 }

    /// The compression methods (just `0`, null, from any modern client).
    public var compressionMethods: UnsafeRawBufferPointer {
        bytes.slice(from: compressionMethodsOffset + 1, length: Int(bytes.byte(at: compressionMethodsOffset)))
    }

    /// The first host_name in server_name (RFC 6066 §3), as bytes; nil when absent or malformed.
    public var serverNameBytes: UnsafeRawBufferPointer? {
        guard let data = extensions.data(for: .serverName), data.count >= 2,
              Int(data.uint16(at: 0)) + 2 == data.count else { return nil }
        var offset = 2
        while offset + 3 <= data.count {
            let length = Int(data.uint16(at: offset + 1))
            guard offset + 3 + length <= data.count else { return nil }
            if data.byte(at: offset) == 0, length > 0 { return data.slice(from: offset + 3, length: length) }
            offset += 3 + length
        }
        return nil
    }

    /// The SNI host name as a `String`. Allocates: meant for once per flow.
    public var serverName: String? {
        serverNameBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The offered ALPN protocol ids; nil when absent or malformed.
    public var alpn: ALPNProtocolList? {
        extensions.data(for: .applicationLayerProtocolNegotiation).flatMap { ALPNProtocolList(extensionData: $0) }
    }

    /// The supported_versions list (raw values, GREASE included); nil when absent or malformed.
    public var supportedVersions: TLSUInt16List? {
        extensions.data(for: .supportedVersions).flatMap { TLSUInt16List.prefixed($0, prefixWidth: 1) }
    }

    /// Whether the client offers TLS 1.3 (only supported_versions can say so).
    public var offersTLS13: Bool {
        supportedVersions?.contains(TLSVersion.tls13.rawValue) ?? false
    }

    /// The highest version offered: from supported_versions when present (GREASE skipped), else
    /// the legacy field.
    public var highestVersion: TLSVersion {
        guard let versions = supportedVersions else { return legacyVersion }
        var best: UInt16 = 0
        for version in versions where !TLSGREASE.contains(version) && version > best { best = version }
        return best == 0 ? legacyVersion : TLSVersion(rawValue: best)
    }

    /// The supported_groups list (raw values, GREASE included); nil when absent or malformed.
    public var supportedGroups: TLSUInt16List? {
        extensions.data(for: .supportedGroups).flatMap { TLSUInt16List.prefixed($0, prefixWidth: 2) }
    }

    /// The key_share entries; nil when absent or malformed.
    public var keyShares: TLSKeyShareEntries? {
        extensions.data(for: .keyShare).flatMap { TLSKeyShareEntries(extensionData: $0) }
    }

    /// Whether a key share uses a post-quantum group (X25519MLKEM768, X25519Kyber768, …).
    public var offersPostQuantumKeyShare: Bool {
        guard let shares = keyShares else { return false }
        for share in shares where share.group.isPostQuantum { return true }
        return false
    }

    /// The encrypted_client_hello extension (0xfe0d) data. Browsers send a GREASE one when they
    /// have no ECH config, so presence alone does not prove the real name is hidden.
    public var encryptedClientHello: UnsafeRawBufferPointer? { extensions.data(for: .encryptedClientHello) }

    @inlinable public var hasEncryptedClientHello: Bool { extensions.contains(.encryptedClientHello) }

    /// Whether the draft ESNI extension (0xffce) is present.
    @inlinable public var hasEncryptedServerName: Bool { extensions.contains(.encryptedServerName) }
}
