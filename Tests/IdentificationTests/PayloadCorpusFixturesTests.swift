import Identification
import Testing

// One table of captured first payloads, positives and negatives, run through the recognizer.
// Negatives are first payloads of flows nDPI labels as something else: random-looking ones
// (Threema, UltraSurf, imo, KakaoTalk, WeChat) are the obfuscated2 check's hardest neighbours.
// Extracted from ../shared/corpus/ndpi/pcap/ with tshark (`-e tcp.payload`, `-e udp.payload`),
// the first 64–96 bytes of the client's first segments.
enum PayloadCorpusFixtures {
    typealias Case = PayloadFixture.Case

    static func tcp(_ name: String, _ hex: String, ports: (UInt16, UInt16), _ expected: ApplicationProtocol? = nil,
                    app: ServiceName? = nil, server: [UInt8] = []) -> Case {
        Case(name: name, bytes: PayloadFixture.bytes(hex), transport: .tcp(server: server), ports: ports,
             expected: expected, app: app)
    }

    static func udp(_ name: String, _ bytes: [UInt8], ports: (UInt16, UInt16), fromClient: Bool = true,
                    _ expected: ApplicationProtocol? = nil, app: ServiceName? = nil) -> Case {
        Case(name: name, bytes: bytes, transport: .udp(fromClient: fromClient), ports: ports, expected: expected, app: app)
    }

