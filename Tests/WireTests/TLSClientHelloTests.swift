import Testing
@testable import Wire

@Suite("TLSClientHello")
struct TLSClientHelloTests {
    @Test("curl's TLS 1.2 hello: SNI, ALPN, suites, no TLS 1.3")
    func curl() throws {
        try AppFixture.withExact(TLSFixtures.curlClientHello) { bytes in
            let hello = try #require(TLSClientHello(record: bytes))
            #expect(hello.serverName == "www.ntop.org")
            #expect(AppFixture.text(hello.serverNameBytes) == "www.ntop.org")
            #expect(hello.legacyVersion == .tls12)
            #expect(hello.sessionID.count == 0)
            #expect(hello.random.count == 32)
            #expect(AppFixture.hex(hello.random)?.hasPrefix("3e3841ed") == true)
            #expect(hello.cipherSuiteCount == 67)
            #expect(Array(hello.cipherSuites).prefix(3) == [0xCC14, 0xCC13, 0xCC15])
            #expect(AppFixture.hex(hello.compressionMethods) == "00")
            #expect(hello.extensions.count == 7)
            #expect(hello.extensions.map(\.type) == [.serverName, .ecPointFormats, .supportedGroups,
                                                     .signatureAlgorithms, .unknown(13172),
                                                     .applicationLayerProtocolNegotiation, .padding])
            #expect(hello.alpn?.strings == ["h2", "http/1.1"])
            #expect(hello.supportedVersions == nil)
            #expect(!hello.offersTLS13)
            #expect(hello.highestVersion == .tls12)
            #expect(hello.keyShares == nil)
            #expect(!hello.offersPostQuantumKeyShare)
            #expect(!hello.hasEncryptedClientHello)
            #expect(hello.supportedGroups?.count == 28)
            #expect(hello.bytes.count == 4 + 0x1FC)
        }
    }

    @Test("Chrome's TLS 1.3 hello: versions, key shares, ECH present")
    func chrome() throws {
        try AppFixture.withExact(TLSFixtures.chromeClientHello) { bytes in
            let hello = try #require(TLSClientHello(record: bytes))
            #expect(hello.serverName == "chat.google.com")
            #expect(hello.sessionID.count == 32)
            #expect(hello.cipherSuiteCount == 17)
            #expect(hello.extensions.count == 15)
            #expect(hello.offersTLS13)
            #expect(hello.highestVersion == .tls13)
            #expect(hello.supportedVersions.map(Array.init) == [0x0304, 0x0303])
            #expect(hello.supportedGroups.map(Array.init) == [0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101])
            let shares = try #require(hello.keyShares).map { ($0.group, $0.keyExchange.count) }
            #expect(shares.map(\.0) == [.x25519, .secp256r1])
            #expect(shares.map(\.1) == [32, 65])
            #expect(!hello.offersPostQuantumKeyShare)
            #expect(hello.hasEncryptedClientHello)
            #expect(hello.encryptedClientHello?.count == 0x119)
            #expect(!hello.hasEncryptedServerName)
            #expect(hello.alpn?.contains("h2") == true)
            #expect(hello.alpn?.contains("h3") == false)
        }
    }

    @Test("a post-quantum hello is recognised by its X25519Kyber768 key share")
    func postQuantum() throws {
        try AppFixture.withExact(TLSFixtures.kyberClientHello) { bytes in
            let hello = try #require(TLSClientHello(record: bytes))
            #expect(hello.serverName == "it-mil-v086.prod.surfshark.com")
            #expect(hello.bytes.count == 1951)
            let shares = try #require(hello.keyShares).map { ($0.rawGroup, $0.keyExchange.count) }
            #expect(shares.map(\.0) == [0xFAFA, 0x6399, 0x001D])
            #expect(shares.map(\.1) == [1, 1216, 32])
            #expect(TLSGREASE.contains(shares[0].0))
            #expect(hello.offersPostQuantumKeyShare)
            #expect(hello.supportedVersions.map(Array.init) == [0x2A2A, 0x0304, 0x0303])
            #expect(hello.highestVersion == .tls13)
            #expect(Array(hello.cipherSuites).first == 0x8A8A)
            #expect(hello.extensions.count == 19)
            #expect(hello.hasEncryptedClientHello)
            #expect(hello.extensions.contains(.preSharedKey))
            #expect(hello.extensions.contains(.applicationSettings))
        }
    }

    @Test("a hello spanning two segments: the first asks for exactly the rest, both together complete it")
    func spanningSegments() {
        let hello = TLSFixtures.kyberClientHello
        // 1,448 bytes: a full segment at the usual MSS.
        AppFixture.withExact(hello.prefix(1448)) { bytes in
            guard case .needMoreBytes(let needed) = TLSClientHello.scan(bytes) else {
                Issue.record("expected needMoreBytes")
                return
            }
            #expect(needed == hello.count)
        }
        AppFixture.withExact(hello) { bytes in
            guard case .complete(let view) = TLSClientHello.scan(bytes) else {
                Issue.record("expected complete")
                return
            }
            #expect(view.serverName == "it-mil-v086.prod.surfshark.com")
            #expect(view.keyShares?.contains { $0.group == .x25519Kyber768Draft00 } == true)
        }
    }

    @Test("every truncation asks for more bytes, never completes, never crashes")
    func truncations() {
        for fixture in TLSFixtures.clientHellos {
            AppFixture.forEachTruncation(of: fixture) { length, bytes in
                #expect(TLSClientHello(record: bytes) == nil)
                switch TLSClientHello.scan(bytes) {
                case .needMoreBytes(let needed):
                    #expect(needed > length, "prefix \(length)")
                    #expect(needed <= fixture.count, "prefix \(length) asked for \(needed)")
                default:
                    Issue.record("prefix of \(length) bytes was not needMoreBytes")
                }
            }
        }
    }

    @Test("the same hello without the record layer (as QUIC carries it) parses alike")
    func handshakeOnly() throws {
        let message = Array(TLSFixtures.chromeClientHello[5...])
        try AppFixture.withExact(message) { bytes in
            let hello = try #require(TLSClientHello(handshake: bytes))
            #expect(hello.serverName == "chat.google.com")
        }
        AppFixture.forEachTruncation(of: message) { length, bytes in
            #expect(TLSClientHello(handshake: bytes) == nil, "prefix \(length)")
        }
    }

    @Test("a hello split over three records is reported fragmented and coalesces into a buffer")
    func recordFragmentation() throws {
        // Cut inside the handshake header and inside the SNI extension.
        let split = TLSFixtures.splitIntoRecords(TLSFixtures.chromeClientHello, at: [2, 140])
        try AppFixture.withExact(split) { bytes in
            guard case .fragmented(let length) = TLSClientHello.scan(bytes) else {
                Issue.record("expected fragmented")
                return
            }
            #expect(length == 658)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
            defer { buffer.deallocate() }
            let message = try #require(TLSHandshakeMessage.coalesce(records: bytes, into: buffer))
            #expect(message.count == length)
            #expect(TLSClientHello(handshake: message)?.serverName == "chat.google.com")
            // One byte short of room: refused, not overrun.
            #expect(TLSHandshakeMessage.coalesce(records: bytes, into: UnsafeMutableRawBufferPointer(rebasing: buffer[1...])) == nil)
        }
        // Every truncation of the split stream wants more bytes.
        AppFixture.forEachTruncation(of: split) { length, bytes in
            guard case .needMoreBytes(let needed) = TLSClientHello.scan(bytes) else {
                Issue.record("prefix \(length) of the split hello")
                return
            }
            #expect(needed > length)
            #expect(needed <= split.count)
        }
    }

    @Test("streams that are not TLS ClientHellos are told apart at once")
    func notTLS() {
        let cases: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\n".utf8),
            Array("SSH-2.0-OpenSSH_9.6\r\n".utf8),
            [0x17, 0x03, 0x03, 0x00, 0x10],        // application data
            [0x16, 0x03, 0x03, 0x00, 0x30, 0x02],  // a ServerHello, seen from the wrong side
            [0x16, 0x02],                          // SSL 2 version byte
            [0x16, 0x03, 0x09],                    // no such TLS minor version
            [0x16, 0x03, 0x01, 0x00, 0x00, 0x01],  // an empty record
        ]
        for stream in cases {
            AppFixture.withExact(stream) { bytes in
                guard case .notTLS = TLSClientHello.scan(bytes) else {
                    Issue.record("\(stream) should be notTLS")
                    return
                }
            }
        }
        AppFixture.withExact([UInt8]()) { bytes in
            guard case .needMoreBytes(let needed) = TLSClientHello.scan(bytes) else {
                Issue.record("empty stream")
                return
            }
            #expect(needed == 9)
        }
    }

    @Test("a ClientHello record whose body does not parse is malformed, not notTLS")
    func malformed() {
        var bytes = TLSFixtures.curlClientHello
        // Session id length 33 (> 32) at record offset 5 + 4 + 2 + 32.
        bytes[43] = 33
        AppFixture.withExact(bytes) { raw in
            guard case .malformed = TLSClientHello.scan(raw) else {
                Issue.record("expected malformed")
                return
            }
        }
        var shortExtensions = TLSFixtures.curlClientHello
        // Extensions block length (0x014d at offset 5 + 4 + 2 + 32 + 1 + 2 + 134 + 2) one too short.
        let extensionsLengthOffset = 5 + 4 + 2 + 32 + 1 + 2 + 134 + 2
        #expect(shortExtensions[extensionsLengthOffset] == 0x01 && shortExtensions[extensionsLengthOffset + 1] == 0x4D)
        shortExtensions[extensionsLengthOffset + 1] = 0x4C
        AppFixture.withExact(shortExtensions) { raw in
            #expect(TLSClientHello(record: raw) == nil)
        }
    }

    @Test("an odd SNI list is ignored, not misread")
    func badServerName() throws {
        // Point the server_name list length one byte past the extension.
        var bytes = TLSFixtures.curlClientHello
        let sni = 5 + 4 + 2 + 32 + 1 + 2 + 134 + 2 + 2 + 4
        #expect(bytes[sni] == 0x00 && bytes[sni + 1] == 0x0F)
        bytes[sni + 1] = 0x10
        try AppFixture.withExact(bytes) { raw in
            let hello = try #require(TLSClientHello(record: raw))
            #expect(hello.serverNameBytes == nil)
            #expect(hello.alpn?.strings == ["h2", "http/1.1"])
        }
    }

    @Test("corrupting any byte never crashes scanning or any accessor")
    func corruption() {
        // The large hello is covered by truncation; corrupt the two smaller ones byte by byte.
        for fixture in [TLSFixtures.curlClientHello, TLSFixtures.chromeClientHello] {
            AppFixture.forEachCorruption(of: fixture) { bytes in
                if case .complete(let hello) = TLSClientHello.scan(bytes) {
                    TLSClientHelloTests.exerciseEverything(hello)
                }
            }
        }
    }

    static func exerciseEverything(_ hello: TLSClientHello) {
        _ = hello.serverName
        _ = hello.alpn?.strings
        _ = hello.supportedVersions.map(Array.init)
        _ = hello.supportedGroups.map(Array.init)
        _ = hello.keyShares.map { Array($0).count }
        _ = hello.offersPostQuantumKeyShare
        _ = hello.highestVersion
        _ = Array(hello.cipherSuites)
        _ = hello.compressionMethods.count
        _ = hello.extensions.count
        _ = hello.hasEncryptedClientHello
        _ = hello.sessionID.count
    }
}
