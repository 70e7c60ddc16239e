import Crypto
import Flows
import Foundation
@testable import Identification
import Testing
import Wire

/// The Initial keys' own HKDF against swift-crypto's, and keys derived once per flow and DCID.
@Suite("QUIC Initial key derivation: HKDF, the per-flow key cache, the failure limit")
struct QUICKeyDerivationTests {
    static func bytes(_ count: Int, _ random: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    @Test("HMAC-SHA256 equals swift-crypto's for keys and messages of every size around the block")
    func hmac() {
        var random = SplitMix64(seed: 7)
        for keyLength in [0, 1, 20, 32, 63, 64, 65, 100, 200] {
            for messageLength in [0, 1, 55, 56, 64, 119, 120, 1_000] {
                let key = Self.bytes(keyLength, &random), message = Self.bytes(messageLength, &random)
                let ours = message.withUnsafeBytes { InitialHKDF.hmacSHA256(key: key, message: $0) }
                #expect(ours == QUICTestCrypto.hmacSHA256(key: key, message: message))
            }
        }
    }

    @Test("HKDF extract and expand equal swift-crypto's HKDF, one block and several")
    func hkdf() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<20 {
            let salt = Self.bytes(20, &random), input = Self.bytes(Int(random.next() % 21), &random)
            let prk = InitialHKDF.extract(salt: salt, inputKeyMaterial: input)
            let reference = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: input), salt: salt)
            #expect(prk == reference.withUnsafeBytes { Array($0) })
            for length in [12, 16, 32, 33, 100] {
                let info = Self.bytes(Int(random.next() % 40), &random)
                let expanded = HKDF<SHA256>.expand(pseudoRandomKey: SymmetricKey(data: prk), info: info, outputByteCount: length)
                #expect(InitialHKDF.expand(pseudoRandomKey: prk, info: info, length: length) == expanded.withUnsafeBytes { Array($0) })
            }
        }
    }

    @Test("a new inspector of the same flow reuses the keys derived for its DCID")
    func keyCacheCarriesOver() {
        let dcid = QUICTestBytes.hex("0011223344556677")
        var broken = QUICTestInitial(dcid: dcid, packetNumber: 0, frames: QUICTestFrames.crypto(0, [1, 0, 0, 0][...])).sealed()
        broken[broken.count - 1] ^= 0xFF   // the tag no longer authenticates
        var first = QUICInitialInspector()
        #expect(first.add(broken) == .undecryptable(.authenticationFailed))
        #expect(first.keyCache.count == 1)

        let hello = QUICTestHello.make(serverName: "example.org", alpn: ["h3"])
        let good = QUICTestInitial(dcid: dcid, packetNumber: 1, frames: QUICTestFrames.crypto(0, hello[...])).sealed()
        var second = QUICInitialInspector(keyCache: first.keyCache)
        var fresh = QUICInitialInspector()
        let answer = second.add(good)
        #expect(answer == fresh.add(good))
        guard case .clientHello(let summary) = answer else {
            Issue.record("no hello: \(answer)")
            return
        }
        #expect(summary.serverName == "example.org")
        #expect(second.keyCache.count == 1)   // found in the cache, not derived again
    }

    @Test("a flow stops trying QUIC after two client Initials that do not authenticate")
    func failureLimit() throws {
        var identifier = FlowIdentifier(catalog: try SignatureCatalog.bundled())
        let client = Endpoint(address: IPAddress("192.0.2.10")!, port: 50_000)
        let server = Endpoint(address: IPAddress("198.51.100.7")!, port: 443)
        let time = Timestamp(seconds: 1_700_000_000)
        identifier.startFlow(slot: 0, originator: client, responder: server, protocolNumber: 17, at: time)
        var broken = QUICTestInitial(dcid: QUICTestBytes.hex("0102030405060708"), packetNumber: 0,
                                     frames: QUICTestFrames.crypto(0, [1, 0, 0, 0][...])).sealed()
        broken[broken.count - 1] ^= 0xFF
        func send() {
            broken.withUnsafeBytes { payload in
                let network = NetworkHeader(version: 4, source: client.address, destination: server.address, protocolNumber: 17,
                                            timeToLive: 64, identification: 1, hasIdentification: true, totalLength: 28 + payload.count)
                let packet = DecodedPacket(network: network, transport: .udp(UDPHeader(sourcePort: client.port, destinationPort: server.port)),
                                           payload: payload, payloadLength: payload.count)
                identifier.observe(packet, slot: 0, fromOriginator: true, at: time)
            }
        }
        send()
        #expect(identifier.inspections[0]?.quicAuthenticationFailures == 1)
        #expect(identifier.inspections[0]?.quicKeys.count == 1)
        send()
        #expect(identifier.inspections[0]?.quicAuthenticationFailures == 2)
        #expect(identifier.inspections[0]?.quicKeys.isEmpty == true)   // no further attempt needs them
        send()
        #expect(identifier.inspections[0]?.quicAuthenticationFailures == 2)
        #expect(identifier.inspections[0]?.quic == nil)
        #expect(identifier.inspections[0]?.inspectedPackets == 3)
    }
}
