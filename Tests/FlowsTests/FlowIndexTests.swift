@testable import Flows
import Testing
import Wire

/// The flow table's own hash index (open addressing, backward-shift deletion) against a
/// Dictionary doing the same inserts and removals.
@Suite("Flow index: open addressing with backward-shift deletion")
struct FlowIndexTests {
    static func key(_ n: UInt64) -> FlowKey {
        FlowKey(protocolNumber: n % 3 == 0 ? 17 : 6,
                Endpoint(address: IPAddress(ipv4: 0x0A00_0000 | UInt32(truncatingIfNeeded: n % 5_000)), port: UInt16(truncatingIfNeeded: n % 60_000)),
                Endpoint(address: IPAddress(ipv4: 0xC000_0201 &+ UInt32(truncatingIfNeeded: n / 5_000)), port: 443))
    }

    @Test("random inserts and removals find exactly what a Dictionary finds, through growth")
    func againstDictionary() {
        var index = FlowIndex()
        var keys: [FlowKey?] = []          // by slot
        var reference: [FlowKey: Int] = [:]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func random() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for step in 0..<60_000 {
            let n = random() % 20_000
            let key = Self.key(n)
            let hash = index.hash(key)
            let found = index.find(hash: hash) { keys[$0] == key }
            #expect(found == reference[key])
            if let slot = found, step % 3 != 0 {
                index.remove(hash: hash, slot: slot)
                keys[slot] = nil
                reference[key] = nil
            } else if found == nil {
                let slot = keys.count
                keys.append(key)
                index.insert(hash: hash, slot: slot)
                reference[key] = slot
            }
            #expect(index.count == reference.count)
        }
        for (key, slot) in reference {
            #expect(index.find(hash: index.hash(key)) { keys[$0] == key } == slot)
        }
    }

    @Test("every key of a full table is found, and none after all are removed")
    func fillAndEmpty() {
        var index = FlowIndex()
        let keys = (0..<10_000).map { Self.key(UInt64($0) &* 7_919) }
        for (slot, key) in keys.enumerated() { index.insert(hash: index.hash(key), slot: slot) }
        for (slot, key) in keys.enumerated() { #expect(index.find(hash: index.hash(key)) { keys[$0] == key } == slot) }
        for (slot, key) in keys.enumerated().reversed() { index.remove(hash: index.hash(key), slot: slot) }
        #expect(index.count == 0)
        #expect(index.buckets.allSatisfy { $0 == 0 })
    }
}
