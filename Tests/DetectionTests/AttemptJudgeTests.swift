import Testing
import Detection
import Flows
import Identification
import Wire

/// From a flow's packets to one attempt's outcome: the per-attempt rules of DESIGN.md §4 on
/// hand-built packets.
@Suite("Judging attempts")
struct AttemptJudgeTests {
    static let judge = AttemptJudge(catalog: try! SignatureCatalog.bundled())
    static let client = "192.0.2.10", server = "149.154.167.51"
    static let start = 1_641_340_800.0

    static func tcp(_ s: String, _ sp: UInt16, _ d: String, _ dp: UInt16, _ flags: TCPFlags, seq: UInt32, ack: UInt32 = 0,
                    payload: Int = 0, ttl: UInt8 = 64, ipID: UInt32 = 1) -> DecodedPacket {
        let network = NetworkHeader(version: 4, source: IPAddress(s)!, destination: IPAddress(d)!, protocolNumber: 6,
                                    timeToLive: ttl, identification: ipID, hasIdentification: true, totalLength: 40 + payload)
        return DecodedPacket(network: network, transport: .tcp(TCPHeader(sourcePort: sp, destinationPort: dp, sequenceNumber: seq,
                                                                         acknowledgmentNumber: ack, flags: flags, window: 1000, synOptions: nil)),
                             payload: UnsafeRawBufferPointer(start: nil, count: 0), payloadLength: payload)
    }

    /// Runs packets (with their second offsets) through a flow table and judges the one flow.
    static func outcome(_ packets: [(Double, DecodedPacket)], identity: FlowIdentity = FlowIdentity(),
                        captureEnd: Double) -> Attempt? {
        var table = FlowTable()
        for (t, p) in packets { _ = table.observe(p, at: Timestamp(seconds: start + t)) }
        table.finish()
        guard let record = table.takeEnded().first else { return nil }
        return judge.judge(record, identity, captureEnd: Timestamp(seconds: start + captureEnd))
    }

    static var handshake: [(Double, DecodedPacket)] {
        [(0, tcp(client, 40000, server, 443, .syn, seq: 100)),
         (0.05, tcp(server, 443, client, 40000, [.syn, .ack], seq: 900, ack: 101, ttl: 52, ipID: 0)),
         (0.051, tcp(client, 40000, server, 443, .ack, seq: 101, ack: 901))]
    }

    static let tls = FlowIdentity(applicationProtocol: .tls, app: .telegram, evidence: .sni, confidence: .high,
                                  serverName: "web.telegram.org")

