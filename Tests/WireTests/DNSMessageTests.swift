import Testing
@testable import Wire

// Fixtures are UDP payloads from the nDPI test captures (../shared/corpus/ndpi/pcap/), extracted
// with `tshark -r F -Y "frame.number==N" -T fields -e udp.payload`, and one hand-built HTTPS
// answer checked by decoding it with tshark (text2pcap -u 53,40000).
enum DNSFixtures {
    // tshark: dns.pcap #4, Standard query 0x7843 A e7.whatsapp.net
    static let query = AppFixture.bytes("784301000001000000000000026537087768617473617070036e65740000010001")

    // tshark: dns.pcap #5, Standard query response 0x7843 A e7.whatsapp.net A 169.45.219.235
    // A 169.47.40.142 A 169.45.248.121 A 108.168.176.234 A 169.45.248.189 A 169.45.248.180
    // A 169.53.81.79 A 169.45.219.232
    static let whatsappAnswer = AppFixture.bytes("""
        784381800001000800000000026537087768617473617070036e65740000010001c00c00010001000001eb0004a92ddbebc00c00010001000001eb0004a92f28
        8ec00c00010001000001eb0004a92df879c00c00010001000001eb00046ca8b0eac00c00010001000001eb0004a92df8bdc00c00010001000001eb0004a92df8
        b4c00c00010001000001eb0004a935514fc00c00010001000001eb0004a92ddbe8
        """)

    // tshark: netflix.pcap #285, Standard query response 0x3158 A sha2.san.akam.nflximg.net
    // CNAME e3067.dscg.akamaiedge.net A 104.86.97.179
    static let cnameAnswer = AppFixture.bytes("""
        31588180000100020000000004736861320373616e04616b616d076e666c78696d67036e65740000010001c00c0005000100000020001805653330363704647363
        670a616b616d616965646765c022c03700010001000000120004685661b3
        """)

    // tshark: netflix.pcap #6, Standard query response 0x9a61 AAAA ios.nccp.netflix.com
    // CNAME ios.nccp.geo.netflix.com CNAME ios.nccp.us-west-2.prodaa.netflix.com
    // AAAA 2620:108:700f::3429:fe2a … (8 AAAA)
    static let aaaaChain = AppFixture.bytes("""
        9a6181800001000a0000000003696f73046e636370076e6574666c697803636f6d00001c0001c00c000500010000006f000f03696f73046e6363700367656fc0
        15c032000500010000016b001c03696f73046e6363700975732d776573742d320670726f646161c015c04d001c00010000000b001026200108700f0000000000
        003429fe2ac04d001c00010000000b001026200108700f000000000000342ad0dbc04d001c00010000000b001026200108700f000000000000342b140bc04d00
        1c00010000000b001026200108700f000000000000342b6f3cc04d001c00010000000b001026200108700f0000000000003429c30fc04d001c00010000000b00
        1026200108700f000000000000342b5b3ac04d001c00010000000b001026200108700f000000000000342aa9ecc04d001c00010000000b001026200108700f00
        0000000000342acc57
        """)

    // tshark: telegram.pcap #741, Standard query response 0x6a44 No such name
    // PTR b._dns-sd._udp.ntop.org SOA dnsdo.ntop.org
    static let nxDomain = AppFixture.bytes("""
        6a44818300010000000100000162075f646e732d7364045f756470046e746f70036f726700000c0001c01b0006000100000034002905646e73646fc01b0a706f
        73746d6173746572c01b7866f3640000a8c000001c200024ea0000000258
        """)

    // Hand-built; tshark: Standard query response 0x4242 HTTPS example.com
    // HTTPS 1 . alpn=h3,h2 port=443 ipv4hint=192.0.2.1,192.0.2.2 echconfig=AAA= ipv6hint=2001:db8::1
    // HTTPS 0 svc.example.net
    static let https = AppFixture.bytes("""
        424281800001000200000000076578616d706c6503636f6d0000410001c00c004100010000012c0039000100000100060268330268320003000201bb00040008
        c0000201c00002020005000200000006001020010db8000000000000000000000001c00c004100010000012c0013000003737663076578616d706c65036e6574
        00
        """)

