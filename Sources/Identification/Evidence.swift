/// How BlockWatch knows which service a flow belongs to, strongest first (DESIGN.md §3).
public enum Evidence: String, CaseIterable, Sendable, Codable, Comparable {
    /// A payload signature: MTProto obfuscated2, WhatsApp's chat preface, ...
    case payload
    /// STUN/TURN attributes or realm of call traffic.
    case stun
    /// The TLS ClientHello's server name.
    case sni
    /// The server name in a decrypted QUIC Initial.
    case quicSNI = "quic-sni"
    /// The HTTP Host header.
    case httpHost = "http-host"
    /// A name learned from a DNS answer earlier in the capture for the server's address.
    case dns
    /// The server's address is in the service's published or routed prefixes.
    case ip
    /// Only the port fits: the weakest hint.
    case port

    /// Higher is stronger; stronger evidence replaces weaker.
    public var strength: Int {
        switch self {
        case .payload: 7
        case .stun: 6
        case .sni, .quicSNI, .httpHost: 5
        case .dns: 4
        case .ip: 3
        case .port: 1
        }
    }

    /// The confidence this kind of evidence gives on its own.
    public var confidence: Confidence {
        switch self {
        case .payload, .stun, .sni, .quicSNI, .httpHost: .high
        case .dns, .ip: .medium
        case .port: .low
        }
    }

    public static func < (a: Evidence, b: Evidence) -> Bool { a.strength < b.strength }
}

/// How sure an identification (or later, a verdict) is.
public enum Confidence: String, CaseIterable, Sendable, Codable, Comparable {
    case low, medium, high

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (a: Confidence, b: Confidence) -> Bool { a.rank < b.rank }
}
