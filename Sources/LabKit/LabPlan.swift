import PacketCrafting

/// What one lab server does on its address.
public enum LabRole: String, Sendable, Codable {
    /// Telegram data centre: MTProto obfuscated2 on TCP 443, 80 and 5222.
    case mtproto
    /// WhatsApp chat edge: the `ED` preface and Noise frames on TCP 5222 and 443.
    case whatsappChat = "whatsapp-chat"
    /// A call relay: STUN on UDP 3478.
    case stun
    /// A long-lived TLS-shaped session (ClientHello → ServerHello, then records): the lab's own server.
    case tlsSession = "tls-session"
    /// A real TLS web/CDN server (nginx, self-signed) on TCP 443 (and HTTP on 80).
    case web
    /// `web` plus QUIC v1 on UDP 443 (the lab's own server answers Initials).
    case webQUIC = "web-quic"
    /// The upstream recursive resolver "on the Internet".
    case resolver
}

/// Where a server sits: abroad ("the Internet") or inside the country.
public enum LabRegion: String, Sendable, Codable {
    case international
    case domestic
}

/// One server of the lab: its lab addresses, the real public addresses the offline rewrite puts in
/// their place, the DNS names that resolve to it and what it serves.
public struct LabHost: Sendable {
    public var id: String
    public var service: String
    public var role: LabRole
    public var region: LabRegion
    public var names: [String]
    public var labV4: HostAddress
    public var realV4: HostAddress
    public var labV6: HostAddress?
    public var realV6: HostAddress?

    public init(_ id: String, service: String, role: LabRole, region: LabRegion = .international, names: [String],
                index: Int, real: HostAddress, real6: HostAddress? = nil) {
        self.id = id
        self.service = service
        self.role = role
        self.region = region
        self.names = names
        let base: UInt32 = region == .international ? 0x0AD5_4000 : 0x0AD5_5000   // 10.213.64.0 / 10.213.80.0
        labV4 = .v4(base + UInt32(index))
        realV4 = real
        if let real6 {
            // fd00:213:0:40::/64 abroad, fd00:213:0:50::/64 at home.
            let subnet: UInt64 = region == .international ? 0x40 : 0x50
            labV6 = .v6(high: 0xFD00_0213_0000_0000 | subnet, low: UInt64(index))
            realV6 = real6
        }
    }

    public var labAddresses: [HostAddress] { [labV4] + (labV6.map { [$0] } ?? []) }
}

/// The lab's address plan: namespaces, links, servers and the rewrite to real addresses. One
/// source for the setup scripts (through `lab-traffic plan`), the servers, the client, the
/// censor, the rewrite and the truth files.
public enum LabPlan {
    public static let clientNamespace = "bwlab-client"
    public static let ispNamespace = "bwlab-isp"
    public static let internetNamespace = "bwlab-inet"
    public static let domesticNamespace = "bwlab-dom"
    public static let namespaces = [clientNamespace, ispNamespace, internetNamespace, domesticNamespace]

    // Links: client–ISP 10.213.1.0/24, ISP–Internet 10.213.2.0/30, ISP–domestic 10.213.3.0/30.
    public static let clientV4: HostAddress = "10.213.1.2"
    public static let ispLanV4: HostAddress = "10.213.1.1"
    public static let clientV6: HostAddress = "fd00:213:0:1::2"
    public static let ispLanV6: HostAddress = "fd00:213:0:1::1"
    /// The ISP's resolver: on the router, at its LAN address (what the client's resolv.conf names).
    public static let ispResolverV4 = ispLanV4
    public static let ispResolverV6 = ispLanV6
    /// A lab address nothing answers on (routed to a blackhole at the ISP): the "bogus" DNS answer.
    public static let sinkholeV4: HostAddress = "10.213.99.99"
    public static let sinkholeV6: HostAddress = "fd00:213:0:99::99"
    /// What the sinkhole looks like after the rewrite: a private-range answer, as censors' DNS
    /// injections often give (OONI's fingerprints list 10.10.34.34/35 for Iran).
    public static let sinkholeRealV4: HostAddress = "10.10.34.34"
    public static let sinkholeRealV6: HostAddress = "fd00:10:10:34::34"