    @Test("SYNs unanswered for 10 s or more: tcp-syn-timeout")
    func synTimeout() throws {
        let a = try #require(Self.outcome([(0, Self.tcp(Self.client, 40000, Self.server, 443, .syn, seq: 1)),
                                           (1, Self.tcp(Self.client, 40000, Self.server, 443, .syn, seq: 1)),
                                           (3, Self.tcp(Self.client, 40000, Self.server, 443, .syn, seq: 1))], captureEnd: 30))
        #expect(a.outcome == .tcpSynTimeout)
        #expect(a.why.contains("3 SYNs"))
    }

    @Test("SYNs the capture ended on within 10 s: pending, no verdict")
    func pending() throws {
        let a = try #require(Self.outcome([(0, Self.tcp(Self.client, 40000, Self.server, 443, .syn, seq: 1))], captureEnd: 4))
        #expect(a.outcome == .pending)
    }

    @Test("a SYN answered by a plain reset: tcp-refused (a closed port is not censorship)")
    func refused() throws {
        let a = try #require(Self.outcome([(0, Self.tcp(Self.client, 40000, Self.server, 23, .syn, seq: 1)),
                                           (0.02, Self.tcp(Self.server, 23, Self.client, 40000, [.rst, .ack], seq: 0, ack: 2))],
                                          captureEnd: 30))
        #expect(a.outcome == .tcpRefused)
    }

    @Test("a reset that races the real SYN-ACK, with another TTL: rst-injected")
    func racingReset() throws {
        let a = try #require(Self.outcome([(0, Self.tcp(Self.client, 40000, Self.server, 443, .syn, seq: 1)),
                                           (0.010, Self.tcp(Self.server, 443, Self.client, 40000, [.rst, .ack], seq: 0, ack: 2, ttl: 46)),
                                           (0.013, Self.tcp(Self.server, 443, Self.client, 40000, [.syn, .ack], seq: 5, ack: 2, ttl: 49))],
                                          captureEnd: 30))
        #expect(a.outcome == .rstInjected)
        #expect(a.why.contains("kept sending"))
    }

    @Test("a ClientHello after the handshake, never answered: tls-hello-timeout")
    func helloTimeout() throws {
        let a = try #require(Self.outcome(Self.handshake + [(0.06, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 101, ack: 901, payload: 517)),
                                                            (0.5, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 101, ack: 901, payload: 517))],
                                          identity: Self.tls, captureEnd: 60))
        #expect(a.outcome == .tlsHelloTimeout)
        #expect(a.why.contains("web.telegram.org"))
        #expect(a.group == .service(.telegram))
    }

    @Test("resets after the ClientHello with a TTL unlike the server's: rst-injected")
    func injectedAfterHello() throws {
        let a = try #require(Self.outcome(Self.handshake + [(0.06, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 101, ack: 901, payload: 517)),
                                                            (0.061, Self.tcp(Self.server, 443, Self.client, 40000, [.rst, .ack], seq: 901, ack: 618, ttl: 238, ipID: 31337)),
                                                            (0.062, Self.tcp(Self.server, 443, Self.client, 40000, [.rst, .ack], seq: 901, ack: 618, ttl: 238, ipID: 31337))],
                                          identity: Self.tls, captureEnd: 60))
        #expect(a.outcome == .rstInjected)
    }

    @Test("a single reset after the ClientHello that could be the server's: tls-reset-after-hello")
    func plainResetAfterHello() throws {
        let a = try #require(Self.outcome(Self.handshake + [(0.06, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 101, ack: 901, payload: 517)),
                                                            (0.2, Self.tcp(Self.server, 443, Self.client, 40000, [.rst, .ack], seq: 901, ack: 618, ttl: 52, ipID: 0))],
                                          identity: Self.tls, captureEnd: 60))
        #expect(a.outcome == .tlsResetAfterHello)
    }

    @Test("data from the server: ok")
    func ok() throws {
        let a = try #require(Self.outcome(Self.handshake + [(0.06, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 101, ack: 901, payload: 517)),
                                                            (0.11, Self.tcp(Self.server, 443, Self.client, 40000, [.ack, .psh], seq: 901, ack: 618, payload: 1400, ttl: 52))],
                                          identity: Self.tls, captureEnd: 60))
        #expect(a.outcome == .ok)
    }

    @Test("a ServerHello that came only after the app's 10 s patience (a lifted filter let a retransmission through): tls-hello-timeout")
    func lateServerHello() throws {
        let hello = { (t: Double) in (t, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 101, ack: 901, payload: 517)) }
        let answer = { (t: Double) in (t, Self.tcp(Self.server, 443, Self.client, 40000, [.ack, .psh], seq: 901, ack: 618, payload: 1400, ttl: 52)) }
        let late = try #require(Self.outcome(Self.handshake + [hello(0.06), hello(3), hello(9), hello(27), answer(27.1)],
                                             identity: Self.tls, captureEnd: 60))
        #expect(late.outcome == .tlsHelloTimeout)
        #expect(late.why.contains("answered only after 27 s (resent 3×)"))
        // A slow but patient-enough server is fine, and so is a late reply on a protocol that may
        // legitimately wait (a long poll): only TLS has a prompt answer by design.
        let slow = try #require(Self.outcome(Self.handshake + [hello(0.06), answer(6)], identity: Self.tls, captureEnd: 60))
        #expect(slow.outcome == .ok)
        let longPoll = try #require(Self.outcome(Self.handshake + [hello(0.06), answer(30)], captureEnd: 60))
        #expect(longPoll.outcome == .ok)
    }

    /// A plain-HTTP fetch whose answer has `status`, sent with `ttl` after `delay` seconds.
    static func httpFetch(status: Int, ttl: UInt8, delay: Double) throws -> Attempt {
        var http = FlowIdentity(applicationProtocol: .http, app: .telegram, evidence: .httpHost, confidence: .high,
                                serverName: "web.telegram.org")
        http.httpStatus = status
        let syn = [(0.0, tcp(client, 40000, server, 80, .syn, seq: 100)),
                   (0.05, tcp(server, 80, client, 40000, [.syn, .ack], seq: 900, ack: 101, ttl: 52, ipID: 0)),
                   (0.051, tcp(client, 40000, server, 80, .ack, seq: 101, ack: 901)),
                   (0.06, tcp(client, 40000, server, 80, [.ack, .psh], seq: 101, ack: 901, payload: 120)),
                   (0.06 + delay, tcp(server, 80, client, 40000, [.ack, .psh], seq: 901, ack: 221, payload: 300, ttl: ttl))]
        return try #require(outcome(syn, identity: http, captureEnd: 60))
    }

    @Test("HTTP block pages: 451 always; 302 or 403 only when another sender's TTL or a too-quick answer shows injection")
    func blockPages() throws {
        #expect(try Self.httpFetch(status: 451, ttl: 52, delay: 0.05).outcome == .httpBlockpage)
        let injected = try Self.httpFetch(status: 302, ttl: 250, delay: 0.05)
        #expect(injected.outcome == .httpBlockpage)
        #expect(injected.why.contains("TTL 52 and 250"))
        let quick = try Self.httpFetch(status: 403, ttl: 52, delay: 0.002)
        #expect(quick.outcome == .httpBlockpage)
        #expect(quick.why.contains("answered in 2.0 ms against a 51 ms round trip"))
        // The server's own refusal or redirect, from where the server is, at its pace: not censorship.
        #expect(try Self.httpFetch(status: 403, ttl: 52, delay: 0.05).outcome == .ok)
        #expect(try Self.httpFetch(status: 302, ttl: 51, delay: 0.06).outcome == .ok)
        #expect(try Self.httpFetch(status: 200, ttl: 250, delay: 0.002).outcome == .ok)
    }

    @Test("a flow already running when the capture began is not an attempt")
    func midstream() {
        #expect(Self.outcome([(0, Self.tcp(Self.client, 40000, Self.server, 443, [.ack, .psh], seq: 5, ack: 9, payload: 100))], captureEnd: 60) == nil)
    }

    @Test("DNS: NXDOMAIN, a private answer, two racing answers and silence each have their outcome")
    func dns() throws {
        func query(_ observation: DNSObservation?, end: Double = 60) -> Outcome? {
            let network = NetworkHeader(version: 4, source: IPAddress(Self.client)!, destination: IPAddress("198.51.100.53")!,
                                        protocolNumber: 17, timeToLive: 64, identification: 1, hasIdentification: true, totalLength: 60)
            let packet = DecodedPacket(network: network, transport: .udp(UDPHeader(sourcePort: 5000, destinationPort: 53)),
                                       payload: UnsafeRawBufferPointer(start: nil, count: 0), payloadLength: 32)
            var identity = FlowIdentity(applicationProtocol: .dns, app: .telegram, evidence: .dns, serverName: "telegram.org")
            identity.dns = observation
            return Self.outcome([(0, packet)], identity: identity, captureEnd: end)?.outcome
        }
        var nx = DNSObservation(); nx.responses = 1; nx.responseCode = 3
        var bogus = DNSObservation(); bogus.responses = 1; bogus.responseCode = 0; bogus.answers = [IPAddress("10.10.34.34")!]
        var raced = DNSObservation(); raced.responses = 2; raced.responseCode = 0; raced.conflictingResponses = true
        var fine = DNSObservation(); fine.responses = 1; fine.responseCode = 0; fine.answers = [IPAddress("149.154.167.99")!]
        #expect(query(nx) == .dnsNXDomain)
        #expect(query(bogus) == .dnsBogus)
        #expect(query(raced) == .dnsInjected)
        #expect(query(fine) == .ok)
        #expect(query(nil) == .dnsTimeout)
        #expect(query(nil, end: 2) == .pending)
    }

    @Test("registrable domains group news sites and country second levels")
    func registrable() {
        #expect(AttemptJudge.registrableDomain("www.bbc.co.uk") == "bbc.co.uk")
        #expect(AttemptJudge.registrableDomain("cdn.tengrinews.kz") == "tengrinews.kz")
        #expect(AttemptJudge.registrableDomain("static.news.com.kz") == "news.com.kz")
        #expect(AttemptJudge.registrableDomain("example.org") == "example.org")
    }
}