    static let all = [query, whatsappAnswer, cnameAnswer, aaaaChain, nxDomain, https]
}

@Suite("DNSMessage")
struct DNSMessageTests {
    @Test("a query's header and question are read")
    func query() throws {
        try AppFixture.withExact(DNSFixtures.query) { bytes in
            let message = try #require(DNSMessage(bytes))
            #expect(message.id == 0x7843)
            #expect(!message.isResponse)
            #expect(message.opcode == .query)
            #expect(message.header.isRecursionDesired)
            #expect(message.responseCode == .noError)
            #expect(message.questionCount == 1)
            #expect(message.answerCount == 0 && message.authorityCount == 0 && message.additionalCount == 0)
            let question = try #require(message.question)
            #expect(question.name.text == "e7.whatsapp.net")
            #expect(question.type == .a)
            #expect(question.dnsClass == .internet)
            #expect(Array(message.answers).isEmpty)
            #expect(message.endOffset == bytes.count)
        }
    }

    @Test("A answers become addresses, their compressed names resolve to the question's")
    func aAnswers() throws {
        try AppFixture.withExact(DNSFixtures.whatsappAnswer) { bytes in
            let message = try #require(DNSMessage(bytes))
            #expect(message.isResponse)
            #expect(message.header.isRecursionAvailable)
            #expect(message.answerCount == 8)
            var addresses: [String] = []
            for record in message.answers {
                #expect(record.type == .a)
                #expect(record.ttl == 491)
                #expect(record.section == .answer)
                #expect(record.name.equals("e7.whatsapp.net"))
                addresses.append(try #require(record.address).description)
            }
            #expect(addresses == ["169.45.219.235", "169.47.40.142", "169.45.248.121", "108.168.176.234",
                                  "169.45.248.189", "169.45.248.180", "169.53.81.79", "169.45.219.232"])
        }
    }

    @Test("a CNAME's target is a name; the A after it is owned by that target, via two pointers")
    func cname() throws {
        try AppFixture.withExact(DNSFixtures.cnameAnswer) { bytes in
            let message = try #require(DNSMessage(bytes))
            let records = Array(message.answers)
            try #require(records.count == 2)
            #expect(records[0].type == .cname)
            #expect(records[0].ttl == 32)
            #expect(records[0].target?.text == "e3067.dscg.akamaiedge.net")
            #expect(records[0].address == nil)
            #expect(records[1].type == .a)
            #expect(records[1].ttl == 18)
            #expect(records[1].name.text == "e3067.dscg.akamaiedge.net")
            #expect(records[1].address == IPAddress("104.86.97.179"))
            #expect(records[1].target == nil)
        }
    }

    @Test("AAAA answers after a CNAME chain become IPv6 addresses")
    func aaaaChain() throws {
        try AppFixture.withExact(DNSFixtures.aaaaChain) { bytes in
            let message = try #require(DNSMessage(bytes))
            let records = Array(message.answers)
            try #require(records.count == 10)
            #expect(records[0].target?.text == "ios.nccp.geo.netflix.com")
            #expect(records[1].name.text == "ios.nccp.geo.netflix.com")
            #expect(records[1].target?.text == "ios.nccp.us-west-2.prodaa.netflix.com")
            let addresses = records.compactMap(\.address)
            #expect(addresses.count == 8)
            #expect(addresses.first == IPAddress("2620:108:700f::3429:fe2a"))
            #expect(addresses.last == IPAddress("2620:108:700f::342a:cc57"))
            #expect(records[2].name.equals("IOS.nccp.us-west-2.PRODAA.netflix.com."))
        }
    }

    @Test("NXDOMAIN with an SOA in the authority section")
    func nxDomain() throws {
        try AppFixture.withExact(DNSFixtures.nxDomain) { bytes in
            let message = try #require(DNSMessage(bytes))
            #expect(message.responseCode == .nxDomain)
            #expect(message.responseCode.description == "NXDOMAIN")
            #expect(message.question?.type == .ptr)
            #expect(message.question?.name.text == "b._dns-sd._udp.ntop.org")
            #expect(Array(message.answers).isEmpty)
            let authority = try #require(Array(message.authorities).first)
            #expect(authority.type == .soa)
            #expect(authority.section == .authority)
            #expect(authority.name.text == "ntop.org")
            #expect(authority.ttl == 52)
            // SOA data starts with the primary name server's name.
            #expect(message.name(at: authority.dataOffset) == "dnsdo.ntop.org")
        }
    }

    @Test("records iterates all three sections in order, tagging each")
    func allRecords() throws {
        // Hand-built: 1 answer, 1 authority, 2 additional A records, all owned by the question name.
        var bytes = AppFixture.bytes("abcd81800001000100010002" + "016103636f6d0000010001")
        for octet in 1...4 as ClosedRange<UInt8> {
            bytes += [0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 192, 0, 2, octet]
        }
        try AppFixture.withExact(bytes) { raw in
            let message = try #require(DNSMessage(raw))
            let sections = message.records.map(\.section)
            #expect(sections == [.answer, .authority, .additional, .additional])
            #expect(message.records.compactMap(\.address).map(\.description) == ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"])
            #expect(Array(message.additionals).count == 2)
        }
        // No answers and no authorities: every record is additional.
        var additionalOnly = AppFixture.bytes("abcd81800001000000000001" + "016103636f6d0000010001")
        additionalOnly += [0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 192, 0, 2, 9]
        try AppFixture.withExact(additionalOnly) { raw in
            let message = try #require(DNSMessage(raw))
            #expect(message.records.map(\.section) == [.additional])
        }
    }

    @Test("an HTTPS record's hints, ALPN and ECH are read; an alias-mode one names its target")
    func httpsRecord() throws {
        try AppFixture.withExact(DNSFixtures.https) { bytes in
            let message = try #require(DNSMessage(bytes))
            #expect(message.question?.type == .https)
            let records = Array(message.answers)
            try #require(records.count == 2)
            let binding = try #require(records[0].serviceBinding)
            #expect(binding.priority == 1)
            #expect(!binding.isAliasMode)
            #expect(binding.target.isRoot)
            #expect(binding.alpn?.strings == ["h3", "h2"])
            #expect(binding.alpn?.contains("h3") == true)
            #expect(binding.port == 443)
            #expect(binding.ipv4Hints.map(Array.init) == [IPAddress("192.0.2.1")!, IPAddress("192.0.2.2")!])
            #expect(binding.ipv6Hints.map(Array.init) == [IPAddress("2001:db8::1")!])
            #expect(binding.hasECHConfig)
            #expect(binding.parameters.map(\.key) == [.alpn, .port, .ipv4Hint, .ech, .ipv6Hint])
            let alias = try #require(records[1].serviceBinding)
            #expect(alias.isAliasMode)
            #expect(alias.target.text == "svc.example.net")
            #expect(alias.alpn == nil && alias.ipv4Hints == nil && !alias.hasECHConfig)
            #expect(records[0].address == nil)
        }
    }

    @Test("every truncation of a valid message is rejected, never read past its end")
    func truncations() {
        for fixture in DNSFixtures.all {
            AppFixture.forEachTruncation(of: fixture) { length, bytes in
                #expect(DNSMessage(bytes) == nil, "prefix of \(length) bytes")
                #expect((DNSHeader(bytes) != nil) == (length >= 12))
            }
            AppFixture.withExact(fixture) { #expect(DNSMessage($0) != nil) }
        }
    }

    @Test("a truncated message accepted as such yields exactly the whole records before the cut")
    func acceptingTruncation() {
        for fixture in DNSFixtures.all {
            let full = AppFixture.withExact(fixture) { DNSMessageTests.summary(DNSMessage($0)!) }
            AppFixture.forEachTruncation(of: fixture) { length, bytes in
                guard let message = DNSMessage(acceptingTruncation: bytes) else {
                    #expect(length < 12)
                    return
                }
                #expect(!message.isComplete)
                let partial = DNSMessageTests.summary(message)
                #expect(Array(full.prefix(partial.count)) == partial, "prefix \(length)")
            }
            AppFixture.withExact(fixture) { #expect(DNSMessage(acceptingTruncation: $0)?.isComplete == true) }
        }
        // The WhatsApp answer cut inside its fourth A record: three addresses survive.
        AppFixture.withExact(DNSFixtures.whatsappAnswer.prefix(33 + 16 * 3 + 10)) { bytes in
            let message = DNSMessage(acceptingTruncation: bytes)
            #expect(message?.question?.name.text == "e7.whatsapp.net")
            #expect(message?.answers.compactMap(\.address).map(\.description) == ["169.45.219.235", "169.47.40.142", "169.45.248.121"])
        }
    }

    /// Type, TTL, address and data length of each question and record, in order.
    static func summary(_ message: DNSMessage) -> [String] {
        message.questions.map { "Q \($0.type) \($0.name.text)" }
            + message.records.map { "\($0.section) \($0.type) \($0.ttl) \($0.address?.description ?? "-") \($0.data.count)" }
    }

    @Test("a snaplen-cut answer still yields its header's response code")
    func cutHeader() {
        AppFixture.withExact(DNSFixtures.nxDomain.prefix(40)) { bytes in
            #expect(DNSMessage(bytes) == nil)
            #expect(DNSHeader(bytes)?.responseCode == .nxDomain)
        }
    }

    @Test("corrupting any byte never crashes decoding or iteration")
    func corruption() {
        for fixture in DNSFixtures.all {
            AppFixture.forEachCorruption(of: fixture) { bytes in
                guard let message = DNSMessage(bytes) else { return }
                DNSMessageTests.exerciseEverything(message)
            }
        }
    }

    /// Touches every accessor, as a report would.
    static func exerciseEverything(_ message: DNSMessage) {
        for question in message.questions { _ = question.name.text; _ = question.type; _ = question.dnsClass }
        var count = 0
        for record in message.records {
            count += 1
            _ = record.name.text
            _ = record.address
            _ = record.target?.text
            if let binding = record.serviceBinding {
                _ = binding.alpn?.strings
                _ = binding.ipv4Hints.map(Array.init)
                _ = binding.ipv6Hints.map(Array.init)
                _ = binding.port
                _ = binding.target.text
            }
        }
        #expect(count == message.answerCount + message.authorityCount + message.additionalCount)
    }

    @Test("DNS over TCP: the 2-byte length prefix frames one message")
    func tcpFraming() {
        let stream = [UInt8(0), UInt8(DNSFixtures.query.count)] + DNSFixtures.query + [0x00, 0x30]
        AppFixture.withExact(stream) { bytes in
            guard case .complete(let message, let frameLength) = DNSMessage.tcpFrame(in: bytes) else {
                Issue.record("expected a complete frame")
                return
            }
            #expect(frameLength == 2 + DNSFixtures.query.count)
            #expect(DNSMessage(message)?.id == 0x7843)
            // The second frame has only its length so far.
            guard case .needMoreBytes(let needed) = DNSMessage.tcpFrame(in: bytes.suffix(from: frameLength)) else {
                Issue.record("expected needMoreBytes")
                return
            }
            #expect(needed == 2 + 0x30)
        }
        AppFixture.withExact([UInt8(0)]) { bytes in
            guard case .needMoreBytes(let needed) = DNSMessage.tcpFrame(in: bytes) else {
                Issue.record("expected needMoreBytes")
                return
            }
            #expect(needed == 14)
        }
        AppFixture.withExact([0x00, 0x05, 1, 2, 3, 4, 5] as [UInt8]) { bytes in
            guard case .notDNS = DNSMessage.tcpFrame(in: bytes) else {
                Issue.record("a 5-byte message cannot be DNS")
                return
            }
        }
    }

    @Test("a record whose data runs past the message is rejected")
    func recordDataOverrun() {
        var bytes = DNSFixtures.cnameAnswer
        // The last record's RDLENGTH (4) is 2 bytes before its 4 address bytes.
        bytes[bytes.count - 5] = 5
        AppFixture.withExact(bytes) { #expect(DNSMessage($0) == nil) }
    }

    @Test("an A record with the wrong data length has no address")
    func badAddressLength() throws {
        var bytes = AppFixture.bytes("abcd81800001000100000000" + "016103636f6d0000010001")
        bytes += [0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x05, 192, 0, 2, 1, 7]
        try AppFixture.withExact(bytes) { raw in
            let message = try #require(DNSMessage(raw))
            #expect(message.answers.map(\.address) == [nil])
        }
    }
}
