import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import Identification

@Suite("QUICInitialInspector")
struct QUICInitialInspectorTests {
    static let dcid = QUICTestBytes.hex("0011223344556677")

    // MARK: RFC test vectors

    @Test("RFC 9001 A.2: the v1 client Initial gives SNI example.com and ALPN \"alpn\"")
    func rfc9001() {
        var inspector = QUICInitialInspector()
        #expect(QUICRFCVectors.clientInitialV1.withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
        #expect(inspector.add(QUICRFCVectors.clientInitialV1) == .clientHello(QUICClientHelloSummary(
            version: .v1, serverName: "example.com", alpn: ["alpn"], hasEncryptedClientHello: false,
            originalDestinationConnectionID: QUICRFCVectors.connectionID)))
    }

    @Test("RFC 9369 A.2: the v2 client Initial gives the same hello, version v2")
    func rfc9369() {
        var inspector = QUICInitialInspector()
        #expect(QUICRFCVectors.clientInitialV2.withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
        #expect(inspector.add(QUICRFCVectors.clientInitialV2) == .clientHello(QUICClientHelloSummary(
            version: .v2, serverName: "example.com", alpn: ["alpn"], hasEncryptedClientHello: false,
            originalDestinationConnectionID: QUICRFCVectors.connectionID)))
    }

    @Test("a final answer is sticky: later datagrams do not change it")
    func sticky() {
        var inspector = QUICInitialInspector()
        let first = inspector.add(QUICRFCVectors.clientInitialV1)
        #expect(first.isFinal)
        #expect(inspector.add([0x40, 0x01, 0x02]) == first)
        #expect(inspector.add(QUICRFCVectors.clientInitialV2) == first)
        var other = QUICInitialInspector()
        #expect(other.add(Array("GET / HTTP/1.1\r\n".utf8)) == .notQUIC)
        #expect(other.add(QUICRFCVectors.clientInitialV1) == .notQUIC)
    }

    // MARK: Reassembly

    @Test("a ClientHello split over two Initials in two datagrams completes on the second")
    func splitAcrossDatagrams() {
        let hello = QUICTestHello.make(serverName: "www.youtube.com", alpn: ["h3"], extraPadding: 1_500)
        let cut = 1_000
        var inspector = QUICInitialInspector()
        let first = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[0..<cut]))
        let second = QUICTestInitial(dcid: Self.dcid, packetNumber: 1, frames: QUICTestFrames.crypto(UInt64(cut), hello[cut...]))
        #expect(inspector.add(first.sealed()) == .needMore)
        #expect(inspector.add(second.sealed()) == .clientHello(QUICClientHelloSummary(
            version: .v1, serverName: "www.youtube.com", alpn: ["h3"], hasEncryptedClientHello: false,
            originalDestinationConnectionID: Self.dcid)))
    }

    @Test("CRYPTO frames out of order and overlapping, within one packet and across packets")
    func outOfOrderAndOverlapping() {
        let hello = QUICTestHello.make(serverName: "chat.google.com", alpn: ["h3", "h3-29"], ech: true, extraPadding: 900)
        // Packet 1 (sent second): the tail and a middle piece, the tail first, overlapping.
        let tail = QUICTestFrames.crypto(700, hello[700...]) + QUICTestFrames.crypto(300, hello[300..<720])
        // Packet 0: PING and PADDING scattered between pieces that end before 300, in reverse.
        let head = QUICTestFrames.crypto(150, hello[150..<310]) + [0x01, 0x00, 0x00] + QUICTestFrames.crypto(0, hello[0..<150])
        var inspector = QUICInitialInspector()
        #expect(inspector.add(QUICTestInitial(dcid: Self.dcid, packetNumber: 1, frames: tail).sealed()) == .needMore)
        let result = inspector.add(QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: head).sealed())
        #expect(result == .clientHello(QUICClientHelloSummary(
            version: .v1, serverName: "chat.google.com", alpn: ["h3", "h3-29"], hasEncryptedClientHello: true,
            originalDestinationConnectionID: Self.dcid)))
    }

    @Test("the client's later Initials carry the server's CID; the keys stay the first DCID's")
    func keysStayWithFirstDCID() {
        let hello = QUICTestHello.make(serverName: "graph.facebook.com", alpn: ["h3"])
        let serverCID = QUICTestBytes.hex("a1a2a3a4")
        var inspector = QUICInitialInspector()
        let first = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[0..<100]))
        var second = QUICTestInitial(dcid: serverCID, packetNumber: 1, frames: QUICTestFrames.crypto(100, hello[100...]))
        second.keyConnectionID = Self.dcid
        #expect(inspector.add(first.sealed()) == .needMore)
        guard case .clientHello(let summary) = inspector.add(second.sealed()) else {
            Issue.record("no hello")
            return
        }
        #expect(summary.serverName == "graph.facebook.com")
        #expect(summary.originalDestinationConnectionID == Self.dcid)
    }

    @Test("after a Retry the client's Initial is keyed by its new DCID and the hello restarts")
    func retry() {
        let hello = QUICTestHello.make(serverName: "retry.example", alpn: ["h3"])
        let retryCID = QUICTestBytes.hex("b0b1b2b3b4b5b6b7b8")
        var inspector = QUICInitialInspector()
        let beforeRetry = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[0..<60]))
        #expect(inspector.add(beforeRetry.sealed()) == .needMore)
        let afterRetry = QUICTestInitial(dcid: retryCID, token: Array(repeating: 0x7E, count: 40), packetNumber: 1,
                                         frames: QUICTestFrames.crypto(0, hello[...]))
        guard case .clientHello(let summary) = inspector.add(afterRetry.sealed()) else {
            Issue.record("no hello after Retry")
            return
        }
        #expect(summary.serverName == "retry.example")
        #expect(summary.originalDestinationConnectionID == Self.dcid)
    }

    @Test("coalesced packets: Initial, then 0-RTT, then a short header in one datagram")
    func coalesced() {
        let hello = QUICTestHello.make(serverName: "hangouts.google.com", alpn: ["h3"])
        var zeroRTT = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: [0x01])
        zeroRTT.typeBits = 1   // 0-RTT in v1; its keys are not Initial keys, so it is skipped by length
        let datagram = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[...]), padTo: 0).sealed()
            + zeroRTT.sealed() + [0x40] + Array(repeating: 0x55, count: 30)
        var inspector = QUICInitialInspector()
        guard case .clientHello(let summary) = inspector.add(datagram) else {
            Issue.record("no hello")
            return
        }
        #expect(summary.serverName == "hangouts.google.com")

        // A 0-RTT packet first, then the Initial: the walk skips the first by its Length.
        var reversed = QUICInitialInspector()
        let later = zeroRTT.sealed() + QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[...])).sealed()
        #expect(later.withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
        guard case .clientHello = reversed.add(later) else {
            Issue.record("no hello after a leading 0-RTT packet")
            return
        }
    }

    @Test("v2 Initials use type bits 01; a v2 packet with v1's Initial bits is a Retry")
    func v2TypeBits() {
        let hello = QUICTestHello.make(serverName: "v2.example", alpn: ["h3"])
        let v2 = QUICTestInitial(version: .v2, dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[...]))
        var inspector = QUICInitialInspector()
        guard case .clientHello(let summary) = inspector.add(v2.sealed()) else {
            Issue.record("no v2 hello")
            return
        }
        #expect(summary.version == .v2 && summary.serverName == "v2.example")
        var wrongBits = v2
        wrongBits.typeBits = 0
        #expect(!wrongBits.sealed().withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
    }

    @Test("draft-29 Initials are decrypted with their salt")
    func draft29() {
        let hello = QUICTestHello.make(serverName: "update.googleapis.com", alpn: ["h3-29"])
        let packet = QUICTestInitial(version: .draft(0xFF00_001D), dcid: Self.dcid, packetNumber: 0,
                                     frames: QUICTestFrames.crypto(0, hello[...]))
        var inspector = QUICInitialInspector()
        #expect(inspector.add(packet.sealed()) == .clientHello(QUICClientHelloSummary(
            version: .draft(0xFF00_001D), serverName: "update.googleapis.com", alpn: ["h3-29"],
            hasEncryptedClientHello: false, originalDestinationConnectionID: Self.dcid)))
    }

    @Test("a hello without SNI is still a hello: no name, its ALPN kept")
    func noServerName() {
        let hello = QUICTestHello.make(serverName: nil, alpn: ["h3"])
        var inspector = QUICInitialInspector()
        #expect(inspector.add(QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, hello[...])).sealed())
                == .clientHello(QUICClientHelloSummary(version: .v1, serverName: nil, alpn: ["h3"],
                                                       hasEncryptedClientHello: false,
                                                       originalDestinationConnectionID: Self.dcid)))
    }

    // MARK: Final answers other than a hello

    @Test("not QUIC: DNS, a short header, an empty payload, version negotiation")
    func notQUIC() {
        let dns = QUICTestBytes.hex("12340100000100000000000003777777076578616d706c6503636f6d0000010001")
        for payload in [dns, [0x41] + Array(repeating: 0x99, count: 1_250), [], QUICTestBytes.hex("80000000000811")] {
            var inspector = QUICInitialInspector()
            #expect(payload.withUnsafeBytes { !QUICInitialInspector.looksLikeInitial($0) })
            #expect(inspector.add(payload) == .notQUIC)
        }
    }

    @Test("an unknown version (Google Q046, draft-21, a future one) is undecryptable by version")
    func unsupportedVersions() {
        for raw: UInt32 in [0x5130_3436, 0xFF00_0015, 0x7A7A_7A7A] {
            var datagram = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: [0x01]).sealed()
            datagram[1] = UInt8(raw >> 24); datagram[2] = UInt8(raw >> 16 & 0xFF)
            datagram[3] = UInt8(raw >> 8 & 0xFF); datagram[4] = UInt8(raw & 0xFF)
            #expect(datagram.withUnsafeBytes { !QUICInitialInspector.looksLikeInitial($0) })
            var inspector = QUICInitialInspector()
            #expect(inspector.add(datagram) == .undecryptable(.unsupportedVersion(.unknown(raw))))
        }
    }

    @Test("an Initial that does not authenticate with keys from its DCIDs is undecryptable")
    func authenticationFailure() {
        var packet = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, [1, 0, 0, 0][...]))
        packet.keyConnectionID = QUICTestBytes.hex("ffffffffffffffff")   // as if the capture missed the first Initial
        var inspector = QUICInitialInspector()
        #expect(packet.sealed().withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
        #expect(inspector.add(packet.sealed()) == .undecryptable(.authenticationFailed))
    }

    @Test("a first Initial cut by the snap length is undecryptable as truncated")
    func snapLengthCut() {
        let cut = Array(QUICRFCVectors.clientInitialV1.prefix(96))
        #expect(cut.withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) })
        var inspector = QUICInitialInspector()
        #expect(inspector.add(cut) == .undecryptable(.truncated))
    }

    @Test("a hello announcing more than 16 KB is too large; a stream not starting with a hello is malformed")
    func tooLargeAndMalformed() {
        let huge: [UInt8] = [0x01, 0x00, 0x50, 0x00] + Array(repeating: 0x03, count: 200)
        var inspector = QUICInitialInspector()
        #expect(inspector.add(QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, huge[...])).sealed())
                == .undecryptable(.clientHelloTooLarge))
        let serverHello: [UInt8] = [0x02, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00]
        var second = QUICInitialInspector()
        #expect(second.add(QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, serverHello[...])).sealed())
                == .undecryptable(.malformedClientHello))
        let notAHello: [UInt8] = [0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00]
        var third = QUICInitialInspector()
        #expect(third.add(QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, notAHello[...])).sealed())
                == .undecryptable(.malformedClientHello))
    }

    @Test("a hello that never completes ends as incomplete once the datagram limit is reached")
    func incomplete() {
        let hello = QUICTestHello.make(serverName: "never.example", alpn: ["h3"])
        var inspector = QUICInitialInspector()
        // Only the tail is ever sent: offset 0 never arrives. Retransmits keep the same packet number.
        let tailOnly = QUICTestInitial(dcid: Self.dcid, packetNumber: 0, frames: QUICTestFrames.crypto(10, hello[10...])).sealed()
        var results: [QUICInspection] = []
        for _ in 0..<QUICInitialInspector.maximumDatagrams + 2 { results.append(inspector.add(tailOnly)) }
        #expect(results.filter { $0 == .needMore }.count == QUICInitialInspector.maximumInitialPackets - 1)
        #expect(results.last == .undecryptable(.incompleteClientHello))
    }

    // MARK: Hostile input

    @Test("every truncation of a valid Initial is needMore, notQUIC or undecryptable, never a crash")
    func everyTruncation() {
        for datagram in [QUICRFCVectors.clientInitialV1, QUICRFCVectors.clientInitialV2] {
            for length in 0..<datagram.count {
                var inspector = QUICInitialInspector()
                let result = inspector.add(Array(datagram.prefix(length)))
                switch result {
                case .needMore, .notQUIC, .undecryptable: break
                case .clientHello: Issue.record("a \(length)-byte prefix gave a hello")
                }
                // A flow that has seen a good Initial shrugs off a truncated one.
                if length % 50 == 0 {
                    var flow = QUICInitialInspector()
                    let hello = QUICTestHello.make(serverName: "a.example", alpn: ["h3"])
                    _ = flow.add(QUICTestInitial(dcid: QUICRFCVectors.connectionID, packetNumber: 0,
                                                 frames: QUICTestFrames.crypto(0, hello[0..<20])).sealed())
                    #expect(flow.add(Array(datagram.prefix(length))) == .needMore)
                }
            }
        }
    }

    @Test("flipping any single byte of a valid Initial never yields a hello or a crash")
    func everyCorruption() {
        let datagram = QUICRFCVectors.clientInitialV1
        for index in datagram.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var corrupted = datagram
                corrupted[index] ^= flip
                var inspector = QUICInitialInspector()
                if case .clientHello = inspector.add(corrupted) {
                    Issue.record("byte \(index) ^ \(flip) still gave a hello")
                }
            }
        }
    }

    @Test("random and mutated datagrams never crash the inspector or looksLikeInitial")
    func fuzz() {
        var random = SplitMix64(seed: 0x5155_4943)
        let hello = QUICTestHello.make(serverName: "fuzz.example", alpn: ["h3"])
        let valid = QUICTestInitial(dcid: QUICTestBytes.hex("0102030405060708"), packetNumber: 0,
                                    frames: QUICTestFrames.crypto(0, hello[...])).sealed()
        for round in 0..<3_000 {
            var datagram: [UInt8]
            switch round % 3 {
            case 0:
                // Random bytes behind a plausible long header: v1, random CID lengths and varints.
                datagram = (0..<Int(random.next() % 1_400)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if datagram.count > 6 { datagram[0] |= 0x80; datagram[1...4] = [0, 0, 0, 1] }
            case 1:
                datagram = valid
                for _ in 0..<1 + Int(random.next() % 8) {
                    datagram[Int(random.next() % UInt64(datagram.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            default:
                datagram = Array(valid.prefix(Int(random.next() % UInt64(valid.count))))
                    + (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            _ = datagram.withUnsafeBytes { QUICInitialInspector.looksLikeInitial($0) }
            var inspector = QUICInitialInspector()
            for _ in 0..<2 { _ = inspector.add(datagram) }
        }
    }
}

// MARK: - Test support shared by the QUIC test files

extension QUICInitialInspector {
    /// Feeds bytes held in an array.
    mutating func add(_ datagram: [UInt8]) -> QUICInspection {
        datagram.withUnsafeBytes { addClientDatagram($0) }
    }
}

/// Hex text ↔ bytes.
enum QUICTestBytes {
    /// Bytes from hex digits; whitespace and line breaks are ignored.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map { Character($0) }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

enum QUICTestCrypto {
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

/// A deterministic generator for the fuzz test (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Frame encodings (RFC 9000 §16, §19).
enum QUICTestFrames {
    static func varint(_ value: UInt64) -> [UInt8] {
        switch value {
        case ..<0x40: [UInt8(value)]
        case ..<0x4000: [0x40 | UInt8(value >> 8), UInt8(value & 0xFF)]
        case ..<0x4000_0000: [0x80 | UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        default: [0xC0 | UInt8(value >> 56)] + (0..<7).map { UInt8(value >> (48 - 8 * UInt64($0)) & 0xFF) }
        }
    }

    static func crypto(_ offset: UInt64, _ data: ArraySlice<UInt8>) -> [UInt8] {
        [0x06] + varint(offset) + varint(UInt64(data.count)) + data
    }
}

/// A client Initial built and protected the way a client does (RFC 9001 §5), independently of
/// the inspector's own opener: AES.GCM.seal, then header protection from the sample.
struct QUICTestInitial {
    var version: QUICVersion = .v1
    var dcid: [UInt8]
    /// The DCID the keys come from; the packet's own DCID unless set.
    var keyConnectionID: [UInt8]?
    var scid: [UInt8] = [0xC1, 0xC2, 0xC3]
    var token: [UInt8] = []
    var packetNumber: UInt64
    var packetNumberLength = 2
    var frames: [UInt8]
    /// Pads the packet with PADDING frames to this size, as clients pad Initial datagrams.
    var padTo = 1_200
    /// The long-header type bits; nil for the version's Initial.
    var typeBits: UInt8?

    init(version: QUICVersion = .v1, dcid: [UInt8], token: [UInt8] = [], packetNumber: UInt64, frames: [UInt8],
         padTo: Int = 1_200) {
        self.version = version
        self.dcid = dcid
        self.token = token
        self.packetNumber = packetNumber
        self.frames = frames
        self.padTo = padTo
    }

    func sealed() -> [UInt8] {
        let keys = QUICInitialKeys(version: version, destinationConnectionID: keyConnectionID ?? dcid)!
        let bits = typeBits ?? (version == .v2 ? 1 : 0)
        var header: [UInt8] = [0xC0 | bits << 4 | UInt8(packetNumberLength - 1)]
        header += [UInt8(version.rawValue >> 24), UInt8(version.rawValue >> 16 & 0xFF),
                   UInt8(version.rawValue >> 8 & 0xFF), UInt8(version.rawValue & 0xFF)]
        header += [UInt8(dcid.count)] + dcid + [UInt8(scid.count)] + scid
        if version.packetType(bits: bits) == .initial { header += QUICTestFrames.varint(UInt64(token.count)) + token }
        var payload = frames
        // At least 4 payload bytes so the header-protection sample exists; then the padding.
        let overhead = header.count + 2 + packetNumberLength + 16
        payload += Array(repeating: 0, count: max(4 - payload.count, padTo - overhead - payload.count, 0))
        // Length as a 2-byte varint, as most clients write it.
        let length = packetNumberLength + payload.count + 16
        header += [0x40 | UInt8(length >> 8), UInt8(length & 0xFF)]
        let pnOffset = header.count
        for index in 0..<packetNumberLength {
            header.append(UInt8(packetNumber >> (8 * UInt64(packetNumberLength - 1 - index)) & 0xFF))
        }
        var nonce = keys.iv
        for index in 0..<8 { nonce[4 + index] ^= UInt8(packetNumber >> (56 - 8 * UInt64(index)) & 0xFF) }
        let box = try! AES.GCM.seal(payload, using: keys.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: header)
        var packet = header + Array(box.ciphertext) + Array(box.tag)
        var mask = Array(packet[pnOffset + 4..<pnOffset + 20])
        try! AES.permute(&mask, key: keys.headerProtectionKey)
        packet[0] ^= mask[0] & 0x0F
        for index in 0..<packetNumberLength { packet[pnOffset + index] ^= mask[1 + index] }
        return packet
    }
}

/// A TLS 1.3 ClientHello handshake message (no record header), as QUIC clients send it.
enum QUICTestHello {
    static func make(serverName: String?, alpn: [String], ech: Bool = false, extraPadding: Int = 0) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03] + Array(repeating: 0x5A, count: 32) + [0]
        body += [0x00, 0x06, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0x01, 0x00]
        var extensions: [UInt8] = []
        func add(_ type: UInt16, _ data: [UInt8]) {
            extensions += [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
        }
        if let serverName {
            let name = Array(serverName.utf8)
            add(0x0000, [UInt8((name.count + 3) >> 8), UInt8((name.count + 3) & 0xFF), 0,
                         UInt8(name.count >> 8), UInt8(name.count & 0xFF)] + name)
        }
        if !alpn.isEmpty {
            let list = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            add(0x0010, [UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list)
        }
        add(0x002B, [0x02, 0x03, 0x04])
        add(0x0039, [0x01, 0x04, 0x80, 0x00, 0xFF, 0xFF])
        if ech { add(0xFE0D, [0x00, 0x00, 0x01, 0x00, 0x01, 0x42, 0x00, 0x00, 0x00, 0x00]) }
        if extraPadding > 0 { add(0x0015, Array(repeating: 0, count: extraPadding)) }
        body += [UInt8(extensions.count >> 8), UInt8(extensions.count & 0xFF)] + extensions
        return [0x01, UInt8(body.count >> 16), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)] + body
    }
}
