import Capture
import Testing

@Suite("Link types are libpcap DLT values with names")
struct LinkTypeTests {
    @Test("the named link types have the DLT values of this platform's pcap/dlt.h")
    func values() {
        #expect(LinkType.null.rawValue == 0)
        #expect(LinkType.ethernet.rawValue == 1)
        #expect(LinkType.linuxSLL.rawValue == 113)
        #expect(LinkType.ipv4.rawValue == 228)
        #expect(LinkType.ipv6.rawValue == 229)
        #expect(LinkType.linuxSLL2.rawValue == 276)
        #if os(OpenBSD)
        #expect(LinkType.raw.rawValue == 14)
        #expect(LinkType.loop.rawValue == 12)
        #else
        #expect(LinkType.raw.rawValue == 12)
        #expect(LinkType.loop.rawValue == 108)
        #endif
    }

    @Test("names and descriptions come from libpcap")
    func names() {
        #expect(LinkType.ethernet.name == "EN10MB")
        #expect(LinkType.ethernet.description == "EN10MB (Ethernet)")
        #expect(LinkType.raw.name == "RAW")
        #expect(LinkType.linuxSLL2.name == "LINUX_SLL2")
    }

    @Test("a value libpcap does not know is still a link type, shown by number")
    func unknown() {
        let odd = LinkType(rawValue: 65000)
        #expect(odd.name == "DLT 65000")
        #expect(odd.description == "DLT 65000")
        #expect(odd == LinkType(rawValue: 65000))
    }
}
