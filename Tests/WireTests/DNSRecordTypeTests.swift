import Testing
@testable import Wire

@Suite("DNSRecordType")
struct DNSRecordTypeTests {
    @Test("named types round-trip their raw values; others are kept")
    func roundTrip() {
        for raw: UInt16 in [1, 2, 5, 6, 12, 15, 16, 28, 33, 39, 41, 64, 65, 255, 99, 257, 65535] {
            #expect(DNSRecordType(rawValue: raw).rawValue == raw)
        }
        #expect(DNSRecordType(rawValue: 65) == .https)
        #expect(DNSRecordType(rawValue: 257) == .unknown(257))
        #expect(DNSRecordType(rawValue: 28).description == "AAAA")
        #expect(DNSRecordType(rawValue: 257).description == "TYPE257")
    }

    @Test("response codes, opcodes and classes keep unknown values")
    func vocabularies() {
        #expect(DNSResponseCode(rawValue: 3) == .nxDomain)
        #expect(DNSResponseCode(rawValue: 5) == .refused)
        #expect(DNSResponseCode(rawValue: 9) == .unknown(9))
        #expect(DNSResponseCode(rawValue: 2).description == "SERVFAIL")
        #expect(DNSOpcode(rawValue: 0) == .query)
        #expect(DNSOpcode(rawValue: 15) == .unknown(15))
        #expect(DNSClass(rawValue: 1) == .internet)
        #expect(DNSClass(rawValue: 3) == .chaos)
        #expect(DNSClass(rawValue: 1000) == .unknown(1000))
    }

    @Test("header flag bits are read from a hand-set flags word")
    func headerFlags() throws {
        // QR, opcode 5 (update), AA, TC, RD, RA, AD, CD, rcode 5 (refused).
        let bytes: [UInt8] = [0x12, 0x34, 0xAF, 0xB5, 0, 0, 0, 0, 0, 0, 0, 0]
        try AppFixture.withExact(bytes) { raw in
            let header = try #require(DNSHeader(raw))
            #expect(header.isResponse)
            #expect(header.opcode == .update)
            #expect(header.isAuthoritative && header.isTruncated && header.isRecursionDesired)
            #expect(header.isRecursionAvailable && header.isAuthenticData && header.isCheckingDisabled)
            #expect(header.responseCode == .refused)
        }
    }
}
