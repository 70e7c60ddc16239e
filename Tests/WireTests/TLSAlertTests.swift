import Testing
@testable import Wire

@Suite("TLSAlert")
struct TLSAlertTests {
    @Test("a plaintext fatal protocol_version alert")
    func plaintext() throws {
        try AppFixture.withExact(TLSFixtures.protocolVersionAlert) { bytes in
            let alert = try #require(TLSAlert(record: bytes))
            #expect(alert.level == .fatal)
            #expect(alert.alertDescription == .protocolVersion)
            #expect(alert.alertDescription.description == "protocol_version")
        }
    }

    @Test("an encrypted alert cannot be read as a plaintext one")
    func encrypted() throws {
        try AppFixture.withExact(TLSFixtures.encryptedAlert) { bytes in
            #expect(TLSAlert(record: bytes) == nil)
            let record = try #require(TLSRecord(bytes))
            #expect(record.contentType == .alert)
            #expect(record.length == 26)
        }
    }

    @Test("truncations and other record types are rejected")
    func rejects() {
        AppFixture.forEachTruncation(of: TLSFixtures.protocolVersionAlert) { length, bytes in
            #expect(TLSAlert(record: bytes) == nil, "prefix \(length)")
        }
        AppFixture.withExact(TLSFixtures.tls13ServerHello) { #expect(TLSAlert(record: $0) == nil) }
    }

    @Test("unknown levels and descriptions are kept as values")
    func unknownValues() throws {
        try AppFixture.withExact([0x07, 0xC8] as [UInt8]) { bytes in
            let alert = try #require(TLSAlert(bytes))
            #expect(alert.level == .unknown(7))
            #expect(alert.alertDescription == .unknown(200))
            #expect(alert.alertDescription.description == "alert_200")
        }
        #expect(TLSAlertDescription(rawValue: 40) == .handshakeFailure)
        #expect(TLSAlertDescription(rawValue: 112) == .unrecognizedName)
        #expect(TLSAlertDescription(rawValue: 0) == .closeNotify)
        #expect(TLSAlertLevel(rawValue: 1) == .warning)
    }
}
