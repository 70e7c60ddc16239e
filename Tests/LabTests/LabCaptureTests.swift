import Foundation
import LabKit
import Testing

/// The recorded lab captures (captures/lab/, or $BLOCKWATCH_LAB_CAPTURES) checked against their
/// truth files with tshark: what each truth file claims — the SNIs, the resets, the ICMP errors,
/// the DNS answers, the policing, the silence of a cutoff — is really in the packets.
enum LabCaptures {
    static var directory: String {
        if let override = ProcessInfo.processInfo.environment["BLOCKWATCH_LAB_CAPTURES"], !override.isEmpty { return override }
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("captures/lab").path
    }

    static var truthFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".truth.json") }.sorted()
    }
}

/// One capture with its truth, dissected once.
struct CheckedCapture {
    let truth: TruthFile
    let path: String
    let packets: [TsharkPacket]
    /// Real (rewritten) address → service, from the truth's host list.
    let serviceOf: [String: String]
    let regionOf: [String: String]
    let clients: Set<String>
    let local: Set<String>

    init(truthFile: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: LabCaptures.directory + "/" + truthFile))
        truth = try JSONDecoder().decode(TruthFile.self, from: data)
        path = LabCaptures.directory + "/" + truth.capture.file
        packets = try Tshark.packets(path)
        var services: [String: String] = [:]
        var regions: [String: String] = [:]
        for host in truth.hosts {
            for address in host.addresses {
                services[CheckedCapture.normal(address)] = host.service
                regions[CheckedCapture.normal(address)] = host.region
            }
        }
        serviceOf = services
        regionOf = regions
        clients = Set(truth.vantage.client.map(CheckedCapture.normal))
        local = clients.union(truth.vantage.gateway.map(CheckedCapture.normal)).union(truth.vantage.resolver.map(CheckedCapture.normal))
    }

    /// IPv6 text as tshark prints it (it compresses like RFC 5952; so does the truth): lower-case.
    static func normal(_ address: String) -> String { address.lowercased() }

    func addresses(of service: String) -> Set<String> {
        Set(truth.hosts.filter { $0.service == service }.flatMap(\.addresses).map(CheckedCapture.normal))
    }

    /// Packets of a phase, less `grace` at its start (packets in flight when the rules changed)
    /// and a little at its end (the injector and resolver switch just before the boundary).
    func packets(in phase: TruthPhase, grace: Double = 1.0) -> [TsharkPacket] {
        packets.filter { $0.time >= phase.start + grace && $0.time <= phase.end - 0.2 }
    }

    func fromClient(_ packet: TsharkPacket) -> Bool { clients.contains(packet.source) }
}