    static let cases: [Case] = [
        // Positives (the fixtures of the per-recognizer suites).
        Case(name: "whatsapp.pcap ED preface", bytes: WhatsAppFixtures.edge, transport: .tcp(server: []),
             ports: (44804, 5222), expected: .whatsappChat, app: .whatsapp),
        Case(name: "whatsapp_login_call.pcap WA 1.5", bytes: WhatsAppFixtures.legacy, transport: .tcp(server: []),
             ports: (49202, 5222), expected: .whatsappChat, app: .whatsapp),
        udp("telegram.pcap reflector", TelegramCallFixtures.request, ports: (23174, 521), .telegramCall, app: .telegram),
        udp("wa_voice.pcap Allocate", STUNAttributionFixtures.whatsappUnpadded, ports: (56328, 3478), .stun, app: .whatsapp),
        udp("stun_msteams_unidir.pcapng", STUNAttributionFixtures.teams, ports: (50006, 3479), fromClient: false, .stun,
            app: "microsoft"),
        udp("stun_google_meet.pcapng request", STUNAttributionFixtures.meet, ports: (45400, 3478), .stun),
        udp("wireguard.pcap initiation", NamedProtocolFixtures.wireguardInitiation, ports: (43462, 51820), .wireguard),
        Case(name: "bittorrent.pcap handshake", bytes: NamedProtocolFixtures.bittorrentHandshake, transport: .tcp(server: []),
             ports: (52888, 38305), expected: .bittorrent, app: nil),
        Case(name: "ssh_unidirectional.pcap", bytes: [0x0D, 0x0A], transport: .tcp(server: NamedProtocolFixtures.sshServer),
             ports: (50306, 22), expected: .ssh, app: nil),

        // Negatives.
        tcp("443-curl.pcap ClientHello", """
            1603010200010001fc03033e3841edcc20f6d0e5f7167ab7ee91a800c8ef70c2d624c7c7943a24026d9fbc000086cc14
            cc13cc15c030c02cc028c024c014c00a
            """, ports: (55523, 443)),
        tcp("line.pcap TLS application data", """
            170303003768fbec457d490e250fd08425aeb6f7b5b30b38d10fbce16a4772a839aed50256d811a453d181dc03773
            8f23327e3b54b27d1cef7bb94561703030059090dc44800fb1a3a9e8d2b2801a8b731bc0168158b5e67d61b817ec7
            """, ports: (57841, 443)),
        tcp("http-manipulated.pcap GET", "474554202f20485454502f312e310d0a684f73543a777777772e6c616e3a383038300d0a",
            ports: (33632, 8080)),
        tcp("threema.pcap on 5222", """
            c14e111b4f57bd6e6cc5640eb7d0d3985b6632a7269d9082ffabac9eb9495b1bd7472064ad498b52895a1ec540228cc2
            5053fc6defd36d901dda8e4482eb9f34de325baed3e690e4ba9eda31d17cb480b94c928aaac7fde421ec9cca3488f95d
            """, ports: (50298, 5222)),
        tcp("ultrasurf.pcap", """
            cc1c30415ba43866996feba3ffc3dd2391a2ebc670b2559ecf1e693bb6dffd38d9a5158fad6737a5e6d228e769483e36
            999aa3e6a14b96055a55398310add41bf60ddf17df888ac1e414235a55d7c245219417e2d67c060a8f307accdf170ed2
            """, ports: (50053, 37898)),
        tcp("KakaoTalk_talk.pcap", """
            3a000000ad5902ff880ffdd78b639a8097e82f9397fcc6a979417030bccf5b6f9b50c87c2d3f51a26c06a5b6cc3de231
            9cbe3e0d34007c35cf125c24c23e1b000000ac5902ff880ffdd78b639a8883a760de29d6f132dc9efae7924c2b260000
            """, ports: (51021, 8080)),
        tcp("wechat.pcap", """
            8f134f19bd5bda020e1669aba1dac85065a9443f2905efdec8034eb87c677f5a048820ca431914eb2be0aa296d0bce4e
            d583a57f8f9ba1a667fefed4d13911fa543d6bc5c474cb5b50336f4643759692c034d25ef53e96117411661850013caf
            """, ports: (443, 54084)),
        tcp("shadowsocks.pcap SOCKS5", "0502000105010001805f9bc60050", ports: (37904, 1080)),
        udp("imo.pcap", PayloadFixture.bytes("""
            813c0e6848c33455f3c66c5a99f386a2bdf1143dc0ec59c25cd73e8498452ab24e3e93081d476a8f5c7b6587be7e62f5
            d3866567c4121a380c0f1c46438ecce404591bd62605390a9a8a26a740b6af993bf94baa5e0907a1f6bd234ea47d024a
            """), ports: (49207, 36535)),
        udp("oicq.pcap", PayloadFixture.bytes("023b0b00010017561f0c7b0000000000000000030c949fb3510c59cbd527d19e6953482ec8770801030e4703"),
            ports: (60213, 8000)),
        udp("quic.pcap gQUIC Q024", PayloadFixture.bytes("""
            0db2de5df14f5545eb51303234013b6e8986f83cf3b7a6ab5d0501a001000443484c4f180000005041440087010000534e
            49009601000053544b00d001000056455200d401000043435300e40100004e4f4e43040200004d5350430802000041
            """), ports: (57833, 443)),
        udp("snapchat_call_v1.pcapng QUIC Initial", PayloadFixture.bytes("""
            c600000001088410aee2343ad9e80000449eb6a390758909a549946cb77b7429f2fe6017d6e569c89b61b115e9454f15
            59e3d5e96f5b782ad2af0e1b7cdf7938ea9c414b8348a0367d52f40f990327f6ac3668940e6d9d4f1c282f2e4b29e81b
            """), ports: (47520, 443)),
        udp("wa_voice.pcap DNS query", PayloadFixture.bytes("646f010000010000000000000377777706676f6f676c6503636f6d0000010001"),
            ports: (51431, 53)),
    ]
}

@Suite("Corpus fixtures through the recognizer")
struct PayloadCorpusFixturesTests {
    @Test("each fixture gets its expected protocol and app, or nothing", arguments: PayloadCorpusFixtures.cases)
    func fixture(_ fixture: PayloadFixture.Case) {
        let match = fixture.run()
        #expect(match?.applicationProtocol == fixture.expected)
        #expect(match?.app == fixture.app)
    }

    @Test("every truncation and single-byte corruption is read within bounds", arguments: PayloadCorpusFixtures.cases)
    func robustness(_ fixture: PayloadFixture.Case) {
        var copy = fixture
        for length in 0..<fixture.bytes.count {
            copy.bytes = Array(fixture.bytes.prefix(length))
            _ = copy.run()
        }
        copy.bytes = fixture.bytes
        for index in fixture.bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x04, 0x7F, 0x80, 0xEF, 0xFF] where value != fixture.bytes[index] {
                copy.bytes[index] = value
                _ = copy.run()
            }
            copy.bytes[index] = fixture.bytes[index]
        }
    }
}
