/// TLS 1.3 ClientHello / ServerHello records (RFC 8446) shaped like a browser's, for crafted
/// TLS connections: the ClientHello carries the server name (SNI) and ALPN.
public struct TLSHelloBuilder: Sendable {
    /// The SNI host name.
    public var serverName: String
    /// ALPN protocols offered, most preferred first.
    public var alpn: [String]
    /// Fills the random, session id and key share.
    public var seed: UInt64

    /// A ClientHello builder for `serverName`.
    public init(serverName: String, alpn: [String] = ["h2", "http/1.1"], seed: UInt64 = 1) {
        self.serverName = serverName
        self.alpn = alpn
        self.seed = seed
    }

    /// The ClientHello in one handshake record (record version 0x0301, as clients send it).
    public var clientHelloRecord: [UInt8] {
        var random = DeterministicRandom(seed: seed)
        var body: [UInt8] = [0x03, 0x03]
        body += random.bytes(32)
        body.append(32)
        body += random.bytes(32)
        let suites: [UInt16] = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xCCA9]
        body.appendBigEndian(UInt16(suites.count * 2))
        for suite in suites { body.appendBigEndian(suite) }
        body += [1, 0]  // compression: null only

        var extensions: [UInt8] = []
        let name = Array(serverName.utf8)
        var sni: [UInt8] = []
        sni.appendBigEndian(UInt16(name.count + 3))
        sni.append(0)  // host_name
        sni.appendBigEndian(UInt16(name.count))
        sni += name
        TLSHelloBuilder.appendExtension(0x0000, sni, to: &extensions)
        TLSHelloBuilder.appendExtension(0x000A, [0, 6, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18], to: &extensions)
        let algorithms: [UInt16] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
        var signatures: [UInt8] = []
        signatures.appendBigEndian(UInt16(algorithms.count * 2))
        for algorithm in algorithms { signatures.appendBigEndian(algorithm) }
        TLSHelloBuilder.appendExtension(0x000D, signatures, to: &extensions)
        if !alpn.isEmpty {
            var list: [UInt8] = []
            for proto in alpn {
                list.append(UInt8(proto.utf8.count))
                list += Array(proto.utf8)
            }
            var data: [UInt8] = []
            data.appendBigEndian(UInt16(list.count))
            TLSHelloBuilder.appendExtension(0x0010, data + list, to: &extensions)
        }
        TLSHelloBuilder.appendExtension(0x002B, [4, 0x03, 0x04, 0x03, 0x03], to: &extensions)
        TLSHelloBuilder.appendExtension(0x002D, [1, 1], to: &extensions)
        var share: [UInt8] = []
        share.appendBigEndian(UInt16(36))
        share += [0x00, 0x1D, 0x00, 0x20]
        share += random.bytes(32)
        TLSHelloBuilder.appendExtension(0x0033, share, to: &extensions)
        body.appendBigEndian(UInt16(extensions.count))
        body += extensions
        return TLSHelloBuilder.record(contentType: 0x16, version: 0x0301, fragment: TLSHelloBuilder.handshake(type: 1, body: body))
    }

    /// A TLS 1.3 ServerHello record (TLS_AES_128_GCM_SHA256, x25519) followed by the
    /// middlebox-compatibility ChangeCipherSpec record.
    public var serverHelloRecords: [UInt8] {
        var random = DeterministicRandom(seed: seed ^ 0x5E5E_5E5E)
        var body: [UInt8] = [0x03, 0x03]
        body += random.bytes(32)
        body.append(32)
        body += random.bytes(32)
        body += [0x13, 0x01, 0]
        var extensions: [UInt8] = []
        TLSHelloBuilder.appendExtension(0x002B, [0x03, 0x04], to: &extensions)
        TLSHelloBuilder.appendExtension(0x0033, [0x00, 0x1D, 0x00, 0x20] + random.bytes(32), to: &extensions)
        body.appendBigEndian(UInt16(extensions.count))
        body += extensions
        return TLSHelloBuilder.record(contentType: 0x16, version: 0x0303, fragment: TLSHelloBuilder.handshake(type: 2, body: body))
            + TLSHelloBuilder.record(contentType: 0x14, version: 0x0303, fragment: [1])
    }

    static func appendExtension(_ type: UInt16, _ data: [UInt8], to extensions: inout [UInt8]) {
        extensions.appendBigEndian(type)
        extensions.appendBigEndian(UInt16(data.count))
        extensions += data
    }

    static func handshake(type: UInt8, body: [UInt8]) -> [UInt8] {
        [type, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    /// A TLS record: content type, version, 16-bit length, fragment.
    public static func record(contentType: UInt8, version: UInt16 = 0x0303, fragment: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [contentType]
        bytes.appendBigEndian(version)
        bytes.appendBigEndian(UInt16(fragment.count))
        return bytes + fragment
    }
}
