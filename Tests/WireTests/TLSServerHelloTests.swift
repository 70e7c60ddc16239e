import Testing
@testable import Wire

@Suite("TLSServerHello")
struct TLSServerHelloTests {
    @Test("a TLS 1.3 ServerHello: version from supported_versions, suite, key share group")
    func tls13() throws {
        try AppFixture.withExact(TLSFixtures.tls13ServerHello) { bytes in
            let hello = try #require(TLSServerHello(record: bytes))
            #expect(hello.legacyVersion == .tls12)
            #expect(hello.selectedVersion == .tls13)
            #expect(hello.cipherSuite == 0x1301)
            #expect(hello.compressionMethod == 0)
            #expect(hello.keyShareGroup == .x25519)
            #expect(!hello.isHelloRetryRequest)
            #expect(AppFixture.hex(hello.random) == "32c143d7ea6d78c35588670d969b21ca4e212e4058061de5270d22ce423a5481")
            #expect(AppFixture.hex(hello.sessionID) == "e9b028b5ec3ec1f7f57215b2d6208e07a0d37458c8acc256817309355d0c8b94")
            #expect(hello.selectedALPN == nil)
            #expect(hello.extensions.map(\.type) == [.keyShare, .supportedVersions])
        }
    }

    @Test("a TLS 1.2 ServerHello followed by a Certificate record: version, suite, ALPN")
    func tls12() throws {
        try AppFixture.withExact(TLSFixtures.tls12ServerHello) { bytes in
            let hello = try #require(TLSServerHello(record: bytes))
            #expect(hello.selectedVersion == .tls12)
            #expect(hello.cipherSuite == 0xC02F)
            #expect(AppFixture.text(hello.selectedALPN) == "h2")
            #expect(hello.sessionID.count == 32)
            #expect(hello.keyShareGroup == nil)
            guard case .complete(let scanned) = TLSServerHello.scan(bytes) else {
                Issue.record("expected complete")
                return
            }
            #expect(scanned.cipherSuite == 0xC02F)
        }
    }

    @Test("a HelloRetryRequest is recognised by its fixed random")
    func helloRetryRequest() {
        var bytes = TLSFixtures.tls13ServerHello
        let magic = AppFixture.bytes("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
        bytes.replaceSubrange(11..<43, with: magic)
        AppFixture.withExact(bytes) { raw in
            #expect(TLSServerHello(record: raw)?.isHelloRetryRequest == true)
        }
    }

    @Test("every truncation is rejected or asks for more, never crashes")
    func truncations() {
        for fixture in [TLSFixtures.tls13ServerHello, TLSFixtures.tls12ServerHello] {
            let recordLength = 5 + Int(fixture[3]) << 8 + Int(fixture[4])
            AppFixture.forEachTruncation(of: fixture) { length, bytes in
                if length < recordLength {
                    #expect(TLSServerHello(record: bytes) == nil, "prefix \(length)")
                    guard case .needMoreBytes(let needed) = TLSServerHello.scan(bytes) else {
                        Issue.record("prefix \(length) was not needMoreBytes")
                        return
                    }
                    #expect(needed > length && needed <= recordLength)
                } else {
                    #expect(TLSServerHello(record: bytes) != nil)
                }
            }
        }
    }

    @Test("a ClientHello is not a ServerHello")
    func wrongType() {
        AppFixture.withExact(TLSFixtures.chromeClientHello) { bytes in
            #expect(TLSServerHello(record: bytes) == nil)
            guard case .notTLS = TLSServerHello.scan(bytes) else {
                Issue.record("expected notTLS")
                return
            }
        }
    }

    @Test("corrupting any byte never crashes")
    func corruption() {
        AppFixture.forEachCorruption(of: TLSFixtures.tls12ServerHello) { bytes in
            guard let hello = TLSServerHello(record: bytes) else { return }
            _ = hello.selectedVersion
            _ = hello.selectedALPN
            _ = hello.keyShareGroup
            _ = hello.isHelloRetryRequest
            _ = hello.sessionID
        }
    }
}
