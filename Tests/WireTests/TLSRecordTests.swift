import Testing
@testable import Wire

@Suite("TLSRecord")
struct TLSRecordTests {
    @Test("the records in a server's first segment are iterated until the cut one")
    func records() {
        AppFixture.withExact(TLSFixtures.tls13ServerHello) { bytes in
            var iterator = TLSRecord.records(in: bytes)
            var types: [TLSContentType] = []
            while let record = iterator.next() { types.append(record.contentType) }
            #expect(types == [.handshake, .changeCipherSpec])
            #expect(iterator.consumed == bytes.count)
        }
        AppFixture.withExact(TLSFixtures.tls12ServerHello) { bytes in
            var iterator = TLSRecord.records(in: bytes)
            var lengths: [Int] = []
            while let record = iterator.next() { lengths.append(record.length) }
            // The Certificate record after the ServerHello is cut: not returned.
            #expect(lengths == [0x66])
            #expect(iterator.consumed == 5 + 0x66)
        }
    }

    @Test("header fields and the length read from a header alone")
    func header() throws {
        try AppFixture.withExact(TLSFixtures.curlClientHello) { bytes in
            let record = try #require(TLSRecord(bytes))
            #expect(record.contentType == .handshake)
            #expect(record.version == .tls10)
            #expect(record.length == 0x200)
            #expect(record.fragment.count == 0x200)
            #expect(TLSRecord.recordLength(UnsafeRawBufferPointer(rebasing: bytes[0..<5])) == 0x205)
            #expect(TLSRecord(UnsafeRawBufferPointer(rebasing: bytes[0..<0x204])) == nil)
        }
    }

    @Test("headers that do not look like TLS give no length")
    func notRecords() {
        let cases: [[UInt8]] = [
            [0x19, 0x03, 0x03, 0x00, 0x01],       // content type 25
            [0x16, 0x04, 0x03, 0x00, 0x01],       // major version 4
            [0x16, 0x03, 0x05, 0x00, 0x01],       // minor version 5
            [0x16, 0x03, 0x03, 0x00, 0x00],       // empty
            [0x17, 0x03, 0x03, 0x48, 0x01],       // longer than 2^14 + 2048
            [0x16, 0x03, 0x03, 0x00],             // short header
        ]
        for header in cases {
            AppFixture.withExact(header) { #expect(TLSRecord.recordLength($0) == nil, "\(header)") }
        }
    }

    @Test("a handshake message view needs its whole body; its type and body are read")
    func handshakeMessage() throws {
        try AppFixture.withExact(TLSFixtures.tls13ServerHello) { bytes in
            let record = try #require(TLSRecord(bytes))
            let message = try #require(TLSHandshakeMessage(record.fragment))
            #expect(message.type == .serverHello)
            #expect(message.length == 0x76)
            #expect(message.body.count == 0x76)
            #expect(TLSHandshakeMessage(UnsafeRawBufferPointer(rebasing: record.fragment[0..<0x79])) == nil)
        }
        #expect(TLSHandshakeType(rawValue: 11) == .certificate)
        #expect(TLSHandshakeType(rawValue: 99) == .unknown(99))
    }

    @Test("coalescing refuses a stream that is cut or interrupted by another record type")
    func coalesceRefusals() {
        let split = TLSFixtures.splitIntoRecords(TLSFixtures.chromeClientHello, at: [300])
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        AppFixture.withExact(split.dropLast()) { bytes in
            #expect(TLSHandshakeMessage.coalesce(records: bytes, into: buffer) == nil)
        }
        var interrupted = split
        interrupted[5 + 300] = 0x17  // the second record becomes application data
        AppFixture.withExact(interrupted) { bytes in
            #expect(TLSHandshakeMessage.coalesce(records: bytes, into: buffer) == nil)
            guard case .malformed = TLSClientHello.scan(bytes) else {
                Issue.record("a hello interrupted by another record type is malformed")
                return
            }
        }
        AppFixture.withExact(split) { bytes in
            #expect(TLSHandshakeMessage.coalesce(records: bytes, into: buffer)?.count == 658)
        }
    }

    @Test("a handshake header split one byte per record still scans")
    func headerOneBytePerRecord() {
        let split = TLSFixtures.splitIntoRecords(TLSFixtures.chromeClientHello, at: [1, 2, 3])
        AppFixture.withExact(split) { bytes in
            guard case .fragmented(let length) = TLSClientHello.scan(bytes) else {
                Issue.record("expected fragmented")
                return
            }
            #expect(length == 658)
        }
    }

    @Test("versions name themselves; GREASE values are spotted")
    func versions() {
        #expect(TLSVersion(rawValue: 0x0304) == .tls13)
        #expect(TLSVersion(rawValue: 0x0304).description == "TLS 1.3")
        #expect(TLSVersion(rawValue: 0x7F1C) == .unknown(0x7F1C))
        #expect(TLSVersion(rawValue: 0x2A2A).isGREASE)
        #expect(!TLSVersion.tls12.isGREASE)
        #expect(TLSContentType(rawValue: 23) == .applicationData)
        #expect(TLSContentType(rawValue: 99) == .unknown(99))
    }
}
