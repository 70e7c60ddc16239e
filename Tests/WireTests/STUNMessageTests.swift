import Testing
@testable import Wire

// Fixtures: the RFC 5769 test vectors (checked by decoding them with tshark), and UDP payloads
// from the nDPI test captures (../shared/corpus/ndpi/pcap/) extracted with
// `tshark -r F -Y "frame.number==N" -T fields -e udp.payload`.
enum STUNFixtures {
    // RFC 5769 §2.1; tshark: Binding Request user: evtj:h6vY, SOFTWARE "STUN test client",
    // PRIORITY, ICE-CONTROLLED, MESSAGE-INTEGRITY, FINGERPRINT
    static let rfcRequest = AppFixture.bytes("""
        000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576
        746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf
        """)

    // RFC 5769 §2.2; tshark: Binding Success Response XOR-MAPPED-ADDRESS: 192.0.2.1:32853, SOFTWARE "test vector"
    static let rfcIPv4Response = AppFixture.bytes("""
        0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9
        ba53f06be7d780280004c07d4c96
        """)

    // RFC 5769 §2.3; tshark: Binding Success Response XOR-MAPPED-ADDRESS: 2001:db8:1234:5678:11:2233:4455:6677:32853
    static let rfcIPv6Response = AppFixture.bytes("""
        010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382
        954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c
        """)

    // RFC 5769 §2.4; tshark: Binding Request user: マトリックス with nonce realm: example.org
    static let rfcLongTermRequest = AppFixture.bytes("""
        000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae38383e382afe382b900000015001c662f2f3439396b39353464364f4c33346f4c
        394653547679363473410014000b6578616d706c652e6f72670000080014f67024656dd64a3e02b8e0712e85c9a28ca89666
        """)

    // tshark: stun_google_meet.pcapng #5, Binding Request user: HrRgpad7PfoKaAoKAAiKAiADEA:P8/L
    static let meetRequest = AppFixture.bytes("""
        000100682112a442665152434857314a383677480006001f487252677061643750666f4b61416f4b4141694b4169414445413a50382f4c00c05700040003000a802a
        000848e5659350cd8cb5002400046e7f1effc05900020001000000080014491905c045385ded81c816a1720e7ecd22bb0d4180280004ef25d4fe
        """)

    // tshark: stun_google_meet.pcapng #216, Binding Success Response
    // XOR-MAPPED-ADDRESS: 2001:b07:a3d:c112:48a1:1094:1227:281e:45572
    static let meetIPv6Response = AppFixture.bytes("""
        010100382112a4426b4f6933493237343870764100200014000293160113af456172a821019327a02a575e5f000800145aa3f076b27187c2cd59830e28a183d875f5
        c40a802800044b6055df
        """)

    // tshark: stun_wa_call.pcapng #9, Allocate Request XOR-RELAYED-ADDRESS: 157.240.195.48:3478,
    // WhatsApp's attribute 0x4000 (150 bytes + 2 padding), MESSAGE-INTEGRITY
    static let whatsappAllocate = AppFixture.bytes("""
        000300c02112a44270758b44c723a74ed1934a2d400000960903b1f233f8c57f92f2652b5d79369f5e5fb8c4a70706225a01aba62b935ef2a24b0dc48abd6b1bfff1
        10d2a96274520ad0428d2af1b6588f85e4d90e781a1838b7e1af581ca1d02942210a3869c0ff14bee762eeea753d15edea509179f15ef0addbd2347ef98bd6bd5ae6
        012a04ff263d5e54b1559f86d1938f04beb2db2f67cbe9058ddab38fbff8c2f0ab69980fc26f8209847e00000016000800012c84bce2677200080014616fe8f92d5f
        f3d779750535ff98f6a0c313b22c
        """)

    // tshark: stun_wa_call.pcapng #11, Allocate Success Response XOR-MAPPED-ADDRESS: 93.35.171.3:61494,
    // WhatsApp's attribute 0x4002
    static let whatsappAllocateResponse = AppFixture.bytes("""
        010300302112a44270758b44c723a74ed1934a25002000080001d1247c310f41400200080000018660b8c82700080014aa7209cd6fe3d57f1cfd68312450d84c88c2
        1b4e
        """)

