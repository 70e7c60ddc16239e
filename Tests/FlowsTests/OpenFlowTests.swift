import Testing
import Wire
@testable import Flows

/// Live mode's two needs of the flow table: judging a flow still open, and ending idle flows
/// when no packet comes to move the clock.
@Suite("Flow table: open flows and clock without packets")
struct OpenFlowTests {
    let client = "192.0.2.10"
    let server = "149.154.167.51"

    @Test("openRecords gives flows still open that began in the range, as S0 snapshots, and leaves them open")
    func openRecords() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.syn], seq: 1), at: 0)
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.syn], seq: 1), at: 1)   // a retry: same flow
        h.feed(PacketFacts.tcp(client, 40001, server, 443, [.syn], seq: 9), at: 12)  // later: outside the range
        let start = Timestamp(seconds: 1_641_340_800)
        let open = h.table.openRecords(startedIn: start..<(start + .seconds(10)))
        let first = try #require(open.first)
        #expect(open.count == 1)
        #expect(first.record.originator.port == 40000)
        #expect(first.record.originatorCounters.packets == 2)
        #expect(first.record.connectionState == .s0)
        #expect(first.record.endReason == .captureEnd)
        #expect(h.table.activeFlows == 2)          // nothing ended
        #expect(h.records.isEmpty)
        let later = h.table.openRecords(startedIn: (start + .seconds(10))..<(start + .seconds(20)))
        #expect(later.map(\.record.originator.port) == [40001])
    }

    @Test("advance(to:) ends flows idle by then without a packet; flows still in their timeout stay")
    func advance() {
        var configuration = FlowTableConfiguration()
        configuration.udpIdleTimeout = .seconds(60)
        var h = FlowTableHarness(configuration)
        h.feed(PacketFacts.udp(client, 5353, "198.51.100.53", 53), at: 0)
        h.feed(PacketFacts.udp(client, 5354, "198.51.100.53", 53), at: 50)
        let start = Timestamp(seconds: 1_641_340_800)
        h.table.advance(to: start + .seconds(30))
        #expect(h.table.takeEnded().isEmpty)
        h.table.advance(to: start + .seconds(61))
        let ended = h.table.takeEnded()
        #expect(ended.map(\.originator.port) == [5353])
        #expect(ended.first?.endReason == .idle)
        #expect(h.table.activeFlows == 1)
    }
}
