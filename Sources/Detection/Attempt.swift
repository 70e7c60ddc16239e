import Flows
import Identification
import Wire

/// Where an attempt counts: a catalog service (DOMESTIC included), the LOCAL network, or any
/// other destination by its registrable domain or, lacking a name, its server address.
public enum Group: Hashable, Sendable, Comparable, CustomStringConvertible {
    case service(ServiceName)
    case local
    case destination(String)

    public var description: String {
        switch self {
        case .service(let name): name.rawValue
        case .local: "local"
        case .destination(let name): name
        }
    }

    public static func < (a: Group, b: Group) -> Bool { a.description < b.description }
}

/// One attempt to reach something, judged: the fact verdicts count.
public struct Attempt: Sendable {
    public var time: Timestamp
    public var group: Group
    /// Whether its service belongs to the CONTROL group.
    public var isControl: Bool
    public var client: Endpoint
    public var server: Endpoint
    public var transport: UInt8
    public var outcome: Outcome
    /// Why this outcome, in a few words ("3 SYNs over 7.0 s, no answer").
    public var why: String
    public var uid: String
    public var serverName: String?
    /// Bytes the server sent, and the time its payload took: goodput for the throttling test.
    public var serverBytes: Int
    public var serverPayloadSeconds: Double
    /// Retransmitted segments relative to all segments of the flow: loss, for throttling.
    public var retransmissionRate: Double
    /// The server is outside LOCAL (private) address space.
    public var isExternal: Bool

    public init(time: Timestamp, group: Group, isControl: Bool, client: Endpoint, server: Endpoint, transport: UInt8,
                outcome: Outcome, why: String, uid: String, serverName: String?, serverBytes: Int,
                serverPayloadSeconds: Double, retransmissionRate: Double, isExternal: Bool) {
        self.time = time
        self.group = group
        self.isControl = isControl
        self.client = client
        self.server = server
        self.transport = transport
        self.outcome = outcome
        self.why = why
        self.uid = uid
        self.serverName = serverName
        self.serverBytes = serverBytes
        self.serverPayloadSeconds = serverPayloadSeconds
        self.retransmissionRate = retransmissionRate
        self.isExternal = isExternal
    }

    /// Bulk transfers are the only ones that can show a throttle's cap (a fast one may take well
    /// under a second: that is the point of comparing).
    public var isBulk: Bool { serverBytes >= 100_000 && serverPayloadSeconds >= 0.2 }

    /// Server payload goodput in bits per second.
    public var goodput: Double { serverPayloadSeconds > 0 ? Double(serverBytes) * 8 / serverPayloadSeconds : 0 }
}

/// A flow a skeptic can open in Wireshark: time, 5-tuple, outcome, and why.
public struct ExampleFlow: Sendable, Codable, Equatable {
    public var time: Double
    public var uid: String
    public var proto: String
    public var client: String
    public var clientPort: Int
    public var server: String
    public var serverPort: Int
    public var serverName: String?
    public var outcome: String
    public var why: String

    public init(time: Double, uid: String, proto: String, client: String, clientPort: Int, server: String, serverPort: Int,
                serverName: String?, outcome: String, why: String) {
        self.time = time
        self.uid = uid
        self.proto = proto
        self.client = client
        self.clientPort = clientPort
        self.server = server
        self.serverPort = serverPort
        self.serverName = serverName
        self.outcome = outcome
        self.why = why
    }

    init(_ attempt: Attempt) {
        time = attempt.time.seconds
        uid = attempt.uid
        proto = attempt.transport == 6 ? "tcp" : attempt.transport == 17 ? "udp" : "ip"
        client = attempt.client.address.description
        clientPort = Int(attempt.client.port)
        server = attempt.server.address.description
        serverPort = Int(attempt.server.port)
        serverName = attempt.serverName
        outcome = attempt.outcome.rawValue
        why = attempt.why
    }

    /// A Wireshark display filter that shows exactly this flow.
    public var wiresharkFilter: String {
        let family = server.contains(":") ? "ipv6" : "ip"
        let hosts = "\(family).addr==\(client) && \(family).addr==\(server)"
        guard proto == "tcp" || proto == "udp" else { return hosts }
        return hosts + " && \(proto).port==\(clientPort) && \(proto).port==\(serverPort)"
    }
}

/// A stretch of time in which a group (or the network) was in one non-ok state.
public struct Event: Sendable, Codable, Equatable {
    public var state: String
    public var mechanism: String?
    public var start: Double
    public var end: Double
    /// The last success before the start and the first success after the end, when known: the
    /// true boundaries lie between these and `start`/`end`.
    public var lastSuccessBefore: Double?
    public var firstSuccessAfter: Double?
    public var confidence: Confidence
    public var attempts: Int
    public var failures: Int
    public var servers: Int
    /// Outcome counts of the failures, e.g. ["tcp-syn-timeout": 12].
    public var failureOutcomes: [String: Int]
    /// Plain words: what was seen, against what.
    public var why: String
    public var exampleFlows: [ExampleFlow]
    /// For throttling: the service's median bulk goodput and CONTROL's, in bits per second.
    public var goodput: Double?
    public var controlGoodput: Double?

    public init(state: String, mechanism: String?, start: Double, end: Double, lastSuccessBefore: Double?,
                firstSuccessAfter: Double?, confidence: Confidence, attempts: Int, failures: Int, servers: Int,
                failureOutcomes: [String: Int], why: String, exampleFlows: [ExampleFlow],
                goodput: Double? = nil, controlGoodput: Double? = nil) {
        self.state = state
        self.mechanism = mechanism
        self.start = start
        self.end = end
        self.lastSuccessBefore = lastSuccessBefore
        self.firstSuccessAfter = firstSuccessAfter
        self.confidence = confidence
        self.attempts = attempts
        self.failures = failures
        self.servers = servers
        self.failureOutcomes = failureOutcomes
        self.why = why
        self.exampleFlows = exampleFlows
        self.goodput = goodput
        self.controlGoodput = controlGoodput
    }
}