    // tshark: zoom.pcap #34, Simple Traversal of UDP Through NAT (RFC 3489): Binding Request,
    // one unknown attribute 0x0101 of 20 bytes
    static let classicRequest = AppFixture.bytes(
        "00010018c15dae63585d14392e582c260403bf30010100143132333435363738393031323334353637383900")

    static let all = [rfcRequest, rfcIPv4Response, rfcIPv6Response, rfcLongTermRequest, meetRequest,
                      meetIPv6Response, whatsappAllocate, whatsappAllocateResponse, classicRequest]
}

@Suite("STUNMessage")
struct STUNMessageTests {
    @Test("RFC 5769 request: class, method, SOFTWARE, USERNAME, integrity and fingerprint")
    func rfcRequest() throws {
        try AppFixture.withExact(STUNFixtures.rfcRequest) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(!message.isClassic)
            #expect(message.messageClass == .request)
            #expect(message.method == .binding)
            #expect(message.length == 0x58)
            #expect(AppFixture.hex(message.transactionID) == "b7e7a701bc34d686fa87dfae")
            #expect(AppFixture.text(message.software) == "STUN test client")
            #expect(message.text(of: .username) == "evtj:h6vY")
            #expect(message.hasMessageIntegrity && message.hasFingerprint && !message.hasMessageIntegritySHA256)
            #expect(message.attributes.map(\.type) == [.software, .priority, .iceControlled, .username,
                                                        .messageIntegrity, .fingerprint])
            #expect(message.xorMappedAddress == nil)
        }
    }

    @Test("RFC 5769 responses: XOR-MAPPED-ADDRESS decoded for IPv4 and IPv6")
    func rfcResponses() throws {
        try AppFixture.withExact(STUNFixtures.rfcIPv4Response) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(message.messageClass == .successResponse)
            #expect(message.method == .binding)
            #expect(message.text(of: .software) == "test vector")
            #expect(message.xorMappedAddress == STUNTransportAddress(address: IPAddress("192.0.2.1")!, port: 32853))
            #expect(message.xorMappedAddress?.description == "192.0.2.1:32853")
        }
        try AppFixture.withExact(STUNFixtures.rfcIPv6Response) { bytes in
            let message = try #require(STUNMessage(bytes))
            let mapped = try #require(message.xorMappedAddress)
            #expect(mapped.address == IPAddress("2001:db8:1234:5678:11:2233:4455:6677"))
            #expect(mapped.port == 32853)
            #expect(mapped.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
        }
    }

    @Test("RFC 5769 long-term request: REALM and a UTF-8 USERNAME")
    func rfcLongTerm() throws {
        try AppFixture.withExact(STUNFixtures.rfcLongTermRequest) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(AppFixture.text(message.realm) == "example.org")
            #expect(AppFixture.text(message.username) == "マトリックス")
            #expect(message.text(of: .nonce) == "f//499k954d6OL34oL9FSTvy64sA")
            #expect(message.hasMessageIntegrity && !message.hasFingerprint)
        }
    }

    @Test("Google Meet: an ICE check's USERNAME and an IPv6 mapped address")
    func meet() throws {
        try AppFixture.withExact(STUNFixtures.meetRequest) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(message.text(of: .username) == "HrRgpad7PfoKaAoKAAiKAiADEA:P8/L")
            #expect(message.attributes.map(\.rawType) == [0x0006, 0xC057, 0x802A, 0x0024, 0xC059, 0x0008, 0x8028])
            #expect(message.attributes.map(\.isComprehensionRequired) == [true, false, false, true, false, true, false])
        }
        try AppFixture.withExact(STUNFixtures.meetIPv6Response) { bytes in
            let mapped = try #require(STUNMessage(bytes)?.xorMappedAddress)
            #expect(mapped.address == IPAddress("2001:b07:a3d:c112:48a1:1094:1227:281e"))
            #expect(mapped.port == 45572)
        }
    }

    @Test("WhatsApp's TURN Allocate: its own attributes, padding, relayed and mapped addresses")
    func whatsapp() throws {
        try AppFixture.withExact(STUNFixtures.whatsappAllocate) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(message.method == .allocate)
            #expect(message.messageClass == .request)
            let attributes = Array(message.attributes)
            #expect(attributes.map(\.rawType) == [0x4000, 0x0016, 0x0008])
            #expect(attributes.first?.value.count == 150)
            #expect(attributes.first?.type == .unknown(0x4000))
            #expect(message.xorRelayedAddress == STUNTransportAddress(address: IPAddress("157.240.195.48")!, port: 3478))
            #expect(message.hasMessageIntegrity)
        }
        try AppFixture.withExact(STUNFixtures.whatsappAllocateResponse) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(message.messageClass == .successResponse)
            #expect(message.method == .allocate)
            #expect(message.xorMappedAddress?.description == "93.35.171.3:61494")
            #expect(message.attribute(.unknown(0x4002))?.count == 8)
        }
    }

    @Test("a classic RFC 3489 message is recognised as such, with a 16-byte transaction id")
    func classic() throws {
        try AppFixture.withExact(STUNFixtures.classicRequest) { bytes in
            let message = try #require(STUNMessage(bytes))
            #expect(message.isClassic)
            #expect(message.method == .binding && message.messageClass == .request)
            #expect(message.transactionID.count == 16)
            #expect(message.attributes.map(\.rawType) == [0x0101])
            #expect(message.xorMappedAddress == nil)
        }
        // Without the cookie, an unknown message type is not taken for classic STUN.
        var other = STUNFixtures.classicRequest
        other[1] = 0x03
        AppFixture.withExact(other) { #expect(STUNMessage($0) == nil) }
    }

    @Test("classic MAPPED-ADDRESS and ERROR-CODE are decoded")
    func mappedAndError() throws {
        // Binding Error Response with MAPPED-ADDRESS 192.0.2.7:3478 and ERROR-CODE 438 "Stale".
        let bytes = AppFixture.bytes("0111001c2112a442000000000000000000000001"
                                     + "000100080001" + "0d96c0000207"
                                     + "0009000900000426" + "5374616c65" + "000000")
        try AppFixture.withExact(bytes) { raw in
            let message = try #require(STUNMessage(raw))
            #expect(message.messageClass == .errorResponse)
            #expect(message.mappedAddress?.description == "192.0.2.7:3478")
            #expect(message.errorCode == 438)
        }
    }

    @Test("every truncation is rejected")
    func truncations() {
        for fixture in STUNFixtures.all {
            AppFixture.forEachTruncation(of: fixture) { length, bytes in
                #expect(STUNMessage(bytes) == nil, "prefix \(length)")
            }
        }
    }

    @Test("bytes after the message are left out of the view; other protocols are rejected")
    func framing() {
        AppFixture.withExact(STUNFixtures.rfcIPv4Response + [0xAA, 0xBB]) { bytes in
            #expect(STUNMessage(bytes)?.bytes.count == STUNFixtures.rfcIPv4Response.count)
        }
        for other in [DNSFixtures.query, TLSFixtures.protocolVersionAlert, [0x40, 0x01, 0x00, 0x00] + [UInt8](repeating: 0, count: 16)] {
            AppFixture.withExact(other) { #expect(STUNMessage($0) == nil) }
        }
        // An attribute running past the declared length.
        var overrun = STUNFixtures.rfcIPv4Response
        overrun[23] = 0x60
        AppFixture.withExact(overrun) { #expect(STUNMessage($0) == nil) }
    }

    @Test("corrupting any byte never crashes")
    func corruption() {
        for fixture in [STUNFixtures.rfcRequest, STUNFixtures.rfcIPv6Response, STUNFixtures.whatsappAllocateResponse] {
            AppFixture.forEachCorruption(of: fixture) { bytes in
                guard let message = STUNMessage(bytes) else { return }
                _ = message.xorMappedAddress
                _ = message.xorRelayedAddress
                _ = message.mappedAddress
                _ = message.errorCode
                _ = message.text(of: .software)
                _ = Array(message.attributes).count
                _ = message.method
            }
        }
    }

    @Test("methods and attribute types keep unknown values")
    func vocabularies() {
        #expect(STUNMethod(rawValue: 0x009) == .channelBind)
        #expect(STUNMethod(rawValue: 0x200) == .unknown(0x200))
        #expect(STUNAttributeType(rawValue: 0x8022) == .software)
        #expect(STUNAttributeType(rawValue: 0x4000) == .unknown(0x4000))
    }
}
