import Identification
import PacketCrafting
import Testing
import Wire

/// The DNS name table is bounded (issue 8, a DNS answer flood): when full, the eighth closest to
/// expiry is forgotten and counted; the newest answers still name their addresses.
@Suite("DNS association under a flood of answers")
struct DNSAssociationBoundTests {
    static func learn(_ table: inout DNSAssociation, name: String, address: String, at seconds: Int64) {
        let bytes = DNSMessageBuilder.response(id: 1, name: name, answers: [HostAddress(address)!], ttl: 60)
        bytes.withUnsafeBytes { raw in
            guard let message = DNSMessage(raw) else { Issue.record("not a DNS message"); return }
            table.learn(from: message, at: Timestamp(nanoseconds: seconds * 1_000_000_000))
        }
    }

    @Test("never more entries than the bound; every forgotten one counted; the oldest go first")
    func bounded() {
        var table = DNSAssociation(maximumEntries: 64)
        for index in 0..<1000 {
            DNSAssociationBoundTests.learn(&table, name: "n\(index).flood.example", address: "10.0.\(index / 256).\(index % 256)",
                                           at: Int64(index))
        }
        let now = Timestamp(nanoseconds: 999 * 1_000_000_000)   // every answer is still within its 600 s
        #expect(table.count <= 64)
        #expect(table.answersLearned == 1000)
        #expect(table.evicted == 1000 - table.count)
        #expect(table.names(for: IPAddress("10.0.3.231")!, at: now) == ["n999.flood.example"])
        // Learned at 900 s, credible until 1500 s: gone only because the table was full.
        #expect(table.names(for: IPAddress("10.0.3.132")!, at: now) == nil)
        #expect(table.names(for: IPAddress("10.0.3.200")!, at: now) == ["n968.flood.example"])
    }
}
