import Identification
import Testing
import Wire

// UDP payloads from the nDPI corpus (`tshark -Y "frame.number==N" -e udp.payload`), and crafted
// messages for the realms no corpus capture carries.
enum STUNAttributionFixtures {
    /// wa_voice.pcap #215, Allocate Request to 31.13.86.48:3478: WhatsApp's attribute 0x4000 of
    /// 0x66 bytes, unpadded (message length 0x6a), so strict parsing rejects it. nDPI: WhatsAppCall.
    static let whatsappUnpadded = PayloadFixture.bytes("""
        0003006a2112a442a6674f75f0ad2c001315b3364000006605030826d884ea2ea4c4944ba39f29867bf241bc1d1f5228
        195ff7602f3302e61e3ef4de0deb97989fa132933e675e3981c454d16a5a8caae9521d0421dba60b3b329f858a72e5dd
        741369a6808d8481672dade584a273d399fe31d3f91e4545549b729bd734
        """)
    /// stun_wa_call.pcapng #409, WhatsApp's message type 0x0800 to 3478. nDPI: WhatsAppCall.
    static let whatsappType = PayloadFixture.bytes("""
        080000c82112a44270758b44c723a74ed1934a47400000960902b6281ef343ba8bcaaa266adadab1012ef432f7c19ee1
        0ad595c8cba15da9f0345e42f822506711fa3185671936c5ea318573c45aeeafad513adad2fb47059a0fb2a8035ce7e0
        079c75ffa7bf7a4a01d42783eccb118a97198f3e2e16806b5519a1f2dfeb4880a877a92dba4bc8899eb222d2d0ed8f24
        4c991b8cf4f238a60fb05f8b8c345bba1301107c5379c15594cf1f3616c10000802b0004020000000016000800012c84
        7c2bdfa100080014d706ce2eaad7e6daab79be33e4ea46b67a1ebafb
        """)
    /// stun_msteams_unidir.pcapng #1, Binding Success Response from 52.115.136.55:3479 with
    /// MS-IMPLEMENTATION-VERSION (0x8070). nDPI: Skype_TeamsCall.
    static let teams = PayloadFixture.bytes("""
        010100342112a442567009c2ae00e698d98f01908070000400000007002000080001e24473a09b390008001408
        1c187c4cf903476de30538dee3554682a1e5d080280004513d0c54
        """)
    /// stun_google_meet.pcapng #5, Binding Request with USERNAME, GOOG-NETWORK-INFO (0xC057),
    /// ICE-CONTROLLING, PRIORITY, 0xC059, MESSAGE-INTEGRITY, FINGERPRINT: no app in the message
    /// (nDPI says GoogleCall from the address).
    static let meet = PayloadFixture.bytes("""
        000100682112a442665152434857314a383677480006001f487252677061643750666f4b61416f4b4141694b416941
        4445413a50382f4c00c05700040003000a802a000848e5659350cd8cb5002400046e7f1effc0590002000100000008
        0014491905c045385ded81c816a1720e7ecd22bb0d4180280004ef25d4fe
        """)

