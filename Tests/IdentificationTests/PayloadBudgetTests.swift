@testable import Identification
import Flows
import PacketCrafting
import Testing
import Wire

/// All flows' payload buffers share one budget (issue 8): a flood of flows that each send most of
/// a ClientHello and never finish cannot hold 16 KiB per flow times the flow table; past the budget
/// flows are identified from the segment at hand, and counted.
@Suite("Payload buffers under a flood of unfinished handshakes")
struct PayloadBudgetTests {
    static let server = Endpoint(address: IPAddress("198.51.100.7")!, port: 443)
    static let time = Timestamp(seconds: 1_700_000_000)

    static func client(_ index: Int) -> Endpoint {
        Endpoint(address: IPAddress("10.2.\(index / 256).\(index % 256)")!, port: 40_000)
    }

    /// One client segment of the flow at `slot`.
    static func send(_ bytes: [UInt8], sequence: UInt32, slot: Int, from client: Endpoint, to identifier: inout FlowIdentifier) {
        bytes.withUnsafeBytes { payload in
            let network = NetworkHeader(version: 4, source: client.address, destination: server.address, protocolNumber: 6,
                                        timeToLive: 64, identification: 1, hasIdentification: true, totalLength: 40 + payload.count)
            let tcp = TCPHeader(sourcePort: client.port, destinationPort: server.port, sequenceNumber: sequence,
                                acknowledgmentNumber: 1, flags: [.ack, .psh], window: 512, synOptions: nil)
            let packet = DecodedPacket(network: network, transport: .tcp(tcp), payload: payload, payloadLength: payload.count)
            identifier.observe(packet, slot: slot, fromOriginator: true, at: time)
        }
    }

    /// The first 1,400 bytes of a handshake record announcing a 15,000-byte ClientHello that never comes.
    static let unfinishedHello: [UInt8] = [0x16, 0x03, 0x01, 0x3A, 0x98, 0x01, 0x00, 0x3A, 0x94, 0x03, 0x03]
        + [UInt8](repeating: 0x42, count: 1389)

    @Test("the buffers never hold more than the budget; flows past it are counted, and still called TLS")
    func floodStaysWithinBudget() throws {
        let budget = PayloadBudget(limit: 256 * 1024)
        var identifier = FlowIdentifier(catalog: try SignatureCatalog.bundled(), payloadBudget: budget)
        let flows = 500
        for slot in 0..<flows {
            identifier.startFlow(slot: slot, originator: Self.client(slot), responder: Self.server, protocolNumber: 6, at: Self.time)
            // Two segments each: the hello stays unfinished, the flow stays open.
            Self.send(Self.unfinishedHello, sequence: 1, slot: slot, from: Self.client(slot), to: &identifier)
            Self.send([UInt8](repeating: 0x43, count: 1400), sequence: 1401, slot: slot, from: Self.client(slot), to: &identifier)
            #expect(budget.held <= budget.limit)
        }
        #expect(budget.peak <= budget.limit)
        #expect(budget.peak > budget.limit / 2, "the flood should have filled most of the budget")
        // Unbudgeted, 500 flows would hold at least 500 x 2,800 bytes.
        #expect(budget.flowsCutShort > 0 && budget.flowsCutShort < flows)
        for slot in 0..<flows {
            #expect(identifier.inspections[slot]?.identity.applicationProtocol == .tls, "slot \(slot)")
        }
        for slot in 0..<flows { _ = identifier.finish(slot: slot, at: Self.time) }
        #expect(budget.held == 0, "every byte charged is given back when its flow ends")
    }

    @Test("a whole ClientHello in one segment is still named when the budget is spent")
    func helloInOneSegmentPastTheBudget() throws {
        let budget = PayloadBudget(limit: 0)
        var identifier = FlowIdentifier(catalog: try SignatureCatalog.bundled(), payloadBudget: budget)
        identifier.startFlow(slot: 0, originator: Self.client(0), responder: Self.server, protocolNumber: 6, at: Self.time)
        Self.send(TLSHelloBuilder(serverName: "web.telegram.org").clientHelloRecord, sequence: 1, slot: 0,
                  from: Self.client(0), to: &identifier)
        let identity = identifier.finish(slot: 0, at: Self.time)
        #expect(identity.serverName == "web.telegram.org")
        #expect(identity.app == .telegram)
        #expect(budget.flowsCutShort == 1)
        #expect(budget.held == 0)
    }

    @Test("within the budget nothing changes: a ClientHello split over segments is reassembled")
    func splitHelloWithinBudget() throws {
        let budget = PayloadBudget()
        var identifier = FlowIdentifier(catalog: try SignatureCatalog.bundled(), payloadBudget: budget)
        let record = TLSHelloBuilder(serverName: "signal.org").clientHelloRecord
        identifier.startFlow(slot: 0, originator: Self.client(0), responder: Self.server, protocolNumber: 6, at: Self.time)
        Self.send(Array(record[..<100]), sequence: 1, slot: 0, from: Self.client(0), to: &identifier)
        #expect(budget.held > 0)
        Self.send(Array(record[100...]), sequence: 101, slot: 0, from: Self.client(0), to: &identifier)
        let identity = identifier.finish(slot: 0, at: Self.time)
        #expect(identity.serverName == "signal.org")
        #expect(identity.app == .signal)
        #expect(budget.flowsCutShort == 0)
        #expect(budget.held == 0)
    }
}
