import Wire

/// What identification concluded about one flow: its protocol, and which service it belongs to,
/// how BlockWatch knows, and how sure it is.
public struct FlowIdentity: Sendable, Equatable {
    /// The protocol in the payload (Zeek's `service`), when recognised.
    public var applicationProtocol: ApplicationProtocol?
    /// The service, when one was found. A shared group ("meta") is itself a service name.
    public var app: ServiceName?
    public var evidence: Evidence?
    public var confidence: Confidence?
    /// The name that identified it (SNI, QUIC SNI, HTTP Host, or the DNS name), if any.
    public var serverName: String?
    /// For DNS flows: what the answers said (the facts DNS-tampering verdicts rest on).
    public var dns: DNSObservation?
    /// For HTTP flows: the status code of the server's first response.
    public var httpStatus: Int?

    public init(applicationProtocol: ApplicationProtocol? = nil, app: ServiceName? = nil, evidence: Evidence? = nil,
                confidence: Confidence? = nil, serverName: String? = nil) {
        self.applicationProtocol = applicationProtocol
        self.app = app
        self.evidence = evidence
        self.confidence = confidence
        self.serverName = serverName
    }
}

/// What a DNS flow's messages showed: enough to tell an answer from NXDOMAIN, a bogus address or
/// two answers racing for one query.
public struct DNSObservation: Sendable, Equatable {
    public var queries = 0
    public var responses = 0
    /// The first response's code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED).
    public var responseCode: UInt8? = nil
    /// Addresses in the first response's answers (at most eight).
    public var answers: [IPAddress] = []
    /// A second response to the same query carried different answers: one of them was injected.
    public var conflictingResponses = false

    public init() {}
}