    /// A STUN message of `type` with the magic cookie, a fixed transaction id, and the attributes
    /// each padded to 4 bytes.
    static func message(type: UInt16, attributes: [(UInt16, [UInt8])]) -> [UInt8] {
        var body: [UInt8] = []
        for (attributeType, value) in attributes {
            body += [UInt8(attributeType >> 8), UInt8(attributeType & 0xFF), UInt8(value.count >> 8), UInt8(value.count & 0xFF)]
            body += value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        return [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(body.count >> 8), UInt8(body.count & 0xFF),
                0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 0x5A, count: 12) + body
    }

    /// A TURN 401 answer naming `realm`, the way TURN servers announce their realm.
    static func unauthorized(realm: String) -> [UInt8] {
        message(type: 0x0113, attributes: [(0x0009, [0, 0, 4, 1] + Array("Unauthorized".utf8)),
                                           (0x0014, Array(realm.utf8)), (0x0015, Array("f00d".utf8))])
    }
}

@Suite("STUN/TURN app attribution")
struct STUNAttributionTests {
    @Test("WhatsApp's unpadded Allocate, its 0x08xx types and its attribute are WhatsApp's")
    func whatsApp() {
        #expect(PayloadFixture.udp(STUNAttributionFixtures.whatsappUnpadded)
                == PayloadMatch(applicationProtocol: .stun, app: .whatsapp, evidence: .stun, detail: "WhatsApp attribute"))
        #expect(PayloadFixture.udp(STUNAttributionFixtures.whatsappType)?.detail == "WhatsApp message type")
        for type: UInt16 in 0x0800...0x0805 {
            let bytes = STUNAttributionFixtures.message(type: type, attributes: [])
            #expect(PayloadFixture.udp(bytes)?.app == .whatsapp)
        }
        for attribute: UInt16 in 0x4000...0x4007 {
            let bytes = STUNAttributionFixtures.message(type: 0x0003, attributes: [(attribute, [1, 2, 3, 4, 5])])
            #expect(PayloadFixture.udp(bytes)?.app == .whatsapp)
        }
        // 0x0806 is STUN still, but not one of WhatsApp's types.
        #expect(PayloadFixture.udp(STUNAttributionFixtures.message(type: 0x0806, attributes: []))
                == PayloadMatch(applicationProtocol: .stun, evidence: .stun))
    }

    @Test("the REALM names the provider", arguments: [
        ("turn.google.com", "google"), ("signal.org", "signal"), ("turn3.voip.signal.org", "signal"),
        ("textsecure.whispersystems.org", "signal"), ("Facebook.com", "messenger"), ("telegram.org", "telegram"),
        ("turn.viber.com", "viber"),
    ])
    func realms(realm: String, app: String) {
        let match = PayloadFixture.udp(STUNAttributionFixtures.unauthorized(realm: realm), fromClient: false)
        #expect(match == PayloadMatch(applicationProtocol: .stun, app: ServiceName(app), evidence: .stun,
                                      detail: "REALM " + realm))
    }

    @Test("a realm of no known provider leaves the app open")
    func unknownRealm() {
        let match = PayloadFixture.udp(STUNAttributionFixtures.unauthorized(realm: "example.org"), fromClient: false)
        #expect(match == PayloadMatch(applicationProtocol: .stun, app: nil, evidence: .stun))
    }

    @Test("Microsoft's attributes are Teams/Skype", arguments: [0x8054, 0x8055, 0x8070, 0x8095] as [UInt16])
    func microsoft(attribute: UInt16) {
        let bytes = STUNAttributionFixtures.message(type: 0x0001, attributes: [(attribute, [0, 0, 0, 2])])
        #expect(PayloadFixture.udp(bytes)?.app == "microsoft")
    }

    @Test("captured Teams and Meet messages")
    func capturedCalls() {
        #expect(PayloadFixture.udp(STUNAttributionFixtures.teams, fromClient: false, serverPort: 3479)?.app == "microsoft")
        // Meet's request names no app: GOOG-NETWORK-INFO is every libwebrtc client's.
        #expect(PayloadFixture.udp(STUNAttributionFixtures.meet)
                == PayloadMatch(applicationProtocol: .stun, app: nil, evidence: .stun))
    }

    @Test("a parsed STUNMessage is attributed the same way")
    func parsedMessages() throws {
        let bytes = STUNAttributionFixtures.unauthorized(realm: "signal.org")
        let match = try PayloadFixture.withExact(bytes) { buffer in
            PayloadRecognizer.recognizeSTUN(try #require(STUNMessage(buffer)))
        }
        #expect(match.app == .signal)
        let teams = try PayloadFixture.withExact(STUNAttributionFixtures.teams) { buffer in
            PayloadRecognizer.recognizeSTUN(try #require(STUNMessage(buffer)))
        }
        #expect(teams.app == "microsoft")
    }

    @Test("STUN at the start of a TCP stream, bare or with RFC 4571's length, is attributed too")
    func overTCP() {
        let allocate = STUNAttributionFixtures.whatsappType
        #expect(PayloadFixture.tcp(allocate, serverPort: 3478)?.app == .whatsapp)
        let framed = [UInt8(allocate.count >> 8), UInt8(allocate.count & 0xFF)] + allocate
        #expect(PayloadFixture.tcp(framed, serverPort: 443)?.app == .whatsapp)
        #expect(PayloadFixture.tcp(STUNAttributionFixtures.meet, serverPort: 443)?.applicationProtocol == .stun)
        // A wrong frame length is not RFC 4571.
        let misframed = [UInt8(allocate.count >> 8), UInt8(allocate.count & 0xFF) &+ 4] + allocate
        #expect(PayloadFixture.tcp(misframed) == nil)
    }

    @Test("a datagram with bytes after its message, or with a broken cookie, is not STUN")
    func notSTUN() {
        #expect(PayloadFixture.udp(STUNAttributionFixtures.meet + [0, 0, 0, 0]) == nil)
        var noCookie = STUNAttributionFixtures.whatsappUnpadded
        noCookie[4] = 0x22
        #expect(PayloadFixture.udp(noCookie) == nil)
        for length in 0..<STUNAttributionFixtures.whatsappUnpadded.count {
            #expect(PayloadFixture.udp(Array(STUNAttributionFixtures.whatsappUnpadded.prefix(length))) == nil)
        }
    }
}
