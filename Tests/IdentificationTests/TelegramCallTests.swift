import Identification
import Testing

// telegram.pcap (nDPI: Telegram, all twelve UDP flows to 91.108.x on ports 521–538).
enum TelegramCallFixtures {
    /// #170, 192.168.1.77:23174 → 91.108.8.7:521: 16-byte peer tag, twelve 0xFF, fe ff ff ff, 8 bytes.
    static let request = PayloadFixture.bytes("dc4c00291565b7acbc236da9eda0d597fffffffffffffffffffffffffeffffff28f946112601a2f0")
    /// #176, the reflector's answer from 91.108.8.7:521.
    static let answer = PayloadFixture.bytes("""
        dc4c00291565b7acbc236da9eda0d597ffffffffffffffffffffffffc77215c060dab25e28f946112601a2f0000000
        00000000000000ffff570bcdc35ddc0000
        """)
}

@Suite("Telegram call reflectors")
struct TelegramCallTests {
    @Test("captured reflector packets on 521 are Telegram calls, either way")
    func captured() {
        #expect(PayloadFixture.udp(TelegramCallFixtures.request, clientPort: 23174, serverPort: 521)
                == PayloadMatch(applicationProtocol: .telegramCall, app: .telegram, evidence: .payload, detail: "reflector"))
        #expect(PayloadFixture.udp(TelegramCallFixtures.answer, fromClient: false, clientPort: 23174, serverPort: 521)?
            .app == .telegram)
        // Either side's port counts.
        #expect(PayloadFixture.udp(TelegramCallFixtures.request, clientPort: 600, serverPort: 40_000) != nil)
        #expect(PayloadFixture.udp(TelegramCallFixtures.request, clientPort: 500, serverPort: 40_000) != nil)
    }

    @Test("outside ports 500–600 the same bytes are nothing")
    func ports() {
        for port: UInt16 in [499, 601, 3478, 443] {
            #expect(PayloadFixture.udp(TelegramCallFixtures.request, clientPort: 40_000, serverPort: port) == nil)
        }
    }

    @Test("the run must be exactly twelve, and the datagram at least 40 bytes")
    func runLength() {
        var eleven = TelegramCallFixtures.request
        eleven[27] = 0x00
        #expect(PayloadFixture.udp(eleven, serverPort: 521) == nil)
        var longer = TelegramCallFixtures.request
        longer[28] = 0xFF
        #expect(PayloadFixture.udp(longer, serverPort: 521) == nil)
        #expect(PayloadFixture.udp(Array(TelegramCallFixtures.request.prefix(39)), serverPort: 521) == nil)
        // A run at the very end counts; an earlier stray 0xFF does not hide the run.
        let atEnd = [UInt8](repeating: 0x11, count: 28) + [UInt8](repeating: 0xFF, count: 12)
        #expect(PayloadFixture.udp(atEnd, serverPort: 521) != nil)
        var strayFF = TelegramCallFixtures.request
        strayFF[3] = 0xFF
        #expect(PayloadFixture.udp(strayFF, serverPort: 521) != nil)
    }
}
