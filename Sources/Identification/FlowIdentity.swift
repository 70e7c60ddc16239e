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

    public init(applicationProtocol: ApplicationProtocol? = nil, app: ServiceName? = nil, evidence: Evidence? = nil,
                confidence: Confidence? = nil, serverName: String? = nil) {
        self.applicationProtocol = applicationProtocol
        self.app = app
        self.evidence = evidence
        self.confidence = confidence
        self.serverName = serverName
    }
}
