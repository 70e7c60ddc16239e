import Testing
import Wire
@testable import Flows

/// What bounds the flow table's memory (Benchmarks/README.md, "Floods and extremes"): the size of
/// a slot, a slot array no larger than the bound, and records made in batches at the end.
@Suite("Flow table memory")
struct FlowMemoryTests {
    @Test("a flow's slot stays at most 440 bytes (it was 608; the table holds max-flows of them)")
    func slotSize() {
        #expect(MemoryLayout<Flow>.stride <= 440)
        #expect(MemoryLayout<DirectionCounters>.stride <= 128)
    }

    @Test("the slot array holds no more slots than the bound, however many flows come and go")
    func slotArrayBounded() {
        var configuration = FlowTableConfiguration()
        configuration.maximumFlows = 1_000
        var h = FlowTableHarness(configuration)
        for i in 0..<5_000 {
            h.feed(PacketFacts.tcp("10.0.\(i / 250).\(i % 250)", 40000, "198.51.100.20", 443, [.syn], seq: 1), at: Double(i) / 1000)
        }
        #expect(h.table.slots.count <= 1_000)
        #expect(h.table.slots.capacity < 1_100)   // not doubled past the bound (malloc may round up a little)
        #expect(h.table.statistics.evicted > 0)
    }

    @Test("optional fields packed into words read back exactly, nil included")
    func packedFieldsRoundTrip() {
        var counters = DirectionCounters()
        #expect(counters.firstPayloadTime == nil && counters.lastPayloadTime == nil && counters.firstReset == nil)
        let reset = ResetFacts(time: Timestamp(nanoseconds: -5), timeToLive: 61, identification: nil, window: 0, carriedAck: true)
        counters.firstReset = reset
        counters.firstPayloadTime = Timestamp(nanoseconds: 0)
        #expect(counters.firstReset == reset)
        #expect(counters.firstPayloadTime == Timestamp(nanoseconds: 0))
        counters.firstReset = ResetFacts(time: Timestamp(nanoseconds: 7), timeToLive: 1, identification: 0, window: 9, carriedAck: false)
        #expect(counters.firstReset?.identification == 0)
        counters.firstReset = nil
        #expect(counters.firstReset == nil)
        #expect(counters == DirectionCounters() || counters.firstPayloadTime != nil)
        var errors = ICMPErrorSummary()
        #expect(errors.lastSender == nil && errors.lastTime == nil)
        errors.lastSender = IPAddress(high: 0, low: 0)
        #expect(errors.lastSender == IPAddress(high: 0, low: 0))
    }

    /// A table with open flows of several kinds (TCP, UDP, one with an ICMP error), some ended early.
    static func busyTable() -> FlowTableHarness {
        var configuration = FlowTableConfiguration()
        configuration.maximumFlows = 64
        var h = FlowTableHarness(configuration)
        for i in 0..<150 {
            let client = "192.0.2.\(i % 200)"
            switch i % 3 {
            case 0:
                h.feed(PacketFacts.tcp(client, UInt16(30000 + i), "198.51.100.20", 443, [.syn], seq: 100), at: Double(i))
                h.feed(PacketFacts.tcp("198.51.100.20", 443, client, UInt16(30000 + i), [.syn, .ack], seq: 9, ack: 101), at: Double(i) + 0.03)
            case 1:
                h.feed(PacketFacts.udp(client, UInt16(30000 + i), "198.51.100.53", 53), at: Double(i))
            default:
                h.feed(PacketFacts.tcp(client, UInt16(30000 + i), "203.0.113.9", 80, [.syn], seq: 7), at: Double(i))
                h.feed(PacketFacts.unreachable(from: "203.0.113.1", to: client, code: 13, quoting: 6,
                                               client, UInt16(30000 + i), "203.0.113.9", 80), at: Double(i) + 0.01)
            }
        }
        return h
    }

    @Test("finishing in batches hands over no more than the batch size at a time, and the same records and counts as finishing at once")
    func batchedFinishMatchesOneShot() {
        var oneShot = FlowMemoryTests.busyTable()
        var batched = FlowMemoryTests.busyTable()
        let expected = oneShot.finish()

        var sizes: [Int] = []
        var records = batched.records
        batched.table.finish(batchSize: 5) { batch in
            sizes.append(batch.count)
            records += batch
        }
        #expect(sizes.count >= 2)
        #expect(sizes.allSatisfy { $0 > 0 && $0 <= 5 })
        #expect(sizes.dropLast().allSatisfy { $0 == 5 })
        #expect(records.count == expected.count)
        #expect(records == expected)
        #expect(batched.table.statistics == oneShot.table.statistics)
        #expect(batched.table.activeFlows == 0)
        #expect(batched.table.ended.isEmpty)
        #expect(expected.contains { $0.icmpErrors.count == 1 && $0.icmpErrors.lastSender != nil })
    }

    @Test("records that ended earlier and were not taken come first, in batches too")
    func batchedFinishHandsOverUntakenRecordsFirst() {
        var configuration = FlowTableConfiguration()
        configuration.maximumFlows = 16
        var table = FlowTable(configuration: configuration)
        for i in 0..<40 {   // never taken: 24 and more records wait in `ended`
            _ = table.observe(PacketFacts.udp("192.0.2.\(i)", 5000, "198.51.100.53", 53), at: Timestamp(seconds: Double(i)))
        }
        let waiting = table.ended
        #expect(waiting.count > 3)
        var handedOver: [FlowRecord] = []
        table.finish(batchSize: 3) { batch in
            #expect(batch.count <= 3)
            handedOver += batch
        }
        #expect(Array(handedOver.prefix(waiting.count)) == waiting)
        #expect(handedOver.count == 40)
        #expect(handedOver.dropFirst(waiting.count).allSatisfy { $0.endReason == .captureEnd })
    }
}
