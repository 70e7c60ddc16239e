/// What became of one attempt (a new connection, QUIC connection or DNS query): exactly one
/// outcome each (DESIGN.md §4). The unit of evidence every verdict is built from.
public enum Outcome: String, CaseIterable, Sendable, Codable {
    case ok
    /// SYN (and its retries) never answered, with enough capture after it to be sure.
    case tcpSynTimeout = "tcp-syn-timeout"
    /// The SYN was answered by a reset that looks genuine.
    case tcpRefused = "tcp-refused"
    /// A reset that scored as forged: TTL/IP-ID unlike the peer's, racing the real answer, bursts.
    case rstInjected = "rst-injected"
    /// ICMP destination unreachable, administratively prohibited: a filter said no.
    case icmpProhibited = "icmp-prohibited"
    /// ICMP net/host/port unreachable: a routing failure rather than a filter.
    case icmpUnreachable = "icmp-unreachable"
    /// Handshake completed, ClientHello sent, no answer from the server.
    case tlsHelloTimeout = "tls-hello-timeout"
    /// A reset right after the ClientHello.
    case tlsResetAfterHello = "tls-reset-after-hello"
    /// Handshake completed and the client spoke (MTProto, WhatsApp, ...), then the server fell silent.
    case appStall = "app-stall"
    /// QUIC Initials never answered.
    case quicTimeout = "quic-timeout"
    /// NXDOMAIN, SERVFAIL or REFUSED for a name.
    case dnsNXDomain = "dns-nxdomain"
    /// An answer no real server gives: private, loopback or otherwise bogus addresses.
    case dnsBogus = "dns-bogus"
    /// Two different answers raced for one query.
    case dnsInjected = "dns-injected"
    /// A query never answered.
    case dnsTimeout = "dns-timeout"
    /// An HTTP block page (status 451).
    case httpBlockpage = "http-blockpage"
    /// The capture ended inside the judge window: no verdict, excluded from every count.
    case pending

    public var isFailure: Bool { self != .ok && self != .pending }

    /// Outcomes that show a device interfered, beyond a silent drop.
    public var isActiveInterference: Bool {
        switch self {
        case .rstInjected, .icmpProhibited, .dnsBogus, .dnsInjected, .httpBlockpage, .tlsResetAfterHello: true
        default: false
        }
    }

    /// The blocking mechanism this outcome points to.
    public var mechanism: Mechanism? {
        switch self {
        case .ok, .pending: nil
        case .tcpSynTimeout: .ipBlackhole
        case .tcpRefused: .tcpRefused
        case .rstInjected, .tlsResetAfterHello: .rstInjection
        case .icmpProhibited: .icmpProhibited
        case .icmpUnreachable: .routing
        case .tlsHelloTimeout: .sniFiltering
        case .appStall: .protocolFiltering
        case .quicTimeout: .quicBlocking
        case .dnsNXDomain, .dnsBogus, .dnsInjected: .dnsTampering
        case .dnsTimeout: .dnsBlackhole
        case .httpBlockpage: .httpBlockpage
        }
    }
}

/// How a service was blocked, or how the network was cut (DESIGN.md §4).
public enum Mechanism: String, CaseIterable, Sendable, Codable {
    case ipBlackhole = "ip-blackhole"
    case sniFiltering = "sni-filtering"
    case rstInjection = "rst-injection"
    case icmpProhibited = "icmp-prohibited"
    case dnsTampering = "dns-tampering"
    /// Queries to the resolver go unanswered for this service only.
    case dnsBlackhole = "dns-blackhole"
    case quicBlocking = "quic-blocking"
    case httpBlockpage = "http-blockpage"
    /// The handshake completes but the app's own protocol is cut (MTProto, WhatsApp's framing).
    case protocolFiltering = "protocol-filtering"
    case throttling
    /// Connections refused by genuine-looking resets.
    case tcpRefused = "tcp-refused"
    /// Routers report the destination unreachable.
    case routing
    case totalCutoff = "total-cutoff"
    case internationalCutoff = "international-cutoff"
    case localOutage = "local-outage"
}
