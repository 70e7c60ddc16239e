/// A view of a TLS ServerHello (RFC 8446 §4.1.3), or the HelloRetryRequest that shares its
/// layout: the handshake message, header included.
public struct TLSServerHello {
    /// The handshake message (type, 3-byte length, body).
    public let bytes: UnsafeRawBufferPointer
    /// The extensions block (empty when the hello carries none).
    public let extensions: TLSExtensions
    @usableFromInline let cipherSuiteOffset: Int

    /// Validates a ServerHello handshake message at the front of `handshake`.
    public init?(handshake: UnsafeRawBufferPointer) {
        guard let message = TLSHandshakeMessage(handshake), message.type == .serverHello else { return nil }
        let bytes = message.bytes
        // legacy_version (2) and random (32) follow the 4-byte header; then the session id.
        var offset = TLSHandshakeMessage.headerLength + 2 + 32
        guard offset + 1 <= bytes.count else { return nil }
        let sessionIDLength = Int(bytes.byte(at: offset))
        guard sessionIDLength <= 32 else { return nil }
        offset += 1 + sessionIDLength
        // cipher_suite (2) and legacy_compression_method (1).
        guard offset + 3 <= bytes.count else { return nil }
        let suite = offset
        offset += 3
        if offset == bytes.count {
            extensions = .empty
        } else {
            guard offset + 2 <= bytes.count, offset + 2 + Int(bytes.uint16(at: offset)) == bytes.count,
                  let block = TLSExtensions(bytes.suffix(from: offset + 2)) else { return nil }
            extensions = block
        }
        self.bytes = bytes
        self.cipherSuiteOffset = suite
    }

    /// Validates a handshake record that starts with a whole ServerHello (TLS 1.2 servers often
    /// put Certificate and more after it in the same record).
    public init?(record: UnsafeRawBufferPointer) {
        guard let record = TLSRecord(record), record.contentType == .handshake else { return nil }
        self.init(handshake: record.fragment)
    }

    /// Looks for a ServerHello at the start of the server's TCP byte stream.
    public static func scan(_ stream: UnsafeRawBufferPointer) -> TLSHandshakeScan<TLSServerHello> {
        TLSHandshakeScanner.scan(stream, expecting: 2) { TLSServerHello(handshake: $0) }
    }

    /// The version field in the hello itself: 0x0303 for TLS 1.2 and 1.3 alike.
    @inlinable public var legacyVersion: TLSVersion { TLSVersion(rawValue: bytes.uint16(at: 4)) }
    /// The 32-byte server random.
    @inlinable public var random: UnsafeRawBufferPointer { bytes.slice(from: 6, length: 32) }
    @inlinable public var sessionID: UnsafeRawBufferPointer {
        bytes.slice(from: 39, length: Int(bytes.byte(at: 38)))
    }
    /// The chosen cipher suite.
    @inlinable public var cipherSuite: UInt16 { bytes.uint16(at: cipherSuiteOffset) }
    @inlinable public var compressionMethod: UInt8 { bytes.byte(at: cipherSuiteOffset + 2) }

    /// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
    public var isHelloRetryRequest: Bool {
        let magic: (UInt64, UInt64, UInt64, UInt64) =
            (0xCF21_AD74_E59A_6111, 0xBE1D_8C02_1E65_B891, 0xC2A2_1116_7ABB_8C5E, 0x079E_09E2_C8A8_339C)
        return bytes.uint64(at: 6) == magic.0 && bytes.uint64(at: 14) == magic.1
            && bytes.uint64(at: 22) == magic.2 && bytes.uint64(at: 30) == magic.3
    }

    /// The version the server chose: supported_versions (TLS 1.3) when present, else the legacy field.
    public var selectedVersion: TLSVersion {
        if let data = extensions.data(for: .supportedVersions), data.count == 2 {
            return TLSVersion(rawValue: data.uint16(at: 0))
        }
        return legacyVersion
    }

    /// The group of the server's key share (TLS 1.3), or the group a HelloRetryRequest asks for.
    public var keyShareGroup: TLSNamedGroup? {
        guard let data = extensions.data(for: .keyShare), data.count >= 2 else { return nil }
        return TLSNamedGroup(rawValue: data.uint16(at: 0))
    }

    /// The ALPN protocol the server chose, as bytes. Only TLS 1.2 servers send it in the clear;
    /// TLS 1.3 moves it into the encrypted EncryptedExtensions.
    public var selectedALPN: UnsafeRawBufferPointer? {
        guard let data = extensions.data(for: .applicationLayerProtocolNegotiation),
              var list = ALPNProtocolList(extensionData: data) else { return nil }
        return list.next()
    }
}
