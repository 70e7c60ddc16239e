import Identification
import PacketCrafting
import Testing

// First client bytes of WhatsApp chat flows in the nDPI corpus (all labelled WhatsApp by nDPI),
// the client's first segments concatenated: `tshark -Y "tcp.stream==N && tcp.len>0" -e tcp.payload`.
enum WhatsAppFixtures {
    /// whatsapp.pcap, 192.168.2.100:44804 → 179.60.195.49:5222: segments `45440001` (4 bytes) and
    /// `000004 08090802 57410502 ...` (284 bytes).
    static let edge = PayloadFixture.bytes("""
        45440001000004080908025741050200010e128b020a2038fbfa95e5bc0826562c2952514662f3bbff26266b67a89bf1
        b6393352b81f421230c35fe02b668952
        """)
    /// whatsapp.pcap, :49026 → 179.60.195.33:5222: the routing block and the WA header in separate
    /// segments (`45440001`, `00000408090805`, `57410502`).
    static let edgeSplit = PayloadFixture.bytes("""
        4544000100000408090805574105020004de12db090a20ef230407f67b6a28ad12b6c53a59160ef6c46c55cca6d4c6cf
        56c8f3a7971c3e1230e180f5de680f15
        """)
    /// wa_voice.pcap, 192.168.2.12:49355 → 157.240.20.53:5222: everything in one segment, WA 2.1.
    static let edgeOneSegment = PayloadFixture.bytes("""
        4544000100000408050802574102010000ee12eb010a206cd25373402b2fee665c43683d24ce6e73a45a59d03467ae03
        ed025c3b08d84012302669592f09ed19
        """)
    /// whatsapp_login_call.pcap, 192.168.2.4:49202 → 184.173.179.37:5222: the legacy `WA 01 05`.
    static let legacy = PayloadFixture.bytes("""
        5741010500001af80501a59189fc126950686f6e652d322e31322e322d35323232000019f8029cf804f801fc07707269
        76616379f80180f80140f80178000066
        """)
}

@Suite("WhatsApp chat preface")
struct WhatsAppPrefaceTests {
    @Test("captured prefaces are WhatsApp's chat protocol, with the WA version as detail")
    func capturedPrefaces() {
        #expect(PayloadFixture.tcp(WhatsAppFixtures.edge, serverPort: 5222)
                == PayloadMatch(applicationProtocol: .whatsappChat, app: .whatsapp, evidence: .payload, detail: "WA 5.2"))
        #expect(PayloadFixture.tcp(WhatsAppFixtures.edgeSplit, serverPort: 5222)?.detail == "WA 5.2")
        #expect(PayloadFixture.tcp(WhatsAppFixtures.edgeOneSegment, serverPort: 5222)?.detail == "WA 2.1")
        #expect(PayloadFixture.tcp(WhatsAppFixtures.legacy, serverPort: 5222)?.detail == "WA 1.5")
        // On 443 too: WhatsApp's 443 is not TLS.
        #expect(PayloadFixture.tcp(WhatsAppFixtures.edge, serverPort: 443)?.app == .whatsapp)
    }

    @Test("the first segment alone, and every prefix up to the WA header, already match")
    func partialPrefaces() {
        #expect(PayloadFixture.tcp([0x45, 0x44, 0x00, 0x01])?.detail == "ED preface")
        for length in 4...15 {
            let match = PayloadFixture.tcp(Array(WhatsAppFixtures.edge.prefix(length)), serverPort: 5222)
            #expect(match?.applicationProtocol == .whatsappChat, "prefix \(length)")
        }
        for length in 0..<4 { #expect(PayloadFixture.tcp(Array(WhatsAppFixtures.edge.prefix(length))) == nil) }
    }

    @Test("an ED preface not followed by the WA header, or with an absurd routing length, is not WhatsApp")
    func brokenPrefaces() {
        var noHeader = WhatsAppFixtures.edge
        noHeader[11] = 0x58  // "XA"
        #expect(PayloadFixture.tcp(noHeader) == nil)
        var longRouting = WhatsAppFixtures.edge
        longRouting.replaceSubrange(4..<7, with: [0x01, 0x00, 0x00])
        #expect(PayloadFixture.tcp(longRouting) == nil)
        var noRouting = WhatsAppFixtures.edge
        noRouting.replaceSubrange(4..<7, with: [0x00, 0x00, 0x00])
        #expect(PayloadFixture.tcp(noRouting) == nil)
        // "WA" with an implausible version, or without a frame length behind it.
        #expect(PayloadFixture.tcp(Array("WA\u{0}\u{5}\u{0}\u{0}\u{1a}".utf8)) == nil)
        #expect(PayloadFixture.tcp([0x57, 0x41, 0x01, 0x05]) == nil)
        #expect(PayloadFixture.tcp([0x57, 0x41, 0x01, 0x05, 0x00, 0x00, 0x00]) == nil)
    }

    @Test("text protocols starting with WA or ED are not WhatsApp")
    func textLookalikes() {
        for text in ["WAIT 10\r\n", "EDIT /x HTTP/1.1\r\n", "WATCH key\r\n", "ED\r\n"] {
            #expect(PayloadFixture.tcp(Array(text.utf8)) == nil, "\(text)")
        }
    }
}
