import PacketCrafting

/// Turns a phase's network state and censor actions into what the ISP router runs: iptables and
/// ip6tables rule sets (for iptables-restore), the ISP resolver's dnsmasq configuration and the
/// injector's triggers.
public struct CensorRules {
    public static let lanInterface = "lan0"
    public static let internetInterface = "wan0"
    public static let domesticInterface = "dom0"
    /// Connection mark of flows the throttler polices.
    static let throttleMark = "0x77"

    public var network: NetworkState
    public var actions: [CensorAction]

    public init(network: NetworkState, actions: [CensorAction]) {
        self.network = network
        self.actions = actions
    }

    func addresses(_ service: String, ipv6: Bool) -> [String] {
        LabPlan.hosts(service: service).compactMap { host in ipv6 ? host.labV6?.description : host.labV4.description }
    }

    /// The filter table for iptables-restore (`ipv6` for ip6tables-restore). Only the filter table
    /// is replaced: the mangle table holds the link delays.
    public func filterTable(ipv6: Bool) -> String {
        var lines = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
        let lan = CensorRules.lanInterface
        let wan = CensorRules.internetInterface
        switch network {
        case .ok:
            break
        case .cutoff:
            // Everything forwarded is dropped and the ISP's resolver goes silent.
            lines.append("-A FORWARD -j DROP")
            lines.append("-A INPUT -i \(lan) -p udp --dport 53 -j DROP")
            lines.append("-A INPUT -i \(lan) -p tcp --dport 53 -j DROP")
        case .internationalCutoff:
            // The border is closed: nothing crosses to or from abroad, the resolver included.
            lines.append("-A FORWARD -o \(wan) -j DROP")
            lines.append("-A FORWARD -i \(wan) -j DROP")
            lines.append("-A OUTPUT -o \(wan) -j DROP")
        }
        for action in actions {
            switch action {
            case .blackhole(let service, let ids):
                let hosts = LabPlan.hosts(service: service).filter { ids == nil || ids!.contains($0.id) }
                for host in hosts {
                    guard let address = ipv6 ? host.labV6 : host.labV4 else { continue }
                    lines.append("-A FORWARD -d \(address) -j DROP")
                    lines.append("-A FORWARD -s \(address) -j DROP")
                }
            case .sniDrop(let service, let names):
                for address in addresses(service, ipv6: ipv6) {
                    for name in names {
                        lines.append("-A FORWARD -i \(lan) -d \(address) -p tcp --dport 443 -m string --algo bm --string \"\(name)\" -j DROP")
                    }
                }
            case .payloadDrop(let service):
                for address in addresses(service, ipv6: ipv6) {
                    lines.append("-A FORWARD -i \(lan) -d \(address) -p tcp -m multiport --dports 443,5222 -m string --algo bm --hex-string \"|45440001|\" -j DROP")
                }
            case .rstInjection:
                break   // the injector's job (see `triggers`)
            case .icmpProhibited(let service):
                let reject = ipv6 ? "icmp6-adm-prohibited" : "icmp-admin-prohibited"
                for address in addresses(service, ipv6: ipv6) {
                    lines.append("-A FORWARD -i \(lan) -d \(address) -j REJECT --reject-with \(reject)")
                }
            case .dnsNXDOMAIN, .dnsBogus:
                break   // the resolver's job (see `resolverConfiguration`)
            case .quicDrop(let service):
                for address in addresses(service, ipv6: ipv6) {
                    lines.append("-A FORWARD -i \(lan) -d \(address) -p udp --dport 443 -j DROP")
                }
            case .throttle(let service, let names, let kbit):
                // Russia 2021: the SNI marks the connection; its packets both ways are policed
                // per flow at the rate, excess dropped.
                let bytesPerSecond = kbit * 1000 / 8
                for address in addresses(service, ipv6: ipv6) {
                    for name in names {
                        lines.append("-A FORWARD -i \(lan) -d \(address) -p tcp --dport 443 -m string --algo bm --string \"\(name)\" -j CONNMARK --set-mark \(CensorRules.throttleMark)")
                    }
                }
                lines.append("-A FORWARD -m connmark --mark \(CensorRules.throttleMark) -m hashlimit --hashlimit-name police\(ipv6 ? "6" : "4") --hashlimit-mode srcip,dstip,srcport,dstport --hashlimit-above \(bytesPerSecond)b/s --hashlimit-burst \(bytesPerSecond * 5 / 4)b -j DROP")
            }
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The injector's triggers, or nil when no action asks for injection.
    public var triggers: InjectionTriggers? {
        var names: [String] = []
        var mtproto = false
        var whatsApp = false
        var any = false
        for case .rstInjection(_, let serverNames, let mt, let wa) in actions {
            any = true
            names += serverNames
            mtproto = mtproto || mt
            whatsApp = whatsApp || wa
        }
        return any ? InjectionTriggers(serverNames: names, mtproto: mtproto, whatsApp: whatsApp) : nil
    }

    /// The ISP resolver's dnsmasq configuration for this phase.
    public func resolverConfiguration(runDirectory: String) -> String {
        var lines = [
            "# The ISP's resolver (generated by lab-traffic for one phase).",
            "no-resolv", "no-hosts", "bind-interfaces",
            "listen-address=\(LabPlan.ispResolverV4)", "listen-address=\(LabPlan.ispResolverV6)",
            "cache-size=0", "user=root",
            "server=\(LabPlan.host("resolver").labV4)",
            "server=/kz/\(LabPlan.host("kz-dns").labV4)",
            "pid-file=\(runDirectory)/dnsmasq-isp.pid",
            "log-queries", "log-facility=\(runDirectory)/dnsmasq-isp.log",
        ]
        for action in actions {
            switch action {
            case .dnsNXDOMAIN(_, let domains):
                for domain in domains { lines.append("address=/\(domain)/") }
            case .dnsBogus(_, let domains, let loopback):
                for domain in domains {
                    lines.append("address=/\(domain)/\(loopback ? "127.0.0.1" : LabPlan.sinkholeV4.description)")
                    lines.append("address=/\(domain)/\(loopback ? "::1" : LabPlan.sinkholeV6.description)")
                }
            default:
                break
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Configuration files of the static part of the lab (written once by `lab-traffic plan`).
public enum LabConfigFiles {
    /// dnsmasq for the upstream resolver abroad (authoritative-looking answers for every foreign
    /// name) or the domestic one (the .kz names).
    public static func resolver(region: LabRegion, runDirectory: String) -> String {
        let resolverHost = LabPlan.host(region == .international ? "resolver" : "kz-dns")
        var lines = ["no-resolv", "no-hosts", "bind-interfaces", "user=root", "local-ttl=60",
                     "listen-address=\(resolverHost.labV4)"]
        if let v6 = resolverHost.labV6 { lines.append("listen-address=\(v6)") }
        lines.append("pid-file=\(runDirectory)/dnsmasq-\(region.rawValue).pid")
        lines.append("log-facility=\(runDirectory)/dnsmasq-\(region.rawValue).log")
        var seen = Set<String>()
        var domains = Set<String>()
        for host in LabPlan.hosts where host.region == region {
            for name in host.names {
                let parts = name.split(separator: ".")
                domains.insert(parts.suffix(2).joined(separator: "."))
                // One host-record per name and host carrying it (dnsmasq takes one address of a
                // family per record, and answers with all records of a name).
                guard seen.insert(name).inserted else { continue }
                for carrier in LabPlan.hosts where carrier.names.contains(name) {
                    lines.append("host-record=\(name),\(carrier.labV4)" + (carrier.labV6.map { ",\($0)" } ?? ""))
                }
            }
        }
        // Names under these domains that no host carries are NXDOMAIN, like a real zone's.
        for domain in domains.sorted() { lines.append("local=/\(domain)/") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// nginx serving every `web`/`web-quic` host of `region` over real TLS (self-signed) on 443
    /// and HTTP on 80: a small page at /, 204 at /generate_204, bulk files under /media/.
    public static func nginx(region: LabRegion, runDirectory: String) -> String {
        var listens: [String] = []
        for host in LabPlan.hosts where host.region == region && (host.role == .web || host.role == .webQUIC) {
            listens.append("        listen \(host.labV4):443 ssl;")
            listens.append("        listen \(host.labV4):80;")
            if let v6 = host.labV6 {
                listens.append("        listen [\(v6)]:443 ssl;")
                listens.append("        listen [\(v6)]:80;")
            }
        }
        let prefix = "\(runDirectory)/nginx-\(region.rawValue)"
        return """
        worker_processes 1;
        daemon on;
        pid \(prefix).pid;
        error_log \(prefix)-error.log warn;
        events { worker_connections 512; }
        http {
            access_log off;
            client_body_temp_path \(prefix)-tmp/body;
            proxy_temp_path \(prefix)-tmp/proxy;
            fastcgi_temp_path \(prefix)-tmp/fastcgi;
            uwsgi_temp_path \(prefix)-tmp/uwsgi;
            scgi_temp_path \(prefix)-tmp/scgi;
            sendfile on;
            keepalive_timeout 15;
            default_type application/octet-stream;
            ssl_certificate \(runDirectory)/tls/lab.crt;
            ssl_certificate_key \(runDirectory)/tls/lab.key;
            ssl_protocols TLSv1.2 TLSv1.3;
            server {
        \(listens.joined(separator: "\n"))
                server_name _;
                root \(runDirectory)/www;
                location = /generate_204 { return 204; }
                location /media/ { try_files $uri =404; }
                location / { try_files $uri /index.html; }
            }
        }

        """
    }
}
