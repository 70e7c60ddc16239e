import Foundation
import Testing
@testable import Identification

/// The appendix A test vectors of RFC 9001 (QUIC v1) and RFC 9369 (QUIC v2), and the drafts'
/// vectors for the pre-RFC salts BlockWatch keeps. All use the client DCID 0x8394c8f03e515708.
enum QUICRFCVectors {
    static let connectionID = QUICTestBytes.hex("8394c8f03e515708")

    /// RFC 9001 A.2: the client's first Initial, 1,200 bytes, protected.
    static let clientInitialV1 = QUICTestBytes.hex("""
        c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399
        1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212
        30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208
        4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3
        485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c
        7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556
        be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a
        c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632
        291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd
        14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198
        e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009ddc324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73
        203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e
        fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047
        90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4
        40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e
        8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400
        54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9
        f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064
        7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934
        """)

    /// RFC 9369 A.2: the same Initial under QUIC v2.
    static let clientInitialV2 = QUICTestBytes.hex("""
        d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04
        9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a
        12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68
        18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff3312ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3
        d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520
        bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f
        ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c1216ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5
        4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b
        8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de714d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9
        9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd
        80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18
        d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc
        7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710
        10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e
        06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1
        34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd
        5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e38d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89
        d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b536f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19
        9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96ba18b2faa745b6fe189cf772a9f84cbfc
        """)

    /// RFC 9001 A.2: the unprotected payload, a CRYPTO frame holding the ClientHello (SNI
    /// example.com, ALPN "alpn"), followed by 917 bytes of PADDING.
    static let clientPayloadPrefix = QUICTestBytes.hex("""
        060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
        616d706c652e636f6dff01000100000a00080006001d0017001800100007000504616c706e000500050100000000003300260024001d00209370b2c9caa47fba
        baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c0002400100
        3900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51570806048000ffff
        """)
}

@Suite("QUIC Initial keys and packet protection")
struct QUICInitialKeysTests {
    static func hex(_ key: some ContiguousBytes) -> String {
        key.withUnsafeBytes { QUICTestBytes.hexString($0) }
    }

    @Test("HKDF-Expand-Label info is length, \"tls13 \"-prefixed label, empty context")
    func expandLabelInfo() {
        // The info bytes for "quic key" (RFC 9001 A.1 lists them): 00100e "tls13 quic key" 00.
        // Expanding a known secret with that info by hand must equal expandLabel's output.
        let secret = QUICInitialKeys.clientInitialSecret(salt: QUICVersion.saltV1, connectionID: QUICRFCVectors.connectionID)
        let info = QUICTestBytes.hex("00100e746c7331332071756963206b657900")
        let manual = HKDFReference.expand(secret: secret.withUnsafeBytes { Array($0) }, info: info, length: 16)
        #expect(Self.hex(QUICInitialKeys.expandLabel(secret, label: "quic key", length: 16)) == QUICTestBytes.hexString(manual))
    }

    @Test("RFC 9001 A.1: v1 client Initial secret, key, iv and hp for DCID 8394c8f03e515708")
    func v1Keys() throws {
        let secret = QUICInitialKeys.clientInitialSecret(salt: QUICVersion.saltV1, connectionID: QUICRFCVectors.connectionID)
        #expect(Self.hex(secret) == "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea")
        let keys = try #require(QUICInitialKeys(version: .v1, destinationConnectionID: QUICRFCVectors.connectionID))
        #expect(Self.hex(keys.key) == "1f369613dd76d5467730efcbe3b1a22d")
        #expect(QUICTestBytes.hexString(keys.iv) == "fa044b2f42a3fd3b46fb255c")
        #expect(Self.hex(keys.headerProtectionKey) == "9f50449e04a0e810283a1e9933adedd2")
    }

    @Test("RFC 9369 A.1: v2 uses its own salt and the \"quicv2\" labels")
    func v2Keys() throws {
        let secret = QUICInitialKeys.clientInitialSecret(salt: QUICVersion.saltV2, connectionID: QUICRFCVectors.connectionID)
        #expect(Self.hex(secret) == "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b")
        let keys = try #require(QUICInitialKeys(version: .v2, destinationConnectionID: QUICRFCVectors.connectionID))
        #expect(Self.hex(keys.key) == "8b1a0bc121284290a29e0971b5cd045d")
        #expect(QUICTestBytes.hexString(keys.iv) == "91f73e2351d8fa91660e909f")
        #expect(Self.hex(keys.headerProtectionKey) == "45b95e15235d6f45a6b19cbcb0294ba9")
    }

