import Testing
@testable import Wire

// Hand-built; tshark (text2pcap -u 40000,3478): TURN ChannelData Message, Channel Number 0x4001,
// Message Length 5, then 3 bytes of TCP-style padding.
enum TURNFixtures {
    static let channelData = AppFixture.bytes("4001000568656c6c6f000000")
}

@Suite("TURNChannelData")
struct TURNChannelDataTests {
    @Test("channel number, length and data are read; padding is not data")
    func fields() throws {
        try AppFixture.withExact(TURNFixtures.channelData) { bytes in
            let message = try #require(TURNChannelData(bytes))
            #expect(message.channelNumber == 0x4001)
            #expect(message.length == 5)
            #expect(AppFixture.text(message.data) == "hello")
            #expect(message.paddedLength == 12)
        }
        // Over UDP the padding may be absent.
        AppFixture.withExact(TURNFixtures.channelData.prefix(9)) { #expect(TURNChannelData($0)?.data.count == 5) }
    }

    @Test("channel numbers outside 0x4000–0x7FFF are rejected: STUN and others")
    func range() {
        for channel: [UInt8] in [[0x3F, 0xFF], [0x80, 0x00], [0x00, 0x01]] {
            AppFixture.withExact(channel + [0x00, 0x00]) { #expect(TURNChannelData($0) == nil) }
        }
        AppFixture.withExact([0x7F, 0xFF, 0x00, 0x00] as [UInt8]) { #expect(TURNChannelData($0)?.data.count == 0) }
        AppFixture.withExact(STUNFixtures.rfcRequest) { #expect(TURNChannelData($0) == nil) }
    }

    @Test("every truncation short of the data is rejected")
    func truncations() {
        AppFixture.forEachTruncation(of: Array(TURNFixtures.channelData.prefix(9))) { length, bytes in
            #expect(TURNChannelData(bytes) == nil, "prefix \(length)")
        }
    }
}