    /// Kazakhtelecom (AS9198) prefixes the domestic servers' real addresses are taken from; what a
    /// user would give BlockWatch as DOMESTIC.
    public static let domesticPrefixes = ["95.56.0.0/14", "2.132.0.0/14"]

    public static let hosts: [LabHost] = [
        // Telegram: data centres as the apps dial them (OONI's list), and the web client.
        LabHost("tg-dc1", service: "telegram", role: .mtproto, names: [], index: 11,
                real: "149.154.175.50", real6: "2001:b28:f23d:f001::a"),
        LabHost("tg-dc2", service: "telegram", role: .mtproto, names: [], index: 12,
                real: "149.154.167.51", real6: "2001:67c:4e8:f002::a"),
        LabHost("tg-dc3", service: "telegram", role: .mtproto, names: [], index: 13,
                real: "149.154.175.100", real6: "2001:b28:f23d:f003::a"),
        LabHost("tg-dc4", service: "telegram", role: .mtproto, names: [], index: 14,
                real: "149.154.167.91", real6: "2001:67c:4e8:f004::a"),
        LabHost("tg-dc5", service: "telegram", role: .mtproto, names: [], index: 15,
                real: "91.108.56.130", real6: "2001:b28:f23f:f005::a"),
        LabHost("tg-web", service: "telegram", role: .web, names: ["web.telegram.org", "telegram.org"], index: 16,
                real: "149.154.167.99", real6: "2001:67c:4e8:f004::9"),
        LabHost("tg-api", service: "telegram", role: .tlsSession, names: ["api.telegram.org"], index: 17,
                real: "149.154.167.220", real6: "2001:67c:4e8:f004::220"),
        // WhatsApp (Meta): chat edges, web, media, a call relay.
        LabHost("wa-chat1", service: "whatsapp", role: .whatsappChat,
                names: ["g.whatsapp.net", "e1.whatsapp.net", "e2.whatsapp.net"], index: 21,
                real: "157.240.9.53", real6: "2a03:2880:f20c:1:face:b00c:0:167"),
        LabHost("wa-chat2", service: "whatsapp", role: .whatsappChat,
                names: ["e3.whatsapp.net", "e4.whatsapp.net", "e5.whatsapp.net"], index: 22,
                real: "157.240.205.53", real6: "2a03:2880:f21a:e5:face:b00c:0:167"),
        LabHost("wa-web", service: "whatsapp", role: .web, names: ["web.whatsapp.com"], index: 23,
                real: "157.240.205.60", real6: "2a03:2880:f21a:e5:face:b00c:0:4420"),
        LabHost("wa-media", service: "whatsapp", role: .web, names: ["mmg.whatsapp.net", "media.fala1-1.fna.whatsapp.net"],
                index: 24, real: "157.240.9.60", real6: "2a03:2880:f20c:1:face:b00c:0:3"),
        LabHost("wa-relay", service: "whatsapp", role: .stun, names: [], index: 25,
                real: "157.240.9.62", real6: "2a03:2880:f20c:1:face:b00c:0:3e"),
        // Signal: on AWS (Global Accelerator for chat, CloudFront for the CDN).
        LabHost("sig-chat1", service: "signal", role: .tlsSession, names: ["chat.signal.org"], index: 31,
                real: "76.223.92.165"),
        LabHost("sig-chat2", service: "signal", role: .tlsSession, names: ["chat.signal.org"], index: 32,
                real: "13.248.212.111"),
        LabHost("sig-cdn", service: "signal", role: .web, names: ["cdn.signal.org", "cdn2.signal.org"], index: 33,
                real: "13.35.93.12", real6: "2600:9000:2156:ae00:1d:4f3a:7bc0:93a1"),
        // Control: Google, Android's connectivity check, Wikipedia.
        LabHost("g-www", service: "google", role: .webQUIC, names: ["www.google.com"], index: 41,
                real: "142.250.74.36", real6: "2a00:1450:4001:82f::2004"),
        LabHost("g-check", service: "google", role: .web, names: ["connectivitycheck.gstatic.com"], index: 42,
                real: "142.250.74.99", real6: "2a00:1450:4001:830::2003"),
        LabHost("wiki-text", service: "wikipedia", role: .web, names: ["www.wikipedia.org", "en.wikipedia.org"], index: 43,
                real: "91.198.174.192", real6: "2620:0:862:ed1a::1"),
        LabHost("wiki-upload", service: "wikipedia", role: .web, names: ["upload.wikimedia.org"], index: 44,
                real: "91.198.174.208", real6: "2620:0:862:ed1a::2:b"),
        // YouTube (QUIC first, TCP fallback) and Twitter (throttled in 2021 by SNI).
        LabHost("yt-www", service: "youtube", role: .webQUIC, names: ["www.youtube.com"], index: 51,
                real: "142.250.186.78", real6: "2a00:1450:4001:82b::200e"),
        LabHost("yt-video", service: "youtube", role: .webQUIC, names: ["rr3---sn-4g5e6nsz.googlevideo.com"], index: 52,
                real: "173.194.182.104", real6: "2a00:1450:4001:6::8"),
        LabHost("tw-www", service: "twitter", role: .web, names: ["twitter.com", "api.twitter.com"], index: 61,
                real: "104.244.42.65", real6: "2606:1f80:f000::41"),
        LabHost("tw-video", service: "twitter", role: .web, names: ["video.twimg.com", "pbs.twimg.com"], index: 62,
                real: "104.244.42.200", real6: "2606:1f80:f000::c8"),
        // The upstream resolver abroad (the ISP's resolver forwards to it).
        LabHost("resolver", service: "dns", role: .resolver, names: [], index: 53,
                real: "8.8.8.8", real6: "2001:4860:4860::8888"),
        // Domestic (in-country) sites and their authoritative resolver.
        LabHost("kz-news", service: "domestic", role: .web, region: .domestic, names: ["www.nur.kz"], index: 10,
                real: "95.56.240.10"),
        LabHost("kz-bank", service: "domestic", role: .web, region: .domestic, names: ["kaspi.kz"], index: 11,
                real: "95.56.240.20"),
        LabHost("kz-gov", service: "domestic", role: .web, region: .domestic, names: ["www.egov.kz"], index: 12,
                real: "2.134.50.30"),
        LabHost("kz-dns", service: "dns", role: .resolver, region: .domestic, names: [], index: 53,
                real: "2.134.50.53"),
    ]