    @Test("draft-29 A.1: salt afbfec28…, key 175257a3…, hp 9ddd12c9…")
    func draft29Keys() throws {
        let keys = try #require(QUICInitialKeys(version: .draft(0xFF00_001D), destinationConnectionID: QUICRFCVectors.connectionID))
        #expect(Self.hex(keys.key) == "175257a31eb09dea9366d8bb79ad80ba")
        #expect(QUICTestBytes.hexString(keys.iv) == "6b26114b9cba2b63a9e8dd4f")
        #expect(Self.hex(keys.headerProtectionKey) == "9ddd12c994c0698b89374a9c077a3077")
    }

    @Test("draft-23 A.1: drafts 23–28 and mvfst 0xfaceb002 share salt c3eef712…")
    func draft23Keys() throws {
        let secret = QUICInitialKeys.clientInitialSecret(salt: QUICVersion.saltDraft23, connectionID: QUICRFCVectors.connectionID)
        #expect(Self.hex(secret) == "fda3953aecc040e48b34e27ef87de3a6098ecf0e38b7e032c5c57bcbd5975b84")
        for raw: UInt32 in [0xFF00_0017, 0xFF00_001C, 0xFACE_B002] {
            let keys = try #require(QUICInitialKeys(version: QUICVersion(rawValue: raw), destinationConnectionID: QUICRFCVectors.connectionID))
            #expect(Self.hex(keys.key) == "af7fd7efebd21878ff66811248983694")
            #expect(QUICTestBytes.hexString(keys.iv) == "8681359410a70bb9c92f0420")
            #expect(Self.hex(keys.headerProtectionKey) == "a980b8b4fb7d9fbc13e814c23164253d")
        }
    }

    @Test("versions: raw values round-trip; only known salts are decryptable")
    func versions() {
        #expect(QUICVersion(rawValue: 1) == .v1)
        #expect(QUICVersion(rawValue: 0x6B33_43CF) == .v2)
        #expect(QUICVersion(rawValue: 0xFF00_001D) == .draft(0xFF00_001D))
        #expect(QUICVersion(rawValue: 0xFACE_B001) == .draft(0xFACE_B001))
        #expect(QUICVersion(rawValue: 0xFF00_0015) == .unknown(0xFF00_0015))   // draft-21: older header layout
        #expect(QUICVersion(rawValue: 0x5130_3436) == .unknown(0x5130_3436))   // Google "Q046"
        #expect(QUICVersion(rawValue: 0) == .unknown(0))
        for raw: UInt32 in [1, 0x6B33_43CF, 0xFF00_0016, 0xFF00_001D, 0xFF00_0020, 0xFACE_B00E, 0x1A2A_3A4A] {
            #expect(QUICVersion(rawValue: raw).rawValue == raw)
        }
        #expect(QUICVersion.v1.isDecryptable && QUICVersion.v2.isDecryptable)
        #expect(!QUICVersion(rawValue: 0xFF00_0021).isDecryptable)
        #expect(QUICVersion(rawValue: 0xFF00_001D).description == "draft-29")
        #expect(QUICVersion(rawValue: 0xFACE_B001).description == "mvfst-0xfaceb001")
    }

    @Test("RFC 9369 §3.2: v2 rotates the long-header type bits; Initial is 0b01")
    func packetTypeBits() {
        #expect(QUICVersion.v1.packetType(bits: 0) == .initial)
        #expect(QUICVersion.v1.packetType(bits: 1) == .zeroRTT)
        #expect(QUICVersion.v1.packetType(bits: 2) == .handshake)
        #expect(QUICVersion.v1.packetType(bits: 3) == .retry)
        #expect(QUICVersion.v2.packetType(bits: 1) == .initial)
        #expect(QUICVersion.v2.packetType(bits: 2) == .zeroRTT)
        #expect(QUICVersion.v2.packetType(bits: 3) == .handshake)
        #expect(QUICVersion.v2.packetType(bits: 0) == .retry)
    }

    @Test("RFC 9000 A.3: packet number 0x9b32 after 0xa82f30ea is 0xa82f9b32")
    func packetNumberDecoding() {
        #expect(QUICPacketOpener.decodePacketNumber(truncated: 0x9B32, length: 2, largest: 0xA82F_30EA) == 0xA82F_9B32)
        #expect(QUICPacketOpener.decodePacketNumber(truncated: 2, length: 4, largest: -1) == 2)
        #expect(QUICPacketOpener.decodePacketNumber(truncated: 0x00, length: 1, largest: 0xFF) == 0x100)
        #expect(QUICPacketOpener.decodePacketNumber(truncated: 0xFF, length: 1, largest: 0x100) == 0xFF)
    }

