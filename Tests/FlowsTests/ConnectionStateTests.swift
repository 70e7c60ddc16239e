import Testing
@testable import Flows

@Suite("Connection state follows Zeek's conn_state")
struct ConnectionStateTests {
    @Test("each endpoint-state pair maps to Zeek's code", arguments: [
        (TCPEndpointState.synSent, TCPEndpointState.inactive, "S", ConnectionState.s0),
        (.established, .established, "ShAD", .s1),
        (.closed, .closed, "ShADFf", .sf),
        (.synSent, .reset, "Sr", .rej),
        (.closed, .established, "ShADF", .s2),
        (.established, .closed, "ShADf", .s3),
        (.reset, .established, "ShADR", .rsto),
        (.established, .reset, "ShADr", .rstr),
        (.reset, .inactive, "SR", .rstos0),
        (.inactive, .reset, "hr", .rstrh),
        (.closed, .inactive, "SF", .sh),
        (.inactive, .closed, "hf", .shr),
        (.partial, .partial, "Dd", .oth),
    ])
    func mapping(originator: TCPEndpointState, responder: TCPEndpointState, history: String, expected: ConnectionState) {
        #expect(ConnectionState.tcp(originator: originator, responder: responder, originatorPayloadBytes: 1,
                                    responderPayloadBytes: 1, history: history) == expected)
    }

    @Test("RSTOS0 needs the originator's SYN then RST with no handshake, ACK or FIN of its own between")
    func rstos0NeedsNoHandshake() {
        #expect(!ConnectionState.historyIsSynThenReset("SAR"))
        #expect(!ConnectionState.historyIsSynThenReset("SFR"))
        #expect(ConnectionState.historyIsSynThenReset("^SR"))
        #expect(ConnectionState.historyIsSynThenReset("SR"))
    }

    @Test("datagram flows: SF with both sides, S0 with the originator only")
    func datagram() {
        #expect(ConnectionState.datagram(originatorPackets: 1, responderPackets: 1) == .sf)
        #expect(ConnectionState.datagram(originatorPackets: 3, responderPackets: 0) == .s0)
    }
}
