/// The censor's mechanisms, by the names BlockWatch reports (DESIGN.md §4).
public enum Mechanism: String, Sendable, Codable {
    case ipBlackhole = "ip-blackhole"
    case sniFiltering = "sni-filtering"
    case rstInjection = "rst-injection"
    case icmpProhibited = "icmp-prohibited"
    case dnsTampering = "dns-tampering"
    case quicBlocking = "quic-blocking"
    case throttling
    case none
}

/// One rule the censor installs for a phase.
public enum CensorAction: Sendable {
    /// Drop everything to and from the service's addresses (all of them, or the listed host ids).
    case blackhole(service: String, hosts: [String]? = nil)
    /// Drop client segments carrying a ClientHello for these names (iptables string match), and
    /// so the session stalls after the ClientHello.
    case sniDrop(service: String, names: [String])
    /// Drop client segments that start like the app's own protocol (WhatsApp's `ED` preface):
    /// the handshake stalls after the first data segment.
    case payloadDrop(service: String)
    /// The raw-socket injector resets connections whose first data names the service.
    case rstInjection(service: String, names: [String], mtproto: Bool, whatsApp: Bool)
    /// Answer the service's packets with ICMP administratively prohibited (type 3 code 13 / ICMPv6 1/1).
    case icmpProhibited(service: String)
    /// The ISP resolver answers NXDOMAIN for the service's names.
    case dnsNXDOMAIN(service: String, domains: [String])
    /// The ISP resolver answers a bogus address for the service's names.
    case dnsBogus(service: String, domains: [String], loopback: Bool)
    /// Drop UDP 443 to the service.
    case quicDrop(service: String)
    /// Police the service's traffic to `kbit` per flow with drops, triggered by SNI (connmark).
    case throttle(service: String, names: [String], kbit: Int)

    public var service: String {
        switch self {
        case .blackhole(let service, _), .sniDrop(let service, _), .payloadDrop(let service),
             .rstInjection(let service, _, _, _), .icmpProhibited(let service), .dnsNXDOMAIN(let service, _),
             .dnsBogus(let service, _, _), .quicDrop(let service), .throttle(let service, _, _):
            service
        }
    }

    public var mechanism: Mechanism {
        switch self {
        case .blackhole: .ipBlackhole
        case .sniDrop, .payloadDrop: .sniFiltering
        case .rstInjection: .rstInjection
        case .icmpProhibited: .icmpProhibited
        case .dnsNXDOMAIN, .dnsBogus: .dnsTampering
        case .quicDrop: .quicBlocking
        case .throttle: .throttling
        }
    }

    /// A short text for the truth file.
    public var summary: String {
        switch self {
        case .blackhole(let service, let hosts): "blackhole \(service)" + (hosts.map { " " + $0.joined(separator: ",") } ?? "")
        case .sniDrop(let service, let names): "sni-drop \(service) " + names.joined(separator: ",")
        case .payloadDrop(let service): "payload-drop \(service) (first data segment of its protocol)"
        case .rstInjection(let service, let names, let mtproto, let whatsApp):
            "rst-inject \(service) sni=" + names.joined(separator: ",") + (mtproto ? " +mtproto" : "") + (whatsApp ? " +whatsapp-preface" : "")
        case .icmpProhibited(let service): "icmp-admin-prohibited \(service)"
        case .dnsNXDOMAIN(let service, let domains): "dns-nxdomain \(service) " + domains.joined(separator: ",")
        case .dnsBogus(let service, let domains, let loopback):
            "dns-bogus \(service) " + domains.joined(separator: ",") + (loopback ? " -> 127.0.0.1" : " -> sinkhole")
        case .quicDrop(let service): "quic-drop \(service) (udp/443)"
        case .throttle(let service, let names, let kbit): "throttle \(service) \(kbit) kbit/s per flow, sni=" + names.joined(separator: ",")
        }
    }
}

/// The network-level state of a phase.
public enum NetworkState: String, Sendable, Codable {
    case ok
    case cutoff
    case internationalCutoff = "international-cutoff"
}

/// Whether the client's apps are busy or the phone lies idle.
public enum Activity: String, Sendable {
    case active
    case idle
}

/// What a service experiences in a phase: the truth file's per-service entry.
public enum ServiceState: String, Sendable, Codable {
    case ok
    case blocked
    case partiallyBlocked = "partially-blocked"
    case throttled
    case noEvidence = "no-evidence"
}

public struct Phase: Sendable {
    public var name: String
    public var seconds: Double
    public var network: NetworkState
    public var activity: Activity
    public var censor: [CensorAction]
    /// What the phase stands for (e.g. the real Kazakhstan date and time).
    public var note: String

    public init(_ name: String, seconds: Double, network: NetworkState = .ok, activity: Activity = .active,
                censor: [CensorAction] = [], note: String = "") {
        self.name = name
        self.seconds = seconds
        self.network = network
        self.activity = activity
        self.censor = censor
        self.note = note
    }
}

/// The apps the client runs, and how hard.
public struct ClientProfile: Sendable {
    public var ipv6 = false
    public var telegram = true
    public var whatsApp = true
    public var signal = true
    public var control = true
    public var domestic = true
    public var youtube = false
    public var twitter = false
    /// Control bulk download size (KB) and period (s); 0 = none.
    public var controlBulkKB = 128
    public var controlBulkEvery = 30.0
    /// Media downloads from messenger CDNs (KB).
    public var mediaKB = 32
    public var mediaEvery = 30.0
    /// Twitter video downloads (KB) and period.
    public var twitterKB = 192
    public var twitterEvery = 8.0
    /// WhatsApp-like calls (STUN) every this many seconds; 0 = none.
    public var callEvery = 40.0
    public var seed: UInt64 = 1

    public init() {}
}

/// How the capture is written.
public enum CaptureLink: String, Sendable {
    /// On the client's veth: Ethernet frames, classic pcap.
    case ethernet
    /// `tcpdump -i any` in the client namespace: Linux cooked v2 (SLL2).
    case any
}

public struct Scenario: Sendable {
    public var name: String
    /// The output file name under captures/lab/ (.pcap or .pcapng).
    public var file: String
    public var description: String
    public var link: CaptureLink = .ethernet
    public var profile: ClientProfile
    public var phases: [Phase]
    /// Stop the capture while the apps are still busy (no clean ending).
    public var endsMidSession = false

    public init(name: String, file: String, description: String, link: CaptureLink = .ethernet,
                profile: ClientProfile, phases: [Phase], endsMidSession: Bool = false) {
        self.name = name
        self.file = file
        self.description = description
        self.link = link
        self.profile = profile
        self.phases = phases
        self.endsMidSession = endsMidSession
    }

    public var totalSeconds: Double { phases.reduce(0) { $0 + $1.seconds } }
    public var isPcapng: Bool { file.hasSuffix(".pcapng") }
}
