import Testing
@testable import Wire

// Hand-built messages: a 12-byte header (id 0x0001, one question) followed by crafted names.
@Suite("DNSName")
struct DNSNameTests {
    /// A query header with one question, then `rest`.
    static func message(_ rest: [UInt8]) -> [UInt8] {
        [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + rest
    }

    static func label(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }

    @Test("a compression pointer loop is rejected, not followed forever")
    func selfLoop() {
        // The question's name is a pointer to itself (offset 12).
        let bytes = DNSNameTests.message([0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01])
        AppFixture.withExact(bytes) { raw in
            #expect(DNSName(in: raw, at: 12) == nil)
            #expect(DNSMessage(raw) == nil)
        }
    }

    @Test("a loop through two pointers and a label is rejected")
    func twoPointerLoop() {
        // 12: "a" then pointer to 16; 16: "b" then pointer back to 12.
        let bytes = DNSNameTests.message([0x01, 0x61, 0xC0, 0x10, 0x01, 0x62, 0xC0, 0x0C])
        AppFixture.withExact(bytes) { raw in
            #expect(DNSName(in: raw, at: 12) == nil)
            #expect(DNSName(in: raw, at: 16) == nil)
        }
    }

    @Test("a chain of pointers longer than the hop limit is rejected; one within it resolves")
    func hopLimit() {
        // 12: "x" root; then pointer k points at pointer k-1, the first one at 12.
        func chain(_ hops: Int) -> (bytes: [UInt8], last: Int) {
            var rest: [UInt8] = [0x01, 0x78, 0x00]
            var previous = 12
            for _ in 0..<hops {
                let here = 12 + rest.count
                rest += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
                previous = here
            }
            return (DNSNameTests.message(rest), previous)
        }
        let ok = chain(DNSName.maximumPointerHops)
        AppFixture.withExact(ok.bytes) { raw in #expect(DNSName(in: raw, at: ok.last)?.text == "x") }
        let tooMany = chain(DNSName.maximumPointerHops + 1)
        AppFixture.withExact(tooMany.bytes) { raw in #expect(DNSName(in: raw, at: tooMany.last) == nil) }
    }

    @Test("a name of exactly 255 bytes is accepted; 256 is rejected")
    func maximumLength() {
        let sixtyThree = String(repeating: "a", count: 63)
        let base = DNSNameTests.label(sixtyThree) + DNSNameTests.label(sixtyThree) + DNSNameTests.label(sixtyThree)
        // 3 × 64 + 62 + 1 = 255.
        let longest = base + DNSNameTests.label(String(repeating: "b", count: 61)) + [0]
        AppFixture.withExact(DNSNameTests.message(longest)) { raw in
            let name = DNSName(in: raw, at: 12)
            #expect(name?.wireLength == 255)
            #expect(name?.labelCount == 4)
            #expect(name?.text.utf8.count == 253)
        }
        let tooLong = base + DNSNameTests.label(String(repeating: "b", count: 62)) + [0]
        AppFixture.withExact(DNSNameTests.message(tooLong)) { raw in #expect(DNSName(in: raw, at: 12) == nil) }
    }

    @Test("a name made overlong through a pointer is rejected")
    func overlongThroughPointer() {
        // 12: 200 bytes of labels + root; 214: 63-byte label + pointer to 12 → 264 bytes.
        var rest: [UInt8] = []
        for _ in 0..<4 { rest += DNSNameTests.label(String(repeating: "c", count: 49)) }
        rest += [0]
        let second = 12 + rest.count
        rest += DNSNameTests.label(String(repeating: "d", count: 63)) + [0xC0, 0x0C]
        AppFixture.withExact(DNSNameTests.message(rest)) { raw in
            #expect(DNSName(in: raw, at: 12)?.wireLength == 201)
            #expect(DNSName(in: raw, at: second) == nil)
        }
    }

    @Test("pointers outside the message, extended label types and missing root bytes are rejected")
    func malformed() {
        AppFixture.withExact(DNSNameTests.message([0xC0, 0xFF])) { raw in #expect(DNSName(in: raw, at: 12) == nil) }
        AppFixture.withExact(DNSNameTests.message([0x41, 0x61, 0x00])) { raw in #expect(DNSName(in: raw, at: 12) == nil) }
        AppFixture.withExact(DNSNameTests.message([0x81, 0x61, 0x00])) { raw in #expect(DNSName(in: raw, at: 12) == nil) }
        AppFixture.withExact(DNSNameTests.message([0x01, 0x61])) { raw in #expect(DNSName(in: raw, at: 12) == nil) }
        AppFixture.withExact(DNSNameTests.message([0x01, 0x61, 0xC0])) { raw in #expect(DNSName(in: raw, at: 12) == nil) }
        AppFixture.withExact(DNSNameTests.message([0x00])) { raw in
            #expect(DNSName(in: raw, at: -1) == nil)
            #expect(DNSName(in: raw, at: 13) == nil)
        }
    }

    @Test("the in-place part of a name must end inside the given bound")
    func endBound() {
        let bytes = DNSNameTests.message([0x01, 0x61, 0x00])
        AppFixture.withExact(bytes) { raw in
            #expect(DNSName(in: raw, at: 12, end: 15)?.encodedLength == 3)
            #expect(DNSName(in: raw, at: 12, end: 14) == nil)
        }
    }

    @Test("the root name prints as a dot and equals the empty name")
    func root() throws {
        try AppFixture.withExact(DNSNameTests.message([0x00])) { raw in
            let name = try #require(DNSName(in: raw, at: 12))
            #expect(name.isRoot)
            #expect(name.text == ".")
            #expect(name.equals("") && name.equals("."))
            #expect(!name.equals("a"))
            #expect(name.isSubdomain(of: ""))
        }
    }

    @Test("labels are iterated in order across a pointer, without allocating a string")
    func labels() throws {
        // 12: "example" "com" root; 25: "www" then pointer to 12.
        let bytes = DNSNameTests.message(DNSNameTests.label("example") + DNSNameTests.label("com") + [0]
                                         + DNSNameTests.label("www") + [0xC0, 0x0C])
        try AppFixture.withExact(bytes) { raw in
            let name = try #require(DNSName(in: raw, at: 25))
            #expect(name.encodedLength == 6)
            #expect(name.wireLength == 17)
            #expect(name.labelCount == 3)
            #expect(name.labels.map { AppFixture.text($0)! } == ["www", "example", "com"])
        }
    }

    @Test("comparisons ignore ASCII case and a trailing dot; subdomains match on label boundaries")
    func comparisons() throws {
        let bytes = DNSNameTests.message(DNSNameTests.label("Web") + DNSNameTests.label("Telegram")
                                         + DNSNameTests.label("ORG") + [0])
        try AppFixture.withExact(bytes) { raw in
            let name = try #require(DNSName(in: raw, at: 12))
            #expect(name.equals("web.telegram.org"))
            #expect(name.equals("WEB.TELEGRAM.ORG."))
            #expect(!name.equals("web.telegram.or"))
            #expect(!name.equals("web.telegram.org.uk"))
            #expect(!name.equals("web.telegram"))
            #expect(!name.equals("web.telegram.org.."))
            #expect(name.isSubdomain(of: "telegram.org"))
            #expect(name.isSubdomain(of: "Telegram.Org."))
            #expect(name.isSubdomain(of: "org"))
            #expect(name.isSubdomain(of: "web.telegram.org"))
            #expect(!name.isSubdomain(of: "gram.org"))
            #expect(!name.isSubdomain(of: "x.web.telegram.org"))
        }
    }

    @Test("dots, backslashes and unprintable bytes inside labels are escaped as dig does")
    func escaping() throws {
        let bytes = DNSNameTests.message([0x03, 0x61, 0x2E, 0x62, 0x02, 0x07, 0x5C, 0x00])
        try AppFixture.withExact(bytes) { raw in
            let name = try #require(DNSName(in: raw, at: 12))
            #expect(name.text == #"a\.b.\007\\"#)
            #expect(!name.equals("a.b.x"))
        }
    }

    @Test("copyText writes into a caller's buffer and refuses one that is too small")
    func copyText() throws {
        let bytes = DNSNameTests.message(DNSNameTests.label("example") + DNSNameTests.label("com") + [0])
        try AppFixture.withExact(bytes) { raw in
            let name = try #require(DNSName(in: raw, at: 12))
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
            defer { buffer.deallocate() }
            let written = try #require(name.copyText(into: buffer))
            #expect(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<written]), as: UTF8.self) == "example.com")
            let small = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<10])
            #expect(name.copyText(into: small) == nil)
            let exact = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<11])
            #expect(name.copyText(into: exact) == 11)
        }
    }

    @Test("DNSMessage.name(at:) returns a string or nil")
    func messageNameAt() {
        AppFixture.withExact(DNSFixtures.cnameAnswer) { raw in
            let message = DNSMessage(raw)
            #expect(message?.name(at: 12) == "sha2.san.akam.nflximg.net")
            #expect(message?.name(at: raw.count) == nil)
            #expect(message?.name(at: 0x37) == "e3067.dscg.akamaiedge.net")
        }
    }
}