    @Test("RFC 9001 A.2: header protection off, payload opened: CRYPTO then 917 bytes of PADDING")
    func openV1() throws {
        try Self.checkOpen(QUICRFCVectors.clientInitialV1, version: .v1)
    }

    @Test("RFC 9369 A.2: the v2 Initial opens to the same payload")
    func openV2() throws {
        try Self.checkOpen(QUICRFCVectors.clientInitialV2, version: .v2)
    }

    static func checkOpen(_ datagram: [UInt8], version: QUICVersion) throws {
        try datagram.withUnsafeBytes { bytes in
            guard case .packet(let header) = QUICLongHeader.parse(bytes) else {
                Issue.record("the header does not parse")
                return
            }
            #expect(header.version == version)
            #expect(header.type == .initial)
            #expect(QUICTestBytes.hexString(header.destinationConnectionID) == "8394c8f03e515708")
            #expect(header.sourceConnectionID.isEmpty && header.token.isEmpty)
            #expect(header.packetNumberOffset == 18)
            #expect(header.packet.count == 1200)
            let keys = try #require(QUICInitialKeys(version: version, destinationConnectionID: header.destinationConnectionID))
            var opener = QUICPacketOpener()
            let opened = opener.open(header, with: keys)
            let plaintext = try #require(opened)
            #expect(plaintext.count == 1162)
            #expect(Array(plaintext.prefix(QUICRFCVectors.clientPayloadPrefix.count)) == QUICRFCVectors.clientPayloadPrefix)
            #expect(plaintext.dropFirst(QUICRFCVectors.clientPayloadPrefix.count).allSatisfy { $0 == 0 })
            #expect(opener.largestPacketNumber == 2)
            plaintext.withUnsafeBytes { payload in
                var frames = QUICInitialFrames(payload)
                var described: [String] = []
                while let frame = frames.next() {
                    switch frame {
                    case .crypto(let offset, let data): described.append("CRYPTO \(offset)+\(data.count)")
                    case .padding(let count): described.append("PADDING \(count)")
                    default: described.append("other")
                    }
                }
                #expect(described == ["CRYPTO 0+241", "PADDING 917"])
                #expect(!frames.stoppedEarly)
            }
        }
    }

    @Test("frames an Initial may carry are skipped exactly; an unknown type stops the walk")
    func frameWalk() {
        // PING, ACK (2 ranges), ACK_ECN, CONNECTION_CLOSE with a reason, CRYPTO, then STREAM (0x08).
        var payload: [UInt8] = [0x01]
        payload += [0x02, 0x0A, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00]
        payload += [0x03, 0x05, 0x40, 0x10, 0x00, 0x00, 0x01, 0x02, 0x03]
        payload += [0x1C, 0x0A, 0x06, 0x03] + Array("bye".utf8)
        payload += [0x06, 0x00, 0x03, 0xAA, 0xBB, 0xCC]
        payload += [0x08, 0x00, 0x00]
        payload.withUnsafeBytes { bytes in
            var frames = QUICInitialFrames(bytes)
            var kinds: [String] = []
            while let frame = frames.next() {
                switch frame {
                case .ping: kinds.append("ping")
                case .ack: kinds.append("ack")
                case .connectionClose(let code): kinds.append("close \(code)")
                case .crypto(let offset, let data): kinds.append("crypto \(offset) \(QUICTestBytes.hexString(data))")
                case .padding: kinds.append("padding")
                }
            }
            #expect(kinds == ["ping", "ack", "ack", "close 10", "crypto 0 aabbcc"])
            #expect(frames.stoppedEarly)
        }
    }

    @Test("a frame that overruns the payload stops the walk without reading past it")
    func frameOverrun() {
        for payload: [UInt8] in [[0x06, 0x00, 0x10, 0x01], [0x02, 0x00, 0x00, 0x3F, 0x00], [0x1C, 0x00, 0x00, 0x09, 0x41],
                                 [0x03, 0x00, 0x00, 0x00, 0x00, 0x01], [0x06, 0xFF]] {
            payload.withUnsafeBytes { bytes in
                var frames = QUICInitialFrames(bytes)
                while frames.next() != nil {}
                #expect(frames.stoppedEarly)
            }
        }
    }
}

/// HKDF-Expand (RFC 5869 §2.3) written out with HMAC, to check the TLS label layout by hand.
enum HKDFReference {
    static func expand(secret: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        var output: [UInt8] = []
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            previous = QUICTestCrypto.hmacSHA256(key: secret, message: previous + info + [counter])
            output += previous
            counter += 1
        }
        return Array(output.prefix(length))
    }
}
