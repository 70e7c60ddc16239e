import Testing
import Wire

@Suite("IP addresses")
struct IPAddressTests {
    @Test("text round-trips in RFC 5952 form", arguments: [
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "fe80::1:2:3:4",
        "2001:db8:0:1:1:1:1:1", "2001:0:0:1::1",
    ])
    func roundTrip(text: String) throws {
        #expect(try #require(IPAddress(text)).description == text)
    }

    @Test("IPv6 text is normalised: leading zeros dropped, the longest zero run compressed")
    func normalised() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
    }

    @Test("IPv4 is stored mapped into IPv6 and still reads as IPv4")
    func mapped() throws {
        let a = try #require(IPAddress("198.51.100.7"))
        #expect(a.isIPv4)
        #expect(a.ipv4 == 0xC633_6407)
        #expect(IPAddress("::ffff:198.51.100.7") == a)
    }

    @Test("nonsense is rejected", arguments: ["", "1.2.3", "1.2.3.256", "1::2::3", "12345::", "g::1", "1.2.3.4.5"])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }
}
