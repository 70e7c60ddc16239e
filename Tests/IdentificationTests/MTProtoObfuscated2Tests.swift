import Identification
import PacketCrafting
import Testing

// Obfuscated2 fixtures come from an independent implementation: Python's `cryptography` AES-CTR
// (the script builds a 64-byte init block per core.telegram.org/mtproto/mtproto-transports, puts
// the tag and DC at 56..<62, encrypts, keeps bytes 0..<56 in clear). The MTProxy vectors are
// gotd/td's `obfuscated2_test.go` (Go's crypto/aes). nDPI's corpus holds no MTProto TCP flow
// (its telegram.pcap has only call UDP), so no captured init block is pasted here.
enum MTProtoFixtures {
    /// Direct connection, abridged, DC 2, followed by the first frame (a req_pq_multi).
    static let abridgedDC2 = PayloadFixture.bytes("""
        f5b165224a58b791df6af1d8303e61cdc4bb86c3d1c427103c344c4189eb2f1e7bd5d47e446fcec2a3d811736110e578
        1bcccea696762e61189a7865c63c8667e05fa77d91b432bcc2c2d8b63e4832b5c5cb9ff6f0277a095d78a07f0e977d04
        74c6444cc08acb7f80
        """)
    /// Intermediate, DC 4.
    static let intermediateDC4 = PayloadFixture.bytes("""
        73a9bef499bbf4dc7bd2a4f2c8af5bd99f267a0ed3197217dd2bba1537436e5c2441e3d54410492b788768bcff2218cf
        8f7373abe8e394da3b399186d5d7a79b741094fa5f03544fe54b8a3f8a7b7b0e2f094dd3a244e885cba9dc1c00ae9c07
        e86b908f6278d244d0099247
        """)
    /// Padded intermediate, media DC −2.
    static let paddedMediaDC2 = PayloadFixture.bytes("""
        fd3feb3c9250b7974a9b528b69636321a461b55ef55b7beafd809a9a9e925b79a6342fa0fdb8b294d97fc6103d92089b
        25fa5e039f52a8e85be8e3c3ff00f5e33b8a780b4d862fa08a50103efa68595303d937709d0d44117fc43bbd3621bcc3
        d8f5e63a4b99722a296fd5b3b9ab784b
        """)
    /// Through an MTProxy with secret 0123456789abcdef0123456789abcdef: abridged, DC 1.
    static let proxiedAbridgedDC1 = PayloadFixture.bytes("""
        d7a56d3cfcf9a44dc716691acdaba1b8a912646543c6977a5a43ac2753cf10173122071113bd120536abce666699a58c
        091affea6a87144ac38869eb49d216d3
        """)
    static let proxySecret = PayloadFixture.bytes("0123456789abcdef0123456789abcdef")
    /// gotd/td TestEncrypt: secret 8a96ef6e42a18c21837580cd1c91c5a8, padded intermediate, DC 2.
    static let gotdHeader = PayloadFixture.bytes("""
        f5768f50b731260a46be1027c2eeaa39350624f0b6da59eba56c81fe4510c2e0b61d3dd323ee02388633e3837a0c1c24
        fa6f29ccd724be6fbea2dde16dc59dd2
        """)
    static let gotdSecret = PayloadFixture.bytes("8a96ef6e42a18c21837580cd1c91c5a8")
    /// gotd/td Test_generateKeys: 56 × "a", secret 0xaa × 16, padded intermediate, DC 2.
    static let gotdOneChar = [UInt8](repeating: 0x61, count: 56) + [171, 65, 98, 66, 79, 102, 253, 220]

    // Plain transports around the same unencrypted req_pq_multi (msg_id time 2024-05-18).
    static let plainAbridged = PayloadFixture.bytes(
        "ef0a00000000000000005c4c3b2a0015486614000000f18e7ebe000102030405060708090a0b0c0d0e0f")
    static let plainIntermediate = PayloadFixture.bytes(
        "eeeeeeee2800000000000000000000005c4c3b2a0015486614000000f18e7ebe000102030405060708090a0b0c0d0e0f")
    static let plainPadded = PayloadFixture.bytes(
        "dddddddd2b00000000000000000000005c4c3b2a0015486614000000f18e7ebe000102030405060708090a0b0c0d0e0f010203")
    /// Full: length 52, seq 0, the message, CRC32 (zlib) fee12d11 little-endian.
    static let plainFull = PayloadFixture.bytes(
        "340000000000000000000000000000005c4c3b2a0015486614000000f18e7ebe000102030405060708090a0b0c0d0e0ffee12d11")

