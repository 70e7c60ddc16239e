import Testing
@testable import Wire

@Suite("TLSExtension")
struct TLSExtensionTests {
    @Test("GREASE values are exactly the sixteen 0x?A?A pairs")
    func grease() {
        var found: [UInt16] = []
        for value in 0...UInt16.max where TLSGREASE.contains(value) { found.append(value) }
        #expect(found.count == 16)
        #expect(found.first == 0x0A0A && found.last == 0xFAFA)
        #expect(!TLSGREASE.contains(0x0A1A))
    }

    @Test("post-quantum groups are flagged; classic ones are not")
    func groups() {
        #expect(TLSNamedGroup(rawValue: 0x11EC) == .x25519MLKEM768)
        #expect(TLSNamedGroup(rawValue: 0x6399) == .x25519Kyber768Draft00)
        #expect(TLSNamedGroup(rawValue: 0x11EC).isPostQuantum)
        #expect(TLSNamedGroup(rawValue: 0x6399).isPostQuantum)
        #expect(TLSNamedGroup(rawValue: 0x0201).isPostQuantum)
        #expect(!TLSNamedGroup(rawValue: 29).isPostQuantum)
        #expect(!TLSNamedGroup(rawValue: 0xFAFA).isPostQuantum)
        #expect(TLSNamedGroup(rawValue: 0x1234) == .unknown(0x1234))
    }

    @Test("extension types keep unknown values; ECH and ESNI are named")
    func types() {
        #expect(TLSExtensionType(rawValue: 0xFE0D) == .encryptedClientHello)
        #expect(TLSExtensionType(rawValue: 0xFFCE) == .encryptedServerName)
        #expect(TLSExtensionType(rawValue: 0x0010) == .applicationLayerProtocolNegotiation)
        #expect(TLSExtensionType(rawValue: 0xBABA) == .unknown(0xBABA))
    }

    @Test("an extensions block must be filled exactly")
    func block() {
        AppFixture.withExact([0x00, 0x00, 0x00, 0x01, 0x00, 0xFF, 0x01, 0x00, 0x00] as [UInt8]) { bytes in
            #expect(TLSExtensions(bytes).map { $0.count } == 2)
            #expect(TLSExtensions(bytes)?.contains(.renegotiationInfo) == true)
            #expect(TLSExtensions(bytes)?.data(for: .serverName)?.count == 1)
            #expect(TLSExtensions(UnsafeRawBufferPointer(rebasing: bytes[0..<8])) == nil)
            #expect(TLSExtensions(UnsafeRawBufferPointer(rebasing: bytes[0..<3])) == nil)
        }
    }

    @Test("ALPN lists reject empty ids, overruns and a wrong outer length")
    func alpn() {
        AppFixture.withExact([0x00, 0x06, 0x02, 0x68, 0x33, 0x02, 0x68, 0x32] as [UInt8]) { bytes in
            #expect(ALPNProtocolList(extensionData: bytes)?.strings == ["h3", "h2"])
            #expect(ALPNProtocolList(extensionData: UnsafeRawBufferPointer(rebasing: bytes[0..<7])) == nil)
        }
        AppFixture.withExact([0x02, 0x68, 0x33, 0x00] as [UInt8]) { #expect(ALPNProtocolList(entries: $0) == nil) }
        AppFixture.withExact([0x05, 0x68, 0x33] as [UInt8]) { #expect(ALPNProtocolList(entries: $0) == nil) }
        AppFixture.withExact([UInt8]()) { #expect(ALPNProtocolList(entries: $0) == nil) }
    }

    @Test("key share entries must fill their list exactly")
    func keyShares() {
        // list length 8: x25519 with a 4-byte key.
        AppFixture.withExact([0x00, 0x08, 0x00, 0x1D, 0x00, 0x04, 1, 2, 3, 4] as [UInt8]) { bytes in
            #expect(TLSKeyShareEntries(extensionData: bytes).map { Array($0).map(\.group) } == [.x25519])
            #expect(TLSKeyShareEntries(extensionData: UnsafeRawBufferPointer(rebasing: bytes[0..<9])) == nil)
        }
        AppFixture.withExact([0x00, 0x04, 0x00, 0x1D, 0x00, 0x04] as [UInt8]) { bytes in
            #expect(TLSKeyShareEntries(extensionData: bytes) == nil)
        }
    }

    @Test("16-bit lists need an even length")
    func uint16Lists() {
        AppFixture.withExact([0x13, 0x01, 0x13, 0x02, 0x13] as [UInt8]) { bytes in
            #expect(TLSUInt16List(bytes) == nil)
            let even = TLSUInt16List(UnsafeRawBufferPointer(rebasing: bytes[0..<4]))
            #expect(even.map(Array.init) == [0x1301, 0x1302])
            #expect(even?.contains(0x1302) == true)
            #expect(even?.contains(0x1303) == false)
        }
    }
}
