import Testing
@testable import Wire

@Suite("DNSServiceBinding")
struct DNSServiceBindingTests {
    /// An HTTPS answer for "a.com" whose record data is `data`.
    static func answer(_ data: [UInt8]) -> [UInt8] {
        AppFixture.bytes("000181800001000100000000" + "016103636f6d0000410001")
            + [0xC0, 0x0C, 0x00, 0x41, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, UInt8(data.count)] + data
    }

    @Test("parameters that overrun the record data make the binding nil, not the message")
    func parameterOverrun() throws {
        // priority 1, root target, alpn claiming 9 bytes with 3 present.
        let bytes = DNSServiceBindingTests.answer([0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x09, 0x02, 0x68, 0x32])
        try AppFixture.withExact(bytes) { raw in
            let message = try #require(DNSMessage(raw))
            let record = try #require(message.answers.first { _ in true })
            #expect(record.type == .https)
            #expect(record.serviceBinding == nil)
        }
    }

    @Test("a compressed target is refused (RFC 9460 forbids compression there)")
    func compressedTarget() throws {
        let bytes = DNSServiceBindingTests.answer([0x00, 0x01, 0xC0, 0x0C])
        try AppFixture.withExact(bytes) { raw in
            let record = try #require(DNSMessage(raw)?.answers.first { _ in true })
            #expect(record.serviceBinding == nil)
        }
    }

    @Test("malformed hint and ALPN values read as absent")
    func malformedValues() throws {
        // ipv4hint of 5 bytes, empty alpn id, port of 3 bytes.
        let data: [UInt8] = [0x00, 0x01, 0x00,
                             0x00, 0x01, 0x00, 0x01, 0x00,
                             0x00, 0x03, 0x00, 0x03, 0x01, 0xBB, 0x00,
                             0x00, 0x04, 0x00, 0x05, 192, 0, 2, 1, 9]
        try AppFixture.withExact(DNSServiceBindingTests.answer(data)) { raw in
            let binding = try #require(DNSMessage(raw)?.answers.first { _ in true }?.serviceBinding)
            #expect(binding.alpn == nil)
            #expect(binding.port == nil)
            #expect(binding.ipv4Hints == nil)
            #expect(Array(binding.parameters).count == 3)
        }
    }

    @Test("SvcParamKeys keep unknown values")
    func keys() {
        #expect(DNSServiceParameterKey(rawValue: 1) == .alpn)
        #expect(DNSServiceParameterKey(rawValue: 6) == .ipv6Hint)
        #expect(DNSServiceParameterKey(rawValue: 65280) == .unknown(65280))
    }

    @Test("an address list must hold whole addresses")
    func addressList() {
        AppFixture.withExact([192, 0, 2, 1, 192, 0, 2] as [UInt8]) { raw in
            #expect(IPAddressList(raw, width: 4) == nil)
            #expect(IPAddressList(UnsafeRawBufferPointer(rebasing: raw[0..<4]), width: 4).map(Array.init) == [IPAddress("192.0.2.1")!])
            #expect(IPAddressList(raw, width: 7) == nil)
        }
    }
}