    static func decode(_ bytes: [UInt8], secret: [UInt8]? = nil) -> MTProtoObfuscated2.Header? {
        PayloadFixture.withExact(bytes) { block in
            guard let secret else { return MTProtoObfuscated2.decode(block) }
            return PayloadFixture.withExact(secret) { MTProtoObfuscated2.decode(block, proxySecret: $0) }
        }
    }
}

@Suite("MTProto obfuscated2 and plain transports")
struct MTProtoObfuscated2Tests {
    @Test("a direct init block decrypts to its transport tag and DC")
    func decodesDirectBlocks() {
        #expect(MTProtoFixtures.decode(MTProtoFixtures.abridgedDC2) == .init(transport: .abridged, dataCenter: 2))
        #expect(MTProtoFixtures.decode(MTProtoFixtures.intermediateDC4) == .init(transport: .intermediate, dataCenter: 4))
        #expect(MTProtoFixtures.decode(MTProtoFixtures.paddedMediaDC2)
                == .init(transport: .paddedIntermediate, dataCenter: -2))
    }

    @Test("a client stream opening with an init block is MTProto, Telegram's")
    func recognizesDirectConnections() throws {
        let match = try #require(PayloadFixture.tcp(MTProtoFixtures.abridgedDC2))
        #expect(match == PayloadMatch(applicationProtocol: .mtproto, app: .telegram, evidence: .payload,
                                      detail: "obfuscated2 abridged"))
        #expect(PayloadFixture.tcp(MTProtoFixtures.intermediateDC4)?.detail == "obfuscated2 intermediate")
        #expect(PayloadFixture.tcp(MTProtoFixtures.paddedMediaDC2)?.detail == "obfuscated2 padded intermediate")
        // Exactly the 64-byte block is enough; one byte less is not.
        #expect(PayloadFixture.tcp(Array(MTProtoFixtures.abridgedDC2.prefix(64)))?.applicationProtocol == .mtproto)
        #expect(PayloadFixture.tcp(Array(MTProtoFixtures.abridgedDC2.prefix(63))) == nil)
        #expect(PayloadRecognizer.wantedClientBytes == 64)
    }

    @Test("an MTProxy block decodes only with its secret")
    func proxySecrets() {
        #expect(MTProtoFixtures.decode(MTProtoFixtures.proxiedAbridgedDC1, secret: MTProtoFixtures.proxySecret)
                == .init(transport: .abridged, dataCenter: 1))
        #expect(MTProtoFixtures.decode(MTProtoFixtures.proxiedAbridgedDC1) == nil)
        #expect(MTProtoFixtures.decode(MTProtoFixtures.gotdHeader, secret: MTProtoFixtures.gotdSecret)
                == .init(transport: .paddedIntermediate, dataCenter: 2))
        #expect(MTProtoFixtures.decode(MTProtoFixtures.gotdOneChar, secret: [UInt8](repeating: 0xAA, count: 16))
                == .init(transport: .paddedIntermediate, dataCenter: 2))
        #expect(MTProtoFixtures.decode(MTProtoFixtures.gotdHeader) == nil)
        #expect(PayloadFixture.tcp(MTProtoFixtures.gotdHeader) == nil)
        // A secret shorter than 16 bytes is no secret.
        #expect(MTProtoFixtures.decode(MTProtoFixtures.gotdHeader, secret: Array(MTProtoFixtures.gotdSecret.prefix(15))) == nil)
    }

    @Test("blocks starting with a reserved value are never obfuscated2", arguments: [
        [0xEF, 0x01, 0x02, 0x03], Array("HEAD".utf8), Array("POST".utf8), Array("GET ".utf8), Array("OPTI".utf8),
        [0x16, 0x03, 0x01, 0x02], [0xDD, 0xDD, 0xDD, 0xDD], [0xEE, 0xEE, 0xEE, 0xEE],
    ] as [[UInt8]])
    func reservedStarts(start: [UInt8]) {
        var block = MTProtoFixtures.abridgedDC2
        block.replaceSubrange(0..<4, with: start)
        #expect(MTProtoFixtures.decode(block) == nil)
        var zeroSecondWord = MTProtoFixtures.abridgedDC2
        zeroSecondWord.replaceSubrange(4..<8, with: [0, 0, 0, 0])
        #expect(MTProtoFixtures.decode(zeroSecondWord) == nil)
    }

    @Test("a changed key, IV or tag byte breaks the decryption")
    func tamperedBlocks() {
        for index in [8, 39, 40, 55, 56, 59] {
            var block = MTProtoFixtures.abridgedDC2
            block[index] ^= 0x01
            #expect(MTProtoFixtures.decode(block) == nil, "byte \(index)")
        }
    }

    @Test("100 000 random 64-byte blocks match nothing (expected rate 3·2⁻³²)")
    func randomBlocks() {
        var random = DeterministicRandom(seed: 0x7E1E_6AA3)
        var matches = 0
        for _ in 0..<100_000 where PayloadFixture.tcp(random.bytes(64)) != nil { matches += 1 }
        #expect(matches == 0)
    }

    @Test("TLS ClientHellos are not MTProto")
    func tlsIsNotMTProto() {
        var random = DeterministicRandom(seed: 0x16_0301)
        var matches = 0
        for index in 0..<10_000 {
            // Record header with every plausible length byte, then random handshake bytes.
            var block: [UInt8] = [0x16, 0x03, 0x01, UInt8(truncatingIfNeeded: index), UInt8(truncatingIfNeeded: index >> 8), 0x01]
            block += random.bytes(58)
            if PayloadFixture.tcp(block) != nil { matches += 1 }
        }
        #expect(matches == 0)
        for seed: UInt64 in 1...20 {
            let hello = TLSHelloBuilder(serverName: "web.telegram.org", seed: seed).clientHelloRecord
            #expect(PayloadFixture.tcp(Array(hello.prefix(64))) == nil)
            #expect(PayloadFixture.tcp(hello) == nil)
        }
    }

    @Test("plain transports are recognised with a well-formed first message")
    func plainTransports() {
        #expect(PayloadFixture.tcp(MTProtoFixtures.plainAbridged)
                == PayloadMatch(applicationProtocol: .mtproto, app: .telegram, detail: "abridged"))
        #expect(PayloadFixture.tcp(MTProtoFixtures.plainIntermediate)?.detail == "intermediate")
        #expect(PayloadFixture.tcp(MTProtoFixtures.plainPadded)?.detail == "padded intermediate")
        #expect(PayloadFixture.tcp(MTProtoFixtures.plainFull)?.detail == "full")
        // The 4-byte intermediate tags may come alone.
        #expect(PayloadFixture.tcp([0xEE, 0xEE, 0xEE, 0xEE])?.detail == "intermediate")
        #expect(PayloadFixture.tcp([0xDD, 0xDD, 0xDD, 0xDD])?.detail == "padded intermediate")
        // Full without its CRC yet still has the strong header.
        #expect(PayloadFixture.tcp(Array(MTProtoFixtures.plainFull.dropLast(4)))?.detail == "full")
    }

    @Test("plain transports with a broken first message are not MTProto")
    func brokenPlainTransports() {
        // A lone 0xef, or 0xef without the unencrypted message, is too little.
        #expect(PayloadFixture.tcp([0xEF]) == nil)
        #expect(PayloadFixture.tcp([0xEF, 0x0A] + [UInt8](repeating: 0x42, count: 40)) == nil)
        // Length field disagreeing with message_data_length.
        var abridged = MTProtoFixtures.plainAbridged
        abridged[1] = 0x0B
        #expect(PayloadFixture.tcp(abridged) == nil)
        // A msg_id from 1970 or not divisible by 4.
        var oldID = MTProtoFixtures.plainAbridged
        oldID.replaceSubrange(14..<18, with: [0, 0, 0, 0])
        #expect(PayloadFixture.tcp(oldID) == nil)
        var oddID = MTProtoFixtures.plainAbridged
        oddID[10] |= 1
        #expect(PayloadFixture.tcp(oddID) == nil)
        // Intermediate length too small or unaligned.
        #expect(PayloadFixture.tcp([0xEE, 0xEE, 0xEE, 0xEE, 0x08, 0, 0, 0]) == nil)
        #expect(PayloadFixture.tcp([0xEE, 0xEE, 0xEE, 0xEE, 0x29, 0, 0, 0]) == nil)
        // Full with a wrong CRC.
        var full = MTProtoFixtures.plainFull
        full[full.count - 1] ^= 0xFF
        #expect(PayloadFixture.tcp(full) == nil)
    }

    @Test("every truncation of the fixtures is handled without over-reading")
    func truncations() {
        for fixture in [MTProtoFixtures.abridgedDC2, MTProtoFixtures.plainAbridged, MTProtoFixtures.plainFull,
                        MTProtoFixtures.plainIntermediate] {
            for length in 0..<fixture.count { _ = PayloadFixture.tcp(Array(fixture.prefix(length))) }
        }
    }
}