    public static func host(_ id: String) -> LabHost {
        guard let host = hosts.first(where: { $0.id == id }) else { preconditionFailure("no lab host \(id)") }
        return host
    }

    public static func hosts(service: String) -> [LabHost] { hosts.filter { $0.service == service } }

    /// The host a lab address belongs to.
    public static func host(labAddress: HostAddress) -> LabHost? {
        hosts.first { $0.labV4 == labAddress || $0.labV6 == labAddress }
    }

    /// The service a DNS name belongs to (by the hosts that carry it).
    public static func service(ofName name: String) -> String? {
        let lower = name.lowercased()
        return hosts.first { $0.names.contains(lower) }?.service
    }

    /// Lab address → real address, for every server and the sinkhole.
    public static var rewriteMap: [HostAddress: HostAddress] {
        var map: [HostAddress: HostAddress] = [sinkholeV4: sinkholeRealV4, sinkholeV6: sinkholeRealV6]
        for host in hosts {
            map[host.labV4] = host.realV4
            if let lab = host.labV6, let real = host.realV6 { map[lab] = real }
        }
        return map
    }

    /// Every service the lab's client talks to (excluding DNS infrastructure).
    public static var services: [String] {
        var seen: [String] = []
        for host in hosts where host.service != "dns" && !seen.contains(host.service) { seen.append(host.service) }
        return seen
    }

    /// The group of each service as BlockWatch names them: CONTROL, DOMESTIC or a service group.
    public static func group(of service: String) -> String {
        switch service {
        case "google", "wikipedia": "control"
        case "domestic": "domestic"
        default: "service"
        }
    }
}
