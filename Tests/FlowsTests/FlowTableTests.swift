import Testing
import Wire
@testable import Flows

@Suite("Flow table")
struct FlowTableTests {
    let client = "192.0.2.10"
    let server = "198.51.100.20"

    @Test("a handshake, data both ways and a FIN close make one SF flow with Zeek's history ShADadFf")
    func completeConnection() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.syn], seq: 1000), at: 0)
        h.feed(PacketFacts.tcp(server, 443, client, 40000, [.syn, .ack], seq: 5000, ack: 1001), at: 0.030)
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.ack], seq: 1001, ack: 5001), at: 0.031)
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.ack, .psh], seq: 1001, ack: 5001, payload: 300), at: 0.032)
        h.feed(PacketFacts.tcp(server, 443, client, 40000, [.ack], seq: 5001, ack: 1301), at: 0.060)
        h.feed(PacketFacts.tcp(server, 443, client, 40000, [.ack, .psh], seq: 5001, ack: 1301, payload: 1200), at: 0.061)
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.ack], seq: 1301, ack: 6201), at: 0.062)
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.fin, .ack], seq: 1301, ack: 6201), at: 0.100)
        h.feed(PacketFacts.tcp(server, 443, client, 40000, [.fin, .ack], seq: 6201, ack: 1302), at: 0.130)
        h.feed(PacketFacts.tcp(client, 40000, server, 443, [.ack], seq: 1302, ack: 6202), at: 0.131)
        let records = h.finish()
        let flow = try #require(records.first)
        #expect(records.count == 1)
        #expect(flow.connectionState == .sf)
        #expect(flow.history == "ShADadFf")
        #expect(flow.originator == Endpoint(address: IPAddress(client)!, port: 40000))
        #expect(flow.originatorCounters.packets == 6)
        #expect(flow.responderCounters.packets == 4)
        #expect(flow.originatorCounters.payloadBytes == 300)
        #expect(flow.responderCounters.payloadBytes == 1200)
        #expect(flow.originatorCounters.ipBytes == 6 * 40 + 300)
        let rtt = try #require(flow.handshakeRoundTrip)
        #expect(abs(rtt.nanoseconds - 31_000_000) < 1_000)   // the test's times are Doubles
        #expect(!flow.startedMidstream)
    }

    @Test("an unanswered SYN retried twice is one S0 attempt with three packets and history S")
    func unansweredSYN() throws {
        var h = FlowTableHarness()
        for t in [0.0, 1.0, 3.0] { h.feed(PacketFacts.tcp(client, 40001, server, 443, [.syn], seq: 77), at: t) }
        let flow = try #require(h.finish().first)
        #expect(flow.connectionState == .s0)
        #expect(flow.history == "S")
        #expect(flow.originatorCounters.packets == 3)
        #expect(flow.originatorCounters.retransmissions == 2)
        #expect(flow.responderCounters.packets == 0)
    }

    @Test("a SYN answered by RST is REJ")
    func refused() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40002, server, 23, [.syn], seq: 1), at: 0)
        h.feed(PacketFacts.tcp(server, 23, client, 40002, [.rst, .ack], seq: 0, ack: 2), at: 0.01)
        let flow = try #require(h.finish().first)
        #expect(flow.connectionState == .rej)
        #expect(flow.history == "Sr")
        #expect(flow.responderCounters.resets == 1)
    }

    @Test("an ICMP admin-prohibited error joins the flow of the SYN it quotes, with the router named")
    func icmpErrorAttributed() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40003, server, 443, [.syn], seq: 1), at: 0)
        let observation = h.feed(PacketFacts.unreachable(from: "203.0.113.1", to: client, code: 13, quoting: 6,
                                                          client, 40003, server, 443), at: 0.02)
        #expect(observation.isICMPError)
        let records = h.finish()
        #expect(records.count == 1)
        let flow = try #require(records.first)
        #expect(flow.icmpErrors.count == 1)
        #expect(flow.icmpErrors.administrativelyProhibited == 1)
        #expect(flow.icmpErrors.lastSender == IPAddress("203.0.113.1"))
        #expect(flow.connectionState == .s0)
    }

    @Test("an ICMP error quoting an unknown flow becomes an ICMP flow of its own")
    func icmpErrorWithoutFlow() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.unreachable(from: server, to: client, code: 3, quoting: 17, client, 5353, server, 53), at: 0)
        let flow = try #require(h.finish().first)
        #expect(flow.protocolNumber == 1)
        #expect(flow.originator.port == 3 && flow.responder.port == 3)
    }

    @Test("a first packet that is a SYN-ACK flips the direction: its receiver is the originator (^)")
    func flippedDirection() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(server, 443, client, 40004, [.syn, .ack], seq: 9, ack: 2), at: 0)
        h.feed(PacketFacts.tcp(client, 40004, server, 443, [.ack], seq: 2, ack: 10), at: 0.01)
        let flow = try #require(h.finish().first)
        #expect(flow.originator.address == IPAddress(client))
        #expect(flow.history.hasPrefix("^"))
    }

    @Test("traffic without a SYN is mid-stream: OTH, and flagged as already running")
    func midstream() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40005, server, 443, [.ack, .psh], seq: 500, ack: 900, payload: 100), at: 0)
        h.feed(PacketFacts.tcp(server, 443, client, 40005, [.ack], seq: 900, ack: 600), at: 0.02)
        let flow = try #require(h.finish().first)
        #expect(flow.connectionState == .oth)
        #expect(flow.startedMidstream)
    }

    @Test("a UDP query with an answer is SF; one without is S0")
    func udp() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.udp(client, 5000, server, 53), at: 0)
        h.feed(PacketFacts.udp(server, 53, client, 5000), at: 0.01)
        h.feed(PacketFacts.udp(client, 5001, server, 53), at: 0.02)
        let records = h.finish()
        #expect(records.count == 2)
        #expect(records.first { $0.originator.port == 5000 }?.connectionState == .sf)
        #expect(records.first { $0.originator.port == 5001 }?.connectionState == .s0)
    }

    @Test("a UDP flow idle past its timeout ends, and the same tuple later starts a new flow")
    func idleExpiry() {
        var h = FlowTableHarness()
        h.feed(PacketFacts.udp(client, 5002, server, 53), at: 0)
        h.feed(PacketFacts.udp(client, 9999, server, 53), at: 120)   // moves packet time on
        h.feed(PacketFacts.udp(client, 5002, server, 53), at: 130)
        let records = h.finish()
        let sameTuple = records.filter { $0.originator.port == 5002 }
        #expect(sameTuple.count == 2)
        #expect(sameTuple.first?.endReason == .idle)
    }

    @Test("packet time, not the wall clock, drives expiry: packets a second apart never expire")
    func noExpiryWithinTimeout() {
        var h = FlowTableHarness()
        for t in 0..<200 { h.feed(PacketFacts.udp(client, 5003, server, 53), at: Double(t)) }
        #expect(h.finish().count == 1)
    }

    @Test("a new SYN on a closed 5-tuple is a new connection; the old one ends as reused")
    func portReuse() {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40006, server, 80, [.syn], seq: 1), at: 0)
        h.feed(PacketFacts.tcp(server, 80, client, 40006, [.rst, .ack], seq: 0, ack: 2), at: 0.01)
        h.feed(PacketFacts.tcp(client, 40006, server, 80, [.syn], seq: 5_000_000), at: 1)
        let records = h.finish()
        #expect(records.count == 2)
        #expect(records[0].endReason == .reused)
        #expect(records[1].connectionState == .s0)
    }

    @Test("at the flow limit the least recently active flows are written out early, and counted")
    func boundedMemory() {
        var configuration = FlowTableConfiguration()
        configuration.maximumFlows = 8
        var h = FlowTableHarness(configuration)
        for i in 0..<100 { h.feed(PacketFacts.tcp(client, UInt16(20000 + i), server, 443, [.syn], seq: 1), at: Double(i) * 0.001) }
        let records = h.finish()
        #expect(records.count == 100)
        #expect(h.table.statistics.peakFlows <= 8)
        #expect(h.table.statistics.evicted > 0)
        #expect(h.table.statistics.evicted + h.table.statistics.endedAtCaptureEnd == 100)
    }

    @Test("resent data counts as a retransmission (T) and its bytes once")
    func retransmission() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40007, server, 443, [.syn], seq: 0), at: 0)
        h.feed(PacketFacts.tcp(server, 443, client, 40007, [.syn, .ack], seq: 0, ack: 1), at: 0.01)
        h.feed(PacketFacts.tcp(client, 40007, server, 443, [.ack], seq: 1, ack: 1), at: 0.02)
        h.feed(PacketFacts.tcp(client, 40007, server, 443, [.ack, .psh], seq: 1, ack: 1, payload: 500), at: 0.03)
        h.feed(PacketFacts.tcp(client, 40007, server, 443, [.ack, .psh], seq: 1, ack: 1, payload: 500), at: 0.5)
        let flow = try #require(h.finish().first)
        #expect(flow.originatorCounters.payloadBytes == 500)
        #expect(flow.originatorCounters.dataRetransmissions == 1)
        #expect(flow.history.contains("T"))
    }

    @Test("a zero window is noted as W")
    func zeroWindow() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40008, server, 443, [.syn], seq: 0), at: 0)
        h.feed(PacketFacts.tcp(server, 443, client, 40008, [.syn, .ack], seq: 0, ack: 1), at: 0.01)
        h.feed(PacketFacts.tcp(client, 40008, server, 443, [.ack], seq: 1, ack: 1, window: 0), at: 0.02)
        let flow = try #require(h.finish().first)
        #expect(flow.history.contains("W"))
        #expect(flow.originatorCounters.zeroWindows == 1)
    }

    @Test("TTL and IP-ID ranges are kept per direction, so a reset with another TTL stands out")
    func ttlAndIPID() throws {
        var h = FlowTableHarness()
        h.feed(PacketFacts.tcp(client, 40009, server, 443, [.syn], seq: 0, ttl: 64, ipID: 100), at: 0)
        h.feed(PacketFacts.tcp(server, 443, client, 40009, [.syn, .ack], seq: 0, ack: 1, ttl: 52, ipID: 0), at: 0.01)
        h.feed(PacketFacts.tcp(server, 443, client, 40009, [.rst], seq: 1, ttl: 238, ipID: 31337), at: 0.02)
        let flow = try #require(h.finish().first)
        #expect(flow.responderCounters.ttlRange == "52-238")
        #expect(flow.responderCounters.firstTTL == 52)
        #expect(flow.responderCounters.lastTTL == 238)
        #expect(flow.responderCounters.ipIDRange == "0-31337")
        #expect(flow.originatorCounters.ttlRange == "64")
    }

    @Test("both directions of a conversation share one key")
    func canonicalKey() {
        let a = Endpoint(address: IPAddress(client)!, port: 1)
        let b = Endpoint(address: IPAddress(server)!, port: 2)
        #expect(FlowKey(protocolNumber: 6, a, b) == FlowKey(protocolNumber: 6, b, a))
        #expect(FlowKey(protocolNumber: 6, a, b) != FlowKey(protocolNumber: 17, a, b))
    }
}