@Suite("Recorded lab captures match their truth files", .serialized)
struct LabCaptureTests {
    @Test("the captures directory has truth files beside captures")
    func capturesPresent() throws {
        let files = LabCaptures.truthFiles
        let names = (try? FileManager.default.contentsOfDirectory(atPath: LabCaptures.directory)) ?? []
        let captures = names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        // Every capture has its truth file (none at all is allowed: a tree without recordings).
        for capture in captures {
            let base = capture.replacingOccurrences(of: ".pcapng", with: "").replacingOccurrences(of: ".pcap", with: "")
            #expect(files.contains(base + ".truth.json"), "\(capture) has no truth file beside it")
        }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: LabCaptures.directory + "/" + file))
            let truth = try JSONDecoder().decode(TruthFile.self, from: data)
            #expect(truth.schema == "blockwatch.truth/1")
            #expect(FileManager.default.fileExists(atPath: LabCaptures.directory + "/" + truth.capture.file), "\(file) names a missing capture")
        }
    }

    @Test("each capture matches its truth file", arguments: LabCaptures.truthFiles)
    func capture(_ truthFile: String) throws {
        let capture = try CheckedCapture(truthFile: truthFile)
        try checkFile(capture)
        checkRewrite(capture)
        checkFlows(capture)
        for phase in capture.truth.phases { checkPhase(capture, phase) }
    }

    // MARK: the file

    func checkFile(_ capture: CheckedCapture) throws {
        let truth = capture.truth
        let size = (try FileManager.default.attributesOfItem(atPath: capture.path)[.size] as? Int) ?? 0
        #expect(size <= 5_000_000, "\(truth.capture.file) is \(size) bytes, over 5 MB")
        #expect(capture.packets.count == truth.capture.packets, "tshark counts \(capture.packets.count) packets, the truth \(truth.capture.packets)")
        let info = try Tshark.fileInfo(capture.path)
        if truth.capture.format == "pcapng" {
            #expect(info.type == "pcapng", "\(truth.capture.file) is \(info.type), not pcapng")
        } else {
            #expect(info.type.hasSuffix("pcap") && info.type != "pcapng", "\(truth.capture.file) is \(info.type), not pcap")
        }
        if truth.capture.link_type == "LINUX_SLL2" {
            #expect(info.encapsulation.contains("sll2"), "\(truth.capture.file) encapsulation \(info.encapsulation)")
        } else {
            #expect(info.encapsulation == "ether", "\(truth.capture.file) encapsulation \(info.encapsulation)")
        }
        guard let first = capture.packets.first, let last = capture.packets.last else {
            Issue.record("\(truth.capture.file) has no packets")
            return
        }
        #expect(abs(first.time - truth.capture.first_packet) < 0.001)
        #expect(abs(last.time - truth.capture.last_packet) < 0.001)
        // Phases: in order, back to back, inside the capture.
        for (index, phase) in truth.phases.enumerated() {
            #expect(phase.start < phase.end, "phase \(phase.name) is empty")
            if index > 0 { #expect(abs(truth.phases[index - 1].end - phase.start) < 0.001, "phase \(phase.name) does not follow its predecessor") }
        }
        if let firstPhase = truth.phases.first, let lastPhase = truth.phases.last {
            // The capture runs before the first phase; its first packet comes once the apps start
            // (staggered over two seconds).
            #expect(first.time <= firstPhase.start + 3, "the capture starts after the first phase")
            #expect(last.time >= lastPhase.end - 2, "the capture ends long before the last phase")
            if truth.capture.ends_mid_session {
                // Cut short: at least one TCP connection is still open (no FIN, no RST) at the end.
                var open: [Int: Bool] = [:]
                for packet in capture.packets where packet.isTCP {
                    guard let stream = packet.tcpStream else { continue }
                    if packet.isFIN || packet.isRST { open[stream] = false } else if open[stream] == nil { open[stream] = true }
                }
                let stillOpen = open.values.filter { $0 }.count
                #expect(stillOpen >= 3, "a capture that ends mid-session should leave connections open; \(stillOpen) are")
                #expect(lastPhase.end - last.time < 1.5, "the capture should end with the last phase")
            }
        }
    }

    // MARK: the rewrite

    func checkRewrite(_ capture: CheckedCapture) {
        let bad = capture.packets.filter { !$0.badChecksums.isEmpty }
        #expect(bad.isEmpty, "\(bad.count) packets with bad checksums, e.g. #\(bad.first?.number ?? 0) \(bad.first?.badChecksums ?? [])")
        // No lab server address survives: not in headers, not in ICMP quotes, not in DNS answers.
        let leaked = capture.packets.filter { packet in
            (packet.sources + packet.destinations + packet.dnsAddresses).contains { address in
                address.hasPrefix("10.213.64.") || address.hasPrefix("10.213.80.") || address.hasPrefix("10.213.99.")
                    || address.hasPrefix("fd00:213:0:40:") || address.hasPrefix("fd00:213:0:50:") || address.hasPrefix("fd00:213:0:99:")
            }
        }
        #expect(leaked.isEmpty, "\(leaked.count) packets still carry lab server addresses, e.g. #\(leaked.first?.number ?? 0)")
        // DNS answers name the same real addresses the connections go to.
        let answered = Set(capture.packets.flatMap(\.dnsAddresses))
        let bogus = Set(capture.truth.vantage.bogus_dns_answers)
        for address in answered where !bogus.contains(address) {
            #expect(capture.serviceOf[CheckedCapture.normal(address)] != nil, "DNS answer \(address) is no lab host's real address")
        }
    }

    // MARK: the flows

    func checkFlows(_ capture: CheckedCapture) {
        struct Tuple: Hashable {
            var proto: String
            var client: String
            var clientPort: Int
            var server: String
            var serverPort: Int
        }
        var seen = Set<Tuple>()
        for packet in capture.packets where packet.isTCP || packet.isUDP {
            let sourcePort = packet.tcpSourcePort ?? packet.udpSourcePort ?? 0
            let destinationPort = packet.tcpDestinationPort ?? packet.udpDestinationPort ?? 0
            let proto = packet.isTCP ? "tcp" : "udp"
            if capture.fromClient(packet) {
                seen.insert(Tuple(proto: proto, client: packet.source, clientPort: sourcePort, server: packet.destination, serverPort: destinationPort))
            } else {
                seen.insert(Tuple(proto: proto, client: packet.destination, clientPort: destinationPort, server: packet.source, serverPort: sourcePort))
            }
        }
        let claimed = Set(capture.truth.flows.map {
            Tuple(proto: $0.proto, client: CheckedCapture.normal($0.client), clientPort: $0.client_port,
                  server: CheckedCapture.normal($0.server), serverPort: $0.server_port)
        })
        #expect(claimed == seen, "truth flows and capture flows differ: \(claimed.subtracting(seen).count) only in the truth, \(seen.subtracting(claimed).count) only in the capture")
        for flow in capture.truth.flows {
            if let service = capture.serviceOf[CheckedCapture.normal(flow.server)] {
                #expect(flow.service == service || flow.kind == "dns", "flow to \(flow.server) is \(flow.service), the host is \(service)")
            }
            #expect(flow.service != "unknown", "flow \(flow.proto) \(flow.server):\(flow.server_port) has no service")
        }
    }

    // MARK: the phases

    func checkPhase(_ capture: CheckedCapture, _ phase: TruthPhase) {
        let inPhase = capture.packets(in: phase)
        let label = "\(capture.truth.scenario) / \(phase.name)"
        if phase.activity == "idle" {
            // The phone is idle: no new connections, no lookups. An attempt already under way when
            // the phase began may still retry (a connect times out after 8 s): allow for that.
            let starts = inPhase.filter { $0.time >= phase.start + 8 && capture.fromClient($0) && !$0.retransmission
                && ($0.isSYN || $0.dnsResponse == false) }
            #expect(starts.isEmpty, "\(label): \(starts.count) new connections or lookups while idle")
            return
        }
        switch phase.network {
        case "cutoff":
            // (ARP and neighbour discovery with the router are link housekeeping, not answers.)
            let answers = inPhase.filter { !$0.sources.isEmpty && !capture.fromClient($0) && !($0.icmp6Type.map { $0 >= 133 && $0 <= 137 } ?? false) }
            #expect(answers.isEmpty, "\(label): \(answers.count) packets reached the client during a total cutoff, e.g. #\(answers.first?.number ?? 0) from \(answers.first?.source ?? "")")
            let tries = inPhase.filter { capture.fromClient($0) && ($0.isSYN || $0.dnsResponse == false || !$0.quicPacketTypes.isEmpty) }
            #expect(tries.count >= 5, "\(label): the client should keep trying; \(tries.count) attempts")
        case "international-cutoff":
            let foreign = inPhase.filter { !capture.fromClient($0) && capture.regionOf[$0.source] == "international" }
            #expect(foreign.isEmpty, "\(label): \(foreign.count) packets from abroad during an international cutoff")
            let domestic = inPhase.filter { capture.regionOf[$0.source] == "domestic" && $0.tcpLength > 0 }
            #expect(!domestic.isEmpty, "\(label): domestic servers should still answer")
            let kzAnswers = inPhase.filter { $0.dnsResponse == true && $0.dnsRcode == 0 && $0.dnsNames.contains { $0.hasSuffix(".kz") || $0 == "kaspi.kz" } && !$0.dnsAddresses.isEmpty }
            #expect(!kzAnswers.isEmpty, "\(label): domestic names should still resolve")
            let tries = inPhase.filter { capture.fromClient($0) && $0.isSYN && capture.regionOf[$0.destination] == "international" }
            #expect(tries.count >= 5, "\(label): the client should keep trying abroad; \(tries.count) SYNs")
        default:
            break
        }
        for (service, state) in phase.services {
            let addresses = capture.addresses(of: service)
            if state.state == "ok" && phase.end - phase.start >= 20 {
                let answered = inPhase.contains { addresses.contains($0.source) && ($0.tcpLength > 0 || $0.isUDP) }
                #expect(answered, "\(label): \(service) is ok but none of its servers sent data")
            }
            if state.mechanism == "none" { continue }
            let rules = phase.rules.filter { $0.service == service }
            switch state.mechanism {
            case "ip-blackhole": checkBlackhole(capture, phase, service, label)
            case "sni-filtering": checkSNI(capture, phase, service, rules, label)
            case "rst-injection": checkInjection(capture, phase, service, label)
            case "icmp-prohibited": checkICMP(capture, phase, service, label)
            case "dns-tampering": checkDNS(capture, phase, service, rules, label)
            case "quic-blocking": checkQUIC(capture, phase, service, label)
            case "throttling": checkThrottling(capture, phase, service, rules, label)
            default: Issue.record("\(label): unknown mechanism \(state.mechanism)")
            }
            if state.state == "partially-blocked", service == "telegram" {
                // MTProto to the DCs carries no SNI and needs no DNS: it keeps working.
                let mtproto = inPhase.contains { addresses.contains($0.source) && $0.tcpLength > 0 && $0.tcpSourcePort != 443 || (addresses.contains($0.source) && $0.tcpLength > 0 && $0.handshakeTypes.isEmpty) }
                #expect(mtproto, "\(label): Telegram's MTProto should still work")
            }
        }
    }

    func checkBlackhole(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ label: String) {
        let addresses = capture.addresses(of: service)
        let inPhase = capture.packets(in: phase)
        let syns = inPhase.filter { capture.fromClient($0) && $0.isSYN && addresses.contains($0.destination) }
        #expect(!syns.isEmpty, "\(label): no SYNs to \(service) while it is blackholed")
        let replies = inPhase.filter { addresses.contains($0.source) }
        #expect(replies.isEmpty, "\(label): \(replies.count) packets from blackholed \(service), e.g. #\(replies.first?.number ?? 0)")
    }

    func checkSNI(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ rules: [TruthRule], _ label: String) {
        let addresses = capture.addresses(of: service)
        let names = Set(rules.flatMap { $0.names ?? [] })
        let inPhase = capture.packets(in: phase)
        let hellos = inPhase.filter { capture.fromClient($0) && $0.handshakeTypes.contains(1) && addresses.contains($0.destination)
            && $0.serverNames.contains { names.contains($0) } }
        #expect(!hellos.isEmpty, "\(label): no ClientHello naming \(names.sorted()) sent while \(service) is filtered")
        // The handshake completed but the ClientHello got no answer in its stream.
        for hello in hellos {
            let answered = capture.packets.contains { $0.tcpStream == hello.tcpStream && $0.time > hello.time && $0.time <= phase.end && !capture.fromClient($0) && $0.tcpLength > 0 }
            #expect(!answered, "\(label): the ClientHello in frame \(hello.number) (\(hello.serverNames)) was answered")
            let handshake = capture.packets.contains { $0.tcpStream == hello.tcpStream && $0.isSYNACK }
            #expect(handshake, "\(label): frame \(hello.number) has no TCP handshake before it (that would be IP blocking)")
        }
        // Contrast: other names on other services work in the same phase (CONTROL healthy).
        let control = inPhase.contains { $0.handshakeTypes.contains(2) && !addresses.contains($0.source) }
        #expect(control, "\(label): no other TLS server answered during the phase")
    }

    func checkInjection(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ label: String) {
        let addresses = capture.addresses(of: service)
        let inPhase = capture.packets(in: phase)
        let resets = inPhase.filter { addresses.contains($0.source) && $0.isRST }
        #expect(!resets.isEmpty, "\(label): no resets from \(service)'s addresses")
        // The server's own TTL as seen at the client (from SYN-ACKs anywhere in the capture).
        let serverTTLs = Set(capture.packets.filter { addresses.contains($0.source) && $0.isSYNACK }.compactMap(\.ttl))
        var forged = 0
        for reset in resets {
            guard let ttl = reset.ttl, !serverTTLs.contains(ttl) else { continue }
            // It follows the client's first data in the same connection.
            let trigger = capture.packets.last { $0.tcpStream == reset.tcpStream && capture.fromClient($0) && $0.tcpLength > 0 && $0.time <= reset.time }
            if trigger != nil { forged += 1 }
        }
        #expect(forged > 0, "\(label): no reset with a TTL unlike the server's (\(serverTTLs.sorted())) after client data")
    }

    func checkICMP(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ label: String) {
        let addresses = capture.addresses(of: service)
        let inPhase = capture.packets(in: phase)
        let prohibited = inPhase.filter { packet in
            let v4 = packet.icmpType == 3 && packet.icmpCode == 13
            let v6 = packet.icmp6Type == 1 && packet.icmp6Code == 1
            // The quoted packet's destination (the second occurrence) is the service.
            return (v4 || v6) && packet.destinations.dropFirst().contains { addresses.contains($0) }
        }
        #expect(!prohibited.isEmpty, "\(label): no ICMP administratively-prohibited quoting \(service)")
        let gateways = Set(capture.truth.vantage.gateway.map(CheckedCapture.normal))
        #expect(prohibited.allSatisfy { gateways.contains($0.source) }, "\(label): the ICMP errors should come from the ISP router")
        let replies = inPhase.filter { addresses.contains($0.source) }
        #expect(replies.isEmpty, "\(label): \(replies.count) packets from \(service) despite the rejection")
    }

    func checkDNS(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ rules: [TruthRule], _ label: String) {
        let inPhase = capture.packets(in: phase)
        for rule in rules {
            let domains = rule.names ?? []
            let responses = inPhase.filter { packet in
                packet.dnsResponse == true && packet.dnsNames.contains { name in domains.contains { name == $0 || name.hasSuffix("." + $0) } }
            }
            #expect(!responses.isEmpty, "\(label): no DNS answers for \(domains)")
            let real = capture.addresses(of: service)
            for response in responses {
                if let bogus = rule.addresses {
                    #expect(response.dnsRcode == 0 && !response.dnsAddresses.isEmpty && response.dnsAddresses.allSatisfy { bogus.contains($0) } || response.dnsAddresses.isEmpty,
                            "\(label): frame \(response.number) answers \(response.dnsAddresses), not the bogus \(bogus)")
                } else {
                    #expect(response.dnsRcode == 3, "\(label): frame \(response.number) is rcode \(response.dnsRcode ?? -1), not NXDOMAIN")
                }
                #expect(!response.dnsAddresses.contains { real.contains(CheckedCapture.normal($0)) }, "\(label): frame \(response.number) gives a real \(service) address")
            }
        }
    }

    func checkQUIC(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ label: String) {
        let addresses = capture.addresses(of: service)
        let inPhase = capture.packets(in: phase)
        let initials = inPhase.filter { capture.fromClient($0) && $0.quicPacketTypes.contains(0) && addresses.contains($0.destination) }
        #expect(!initials.isEmpty, "\(label): no QUIC Initials to \(service)")
        #expect(initials.contains { !$0.serverNames.isEmpty }, "\(label): tshark decrypted no SNI from the Initials")
        let udpReplies = inPhase.filter { addresses.contains($0.source) && $0.isUDP }
        #expect(udpReplies.isEmpty, "\(label): \(service) answered over UDP while QUIC is blocked")
        let fallback = inPhase.filter { addresses.contains($0.source) && $0.handshakeTypes.contains(2) }
        #expect(!fallback.isEmpty, "\(label): the TCP/TLS fallback to \(service) should work")
        // Elsewhere (another service, or this one outside the phase) QUIC is answered.
        let quicAnswered = capture.packets.contains { !capture.fromClient($0) && $0.quicPacketTypes.contains(0) }
        #expect(quicAnswered, "\(label): no QUIC server answered anywhere in the capture")
    }

    func checkThrottling(_ capture: CheckedCapture, _ phase: TruthPhase, _ service: String, _ rules: [TruthRule], _ label: String) {
        let addresses = capture.addresses(of: service)
        let controls = capture.addresses(of: "wikipedia").union(capture.addresses(of: "google"))
        let limit = rules.compactMap { rule -> Double? in
            guard let range = rule.rule.range(of: #"\d+ kbit/s"#, options: .regularExpression) else { return nil }
            return Double(rule.rule[range].split(separator: " ")[0])
        }.first ?? 150
        // Per TCP connection that began in the phase: server payload bytes, time span, retransmissions.
        struct Transfer { var bytes = 0; var first = 0.0; var last = 0.0; var retransmissions = 0; var server = "" }
        var transfers: [Int: Transfer] = [:]
        var began = Set<Int>()
        for packet in capture.packets where packet.isTCP {
            guard let stream = packet.tcpStream else { continue }
            if packet.isSYN, capture.fromClient(packet), packet.time >= phase.start + 1, packet.time <= phase.end { began.insert(stream) }
            guard began.contains(stream), !capture.fromClient(packet), packet.tcpLength > 0 else { continue }
            var transfer = transfers[stream] ?? Transfer(first: packet.time, server: packet.source)
            transfer.bytes += packet.tcpLength
            transfer.last = packet.time
            if packet.retransmission { transfer.retransmissions += 1 }
            transfers[stream] = transfer
        }
        func goodput(_ transfer: Transfer) -> Double { Double(transfer.bytes) * 8 / 1000 / max(0.05, transfer.last - transfer.first) }
        let policed = transfers.values.filter { addresses.contains($0.server) && $0.bytes >= 50_000 }
        let control = transfers.values.filter { controls.contains($0.server) && $0.bytes >= 50_000 }
        #expect(!policed.isEmpty, "\(label): no bulk transfer from \(service) in the phase")
        #expect(!control.isEmpty, "\(label): no control bulk transfer in the phase")
        let policedRates = policed.map(goodput).sorted()
        let controlRates = control.map(goodput).sorted()
        if let median = policedRates.dropFirst(policedRates.count / 2).first {
            #expect(median <= limit * 1.6, "\(label): \(service) median goodput \(Int(median)) kbit/s, above the \(Int(limit)) kbit/s policer")
        }
        if let fastest = policedRates.last, let slowestControl = controlRates.first {
            #expect(slowestControl >= 5 * fastest, "\(label): control \(Int(slowestControl)) kbit/s is not far above \(service)'s \(Int(fastest)) kbit/s")
        }
        #expect(policed.contains { $0.retransmissions > 0 }, "\(label): policing drops packets: \(service) transfers should show retransmissions")
    }
}
