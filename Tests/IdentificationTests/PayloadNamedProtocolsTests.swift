import Identification
import PacketCrafting
import Testing

// SSH, WireGuard, BitTorrent from the nDPI corpus; OpenVPN, DHT and Tor ClientHellos crafted
// (the corpus has none).
enum NamedProtocolFixtures {
    /// ssh_unidirectional.pcap: the client sent "\r\n"; the server's banner, from 192.168.2.1:22.
    static let sshServer = Array("SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\nProtocol mismatch.\n".utf8)
    /// wireguard.pcap #1–#3, 10.9.0.1:43462 ↔ 10.9.0.2:51820 (nDPI: WireGuard).
    static let wireguardInitiation = PayloadFixture.bytes("""
        01000000d837d0305fcec7c8e5c8e2e3f7989eef60c228d82329d602b6b1e2bb9d068f89cf9d4d4532780f6d27264f7b
        98701fdc27a4ec00aeb6becdbef2332f1b4084cadb93823935c012ae255e7b25eff13940c321fa6bd66a2a87b061db14
        30173e937f569349de2856dc5f2616763eeeafc0533b01dd965e7ec76976e28f683d671200000000000000000000000000000000
        """)
    static let wireguardResponse = PayloadFixture.bytes("""
        0200000006f47dabd837d030b18d5550bd4042a37a46823ac08db1ec66839bc0ca2d64bc15cd80232b66232faec24af8
        918de1060ff5c98e865d5f35f272214c5260110dc4c61e32cdd8542100000000000000000000000000000000
        """)
    static let wireguardTransport = PayloadFixture.bytes("""
        0400000006f47dab0000000000000000a4ebc12ee3f990da18033a0789c04e2700f6f5c271d42ac4b4d6262e666549b4
        45a7436e829bffb6ac65f05648bc0c391fe7c5884874376127164940188f03dba67af8388eaab76c593628bf9dc7be03
        346d912e916dad862545454701364f2d2486d7ced4c8642ce547ddb26ef6a46b
        """)
    /// bittorrent.pcap, 192.168.1.3:52888 → 82.58.216.115:38305: the 68-byte peer handshake.
    static let bittorrentHandshake = PayloadFixture.bytes("""
        13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea243126
        2d554d313836302d418e181ac9ba17987152663e
        """)

    static let sessionID: [UInt8] = [0x9B, 0x1E, 0x23, 0x77, 0x01, 0xC4, 0x5A, 0x10]
    /// A client hard reset v2 without tls-auth: opcode 7 key 0, session id, no acks, message id 0.
    static let openVPNPlain: [UInt8] = [0x38] + sessionID + [0x00, 0, 0, 0, 0]
    /// With tls-auth (HMAC-SHA1): HMAC, packet id 1, time 2024-05-18, no acks, message id 0.
    static let openVPNTLSAuth: [UInt8] = [0x38] + sessionID + [UInt8](repeating: 0xA5, count: 20)
        + [0, 0, 0, 1, 0x66, 0x48, 0x15, 0x00, 0x00, 0, 0, 0, 0]
    /// tls-crypt-v2 (opcode 10): packet id 1, time, 32-byte tag, encrypted rest.
    static let openVPNTLSCrypt: [UInt8] = [0x50] + sessionID + [0, 0, 0, 1, 0x66, 0x48, 0x15, 0x00]
        + [UInt8](repeating: 0x3C, count: 32) + [UInt8](repeating: 0x77, count: 5)
    /// The server's reset v2 without tls-auth, acknowledging the client's message 0.
    static let openVPNServerPlain: [UInt8] = [0x40, 1, 2, 3, 4, 5, 6, 7, 8] + [0x01, 0, 0, 0, 0] + sessionID + [0, 0, 0, 0]

    static func tcpFramed(_ packet: [UInt8]) -> [UInt8] { [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet }
}

@Suite("SSH, WireGuard, OpenVPN, BitTorrent and Tor-like TLS")
struct PayloadNamedProtocolsTests {
    @Test("an SSH banner from either side is SSH")
    func ssh() {
        let match = PayloadFixture.tcp([0x0D, 0x0A], server: NamedProtocolFixtures.sshServer, serverPort: 22)
        #expect(match == PayloadMatch(applicationProtocol: .ssh, detail: "SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7"))
        #expect(PayloadFixture.tcp(Array("SSH-1.99-Cisco-1.25\r\n".utf8))?.applicationProtocol == .ssh)
        #expect(PayloadFixture.tcp(Array("SSH-1.5-old\r\n".utf8)) == nil)
        #expect(PayloadFixture.tcp(Array("SSH-2.0".utf8)) == nil)
    }

    @Test("WireGuard's handshake and transport messages")
    func wireguard() {
        #expect(PayloadFixture.udp(NamedProtocolFixtures.wireguardInitiation, serverPort: 51820)
                == PayloadMatch(applicationProtocol: .wireguard, detail: "handshake initiation"))
        #expect(PayloadFixture.udp(NamedProtocolFixtures.wireguardResponse, fromClient: false, serverPort: 51820)?
            .detail == "handshake response")
        #expect(PayloadFixture.udp(NamedProtocolFixtures.wireguardTransport, serverPort: 51820)?.detail == "transport data")
        // Any port: protonvpn.pcap runs WireGuard on 443.
        #expect(PayloadFixture.udp(NamedProtocolFixtures.wireguardInitiation, serverPort: 443) != nil)
        let cookie: [UInt8] = [3, 0, 0, 0, 1, 2, 3, 4] + [UInt8](repeating: 0x42, count: 56)
        #expect(PayloadFixture.udp(cookie)?.detail == "cookie reply")
    }

    @Test("WireGuard look-alikes: wrong sizes, reserved bytes, counters, indexes")
    func wireguardLookalikes() {
        #expect(PayloadFixture.udp(NamedProtocolFixtures.wireguardInitiation + [0, 0, 0, 0]) == nil)
        var reserved = NamedProtocolFixtures.wireguardInitiation
        reserved[2] = 1
        #expect(PayloadFixture.udp(reserved) == nil)
        var bigCounter = NamedProtocolFixtures.wireguardTransport
        bigCounter[15] = 1
        #expect(PayloadFixture.udp(bigCounter) == nil)
        var noIndex = NamedProtocolFixtures.wireguardTransport
        noIndex.replaceSubrange(4..<8, with: [0, 0, 0, 0])
        #expect(PayloadFixture.udp(noIndex) == nil)
        #expect(PayloadFixture.udp(Array(NamedProtocolFixtures.wireguardTransport.prefix(40))) == nil)
        #expect(PayloadFixture.udp([4, 0, 0, 0, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 16)) == nil)
    }

    @Test("OpenVPN's hard resets over TCP and UDP, in each wrapping")
    func openVPN() {
        for (packet, detail) in [(NamedProtocolFixtures.openVPNPlain, "client hard reset v2"),
                                 (NamedProtocolFixtures.openVPNTLSAuth, "client hard reset v2, tls-auth"),
                                 (NamedProtocolFixtures.openVPNTLSCrypt, "client hard reset v3, tls-crypt")] {
            #expect(PayloadFixture.udp(packet, serverPort: 1194) == PayloadMatch(applicationProtocol: .openvpn, detail: detail))
            #expect(PayloadFixture.tcp(NamedProtocolFixtures.tcpFramed(packet))?.detail == detail)
        }
        #expect(PayloadFixture.udp(NamedProtocolFixtures.openVPNServerPlain, fromClient: false)?.detail == "server hard reset v2")
        #expect(PayloadFixture.tcp(NamedProtocolFixtures.tcpFramed(NamedProtocolFixtures.openVPNPlain),
                                   server: NamedProtocolFixtures.tcpFramed(NamedProtocolFixtures.openVPNServerPlain)) != nil)
    }

    @Test("OpenVPN look-alikes: wrong direction, key id, ack fields, time, server answer")
    func openVPNLookalikes() {
        #expect(PayloadFixture.udp(NamedProtocolFixtures.openVPNPlain, fromClient: false) == nil)
        #expect(PayloadFixture.udp(NamedProtocolFixtures.openVPNServerPlain, fromClient: true) == nil)
        var keyID = NamedProtocolFixtures.openVPNPlain
        keyID[0] |= 1
        #expect(PayloadFixture.udp(keyID) == nil)
        var acks = NamedProtocolFixtures.openVPNPlain
        acks[9] = 1
        #expect(PayloadFixture.udp(acks) == nil)
        var oldTime = NamedProtocolFixtures.openVPNTLSAuth
        oldTime[33] = 0x10
        #expect(PayloadFixture.udp(oldTime) == nil)
        var zeroSession = NamedProtocolFixtures.openVPNPlain
        zeroSession.replaceSubrange(1..<9, with: [UInt8](repeating: 0, count: 8))
        #expect(PayloadFixture.udp(zeroSession) == nil)
        // The server answered with something else than its reset.
        #expect(PayloadFixture.tcp(NamedProtocolFixtures.tcpFramed(NamedProtocolFixtures.openVPNPlain),
                                   server: Array("HTTP/1.1 400 Bad Request\r\n".utf8)) == nil)
        // A TCP length that disagrees with the wrapping's needs.
        #expect(PayloadFixture.tcp([0x00, 0x05] + NamedProtocolFixtures.openVPNPlain) == nil)
    }

    @Test("BitTorrent's peer handshake, DHT and tracker connect")
    func bittorrent() {
        #expect(PayloadFixture.tcp(NamedProtocolFixtures.bittorrentHandshake, serverPort: 38305)
                == PayloadMatch(applicationProtocol: .bittorrent, detail: "peer handshake"))
        #expect(PayloadFixture.tcp([0x00], server: NamedProtocolFixtures.bittorrentHandshake)?.applicationProtocol == .bittorrent)
        let query = Array("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe".utf8)
        #expect(PayloadFixture.udp(query, serverPort: 6881)?.detail == "DHT")
        let response = Array("d2:ip6:\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re".utf8)
        #expect(PayloadFixture.udp(response)?.detail == "DHT")
        let connect: [UInt8] = [0x00, 0x00, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF]
        #expect(PayloadFixture.udp(connect, serverPort: 6969)?.detail == "tracker connect")
        #expect(PayloadFixture.udp(Array(connect.prefix(15))) == nil)
        #expect(PayloadFixture.tcp(Array(NamedProtocolFixtures.bittorrentHandshake.prefix(19))) == nil)
    }

    @Test("Tor's made-up names are recognised in whole ClientHellos without ALPN", arguments: [
        "www.3ynbrdpbfkwf.com", "www.w2dnvk5lvab.com", "www.qbfxjzmtvhkrsp.com", "www.a7f3.com",
        "www.zxcvbnmlkjhgfdsaqwrtyp2ab.com",
    ])
    func torLike(name: String) {
        let hello = TLSHelloBuilder(serverName: name, alpn: []).clientHelloRecord
        #expect(PayloadFixture.tcp(hello, serverPort: 9001)
                == PayloadMatch(applicationProtocol: .torLikeTLS, detail: "SNI " + name))
        // With ALPN it is a browser's hello.
        #expect(PayloadFixture.tcp(TLSHelloBuilder(serverName: name).clientHelloRecord) == nil)
    }

    @Test("real names of the same shape, and other shapes, are not Tor-like", arguments: [
        "www.facebook.com", "www.google.com", "www.bing.com", "www.wikipedia.com", "www.amazon.com",
        "www.a1b2.com", "www.abc.com", "www.3ynbrdpbfkwf.net", "mail.3ynbrdpbfkwf.com", "www.3ynb-rdpb.com",
        "www.3YNBRDPBFKWF.com", "www.toolongrandomnamexxxxxxxxx2.com",
    ])
    func notTorLike(name: String) {
        #expect(PayloadFixture.tcp(TLSHelloBuilder(serverName: name, alpn: []).clientHelloRecord) == nil)
    }

    @Test("most of Tor's random names pass the randomness test")
    func torNameCoverage() {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var random = DeterministicRandom(seed: 0x70_7200)
        var recognised = 0
        let trials = 2_000
        for _ in 0..<trials {
            let length = random.within(4...25)
            var label: [UInt8] = []
            for _ in 0..<length { label.append(alphabet[random.below(32)]) }
            let name = "www." + String(decoding: label, as: UTF8.self) + ".com"
            if PayloadFixture.tcp(TLSHelloBuilder(serverName: name, alpn: []).clientHelloRecord) != nil { recognised += 1 }
        }
        #expect(recognised * 100 >= trials * 90, "\(recognised) of \(trials)")
    }
}
