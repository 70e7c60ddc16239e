import Flows
import Identification
import Wire

/// Turns a finished flow into one judged attempt (or none: mid-stream flows, multicast, ICMP,
/// and UDP that is neither DNS nor QUIC and got no answer are not attempts).
public struct AttemptJudge: Sendable {
    public let catalog: SignatureCatalog
    public let criteria: Criteria

    public init(catalog: SignatureCatalog, criteria: Criteria = Criteria()) {
        self.catalog = catalog
        self.criteria = criteria
    }

    /// - Parameter captureEnd: the time of the capture's last packet so far; flows that began
    ///   less than a judge window before it and got no answer are `pending`, not failures.
    public func judge(_ record: FlowRecord, _ identity: FlowIdentity, captureEnd: Timestamp) -> Attempt? {
        guard !record.startedMidstream else { return nil }
        let (client, server) = AttemptJudge.sides(record, identity)
        guard !AttemptJudge.isMulticast(server.address) else { return nil }
        let judged: (Outcome, String)?
        switch record.protocolNumber {
        case 6: judged = judgeTCP(record, identity, captureEnd: captureEnd)
        case 17: judged = judgeUDP(record, identity, captureEnd: captureEnd, server: server)
        default: judged = nil
        }
        guard let (outcome, why) = judged else { return nil }
        let serverCounters = server == record.responder ? record.responderCounters : record.originatorCounters
        let clientCounters = server == record.responder ? record.originatorCounters : record.responderCounters
        var payloadSeconds = 0.0
        if let first = serverCounters.firstPayloadTime, let last = serverCounters.lastPayloadTime { payloadSeconds = (last - first).seconds }
        let segments = max(1, serverCounters.packets + clientCounters.packets)
        return Attempt(time: record.start, group: group(identity, server: server), isControl: isControl(identity),
                       client: client, server: server, transport: record.protocolNumber, outcome: outcome, why: why,
                       uid: record.uid, serverName: identity.serverName, serverBytes: serverCounters.payloadBytes,
                       serverPayloadSeconds: payloadSeconds,
                       retransmissionRate: Double(serverCounters.retransmissions + clientCounters.retransmissions) / Double(segments),
                       isExternal: !AttemptJudge.isLocal(server.address))
    }

    // MARK: - TCP

    func judgeTCP(_ r: FlowRecord, _ identity: FlowIdentity, captureEnd: Timestamp) -> (Outcome, String)? {
        let client = r.originatorCounters, server = r.responderCounters
        let answered = r.history.contains("h")
        let isTLS = identity.applicationProtocol == .tls || identity.applicationProtocol == .torLikeTLS
        // A forged reset is interference even when the real server's answer won the race and
        // the connection went on: the censor tried (methods.md B.3). Censors reset both ends, so
        // a capture at the server sees the forgeries arrive "from the client".
        if let reset = server.firstReset, server.firstPayloadTime.map({ reset.time <= $0 }) ?? true {
            let (score, reasons) = forgedResetScore(r, fromResponder: true)
            if score >= criteria.forgedResetScore {
                let after = client.payloadBytes > 0 ? "after the " + (isTLS ? "ClientHello" : "first data") : "to the SYN"
                return (.rstInjected, "reset \(after) looks forged (\(reasons.joined(separator: ", ")))")
            }
        }
        if client.firstReset != nil, server.payloadBytes == 0 {
            let (score, reasons) = forgedResetScore(r, fromResponder: false)
            if score >= criteria.forgedResetScore {
                return (.rstInjected, "resets in the client's name look forged (\(reasons.joined(separator: ", ")))")
            }
        }
        // An ICMP time-exceeded answers a TTL-limited probe (a traceroute), not a connection attempt.
        if r.icmpErrors.count > 0 && r.icmpErrors.lastType == 11 && !answered { return nil }
        if !answered {
            if r.icmpErrors.count > 0 {
                let from = r.icmpErrors.lastSender.map { " from \($0)" } ?? ""
                let code = "ICMP \(r.icmpErrors.lastType)/\(r.icmpErrors.lastCode)\(from)"
                return r.icmpErrors.administrativelyProhibited > 0
                    ? (.icmpProhibited, "\(code): administratively prohibited") : (.icmpUnreachable, "\(code): unreachable")
            }
            if server.resets > 0 { return (.tcpRefused, "SYN answered by a reset") }
            if server.packets > 0 { return nil }   // something answered, though not a SYN-ACK: no verdict
            let waited = captureEnd - r.start
            if waited < criteria.tcpJudgeWindow {
                return (.pending, "no answer yet when the capture ended \(Self.seconds(waited)) later")
            }
            return (.tcpSynTimeout, "\(client.packets) SYN\(client.packets == 1 ? "" : "s") over \(Self.seconds(r.duration)), no answer")
        }
        if let page = blockPage(r, identity) { return (.httpBlockpage, page) }
        if server.payloadBytes > 0 {
            // A ServerHello follows the ClientHello within a round trip; one that came only after
            // the app would have given up (here: after a filter was lifted and a retransmission
            // got through) answered nobody. Other protocols may legitimately wait (long polls).
            if isTLS, let sent = client.firstPayloadTime, let reply = server.firstPayloadTime,
               reply - sent > criteria.tcpJudgeWindow {
                let resent = client.dataRetransmissions > 0 ? " (resent \(client.dataRetransmissions)×)" : ""
                let name = identity.serverName.map { " for \($0)" } ?? ""
                return (.tlsHelloTimeout, "handshake completed, ClientHello\(name) answered only after \(Self.seconds(reply - sent))\(resent)")
            }
            return (.ok, "\(server.payloadBytes) bytes from the server")
        }
        guard client.payloadBytes > 0, let sent = client.firstPayloadTime else {
            return (.ok, "handshake completed")   // a connect-only flow: the server is reachable
        }
        let what = isTLS ? "ClientHello" + (identity.serverName.map { " for \($0)" } ?? "") : "first data"
        // A reset long after the unanswered ClientHello is the server giving up on a handshake
        // that never reached it, not an answer to the hello.
        let lateReset = server.firstReset.map { $0.time - sent > criteria.tcpJudgeWindow } ?? false
        if server.resets > 0 && !lateReset {
            return isTLS ? (.tlsResetAfterHello, "reset right after the \(what)")
                         : (.appStall, "reset after the \(what), no answer")
        }
        let waited = captureEnd - sent
        if waited < criteria.tcpJudgeWindow && r.endReason == .captureEnd {
            return (.pending, "no answer yet when the capture ended \(Self.seconds(waited)) after the \(what)")
        }
        let closed = r.history.contains("f") || lateReset
            ? ", the server closed the connection after \(Self.seconds((server.firstReset?.time ?? r.lastSeen) - sent))" : ""
        let resent = client.dataRetransmissions > 0 ? " (resent \(client.dataRetransmissions)×)" : ""
        return isTLS ? (.tlsHelloTimeout, "handshake completed, \(what) unanswered\(resent)\(closed)")
                     : (.appStall, "handshake completed, \(what) unanswered\(resent)\(closed)")
    }

    /// Whether the server's HTTP answer is a censor's page (methods.md B.6): status 451 (RFC 7725)
    /// names itself; a redirect or a refusal (302, 303, 307, 403) counts only with a sign that
    /// someone other than the server sent it — the answer came with a TTL unlike the server's
    /// handshake, or sooner than a round trip to the server allows. A server's own 403 (OONI's
    /// false alarm on web.whatsapp.com) shows neither.
    func blockPage(_ r: FlowRecord, _ identity: FlowIdentity) -> String? {
        guard identity.applicationProtocol == .http, let status = identity.httpStatus else { return nil }
        if status == 451 { return "HTTP 451 Unavailable For Legal Reasons" }
        guard [302, 303, 307, 403].contains(status) else { return nil }
        let server = r.responderCounters, client = r.originatorCounters
        var signs: [String] = []
        if server.maximumTTL &- server.minimumTTL > 3 {
            signs.append("the server's packets arrived with TTL \(server.minimumTTL) and \(server.maximumTTL)")
        }
        if let rtt = r.handshakeRoundTrip, let asked = client.firstPayloadTime, let answered = server.firstPayloadTime,
           answered - asked < Timestamp.Duration(nanoseconds: rtt.nanoseconds / 2) {
            signs.append("answered in \(Self.milliseconds(answered - asked)) against a \(Self.milliseconds(rtt)) round trip")
        }
        guard !signs.isEmpty else { return nil }
        return "HTTP \(status) that looks injected (" + signs.joined(separator: ", ") + ")"
    }

    static func milliseconds(_ d: Timestamp.Duration) -> String {
        let ms = d.seconds * 1000
        return ms < 10 ? "\(Double(Int((ms * 10).rounded())) / 10) ms" : "\(Int(ms.rounded())) ms"
    }

    /// Scores how forged one side's reset looks (Weaver et al.; methods.md B.3): the side
    /// racing on after it counts 2, each other inconsistency 1.
    func forgedResetScore(_ r: FlowRecord, fromResponder: Bool) -> (Int, [String]) {
        let server = fromResponder ? r.responderCounters : r.originatorCounters
        let peer = fromResponder ? r.originatorCounters : r.responderCounters
        guard let reset = server.firstReset else { return (0, []) }
        var score = 0
        var reasons: [String] = []
        let otherPackets = server.packetsAfterFirstReset - (server.resets - 1)
        if otherPackets > 0 {
            score += 2
            reasons.append(fromResponder ? "the server kept sending after it" : "the client kept sending after it")
        }
        if Int(server.resetMaximumTTL) - Int(server.resetMinimumTTL) >= 8 {
            // Two senders at different distances reset in one name: one of them forged it.
            score += 2
            reasons.append("resets arrived with TTL \(server.resetMinimumTTL) and \(server.resetMaximumTTL)")
        } else if server.nonResetMaximumTTL > 0 {
            let low = Int(server.nonResetMinimumTTL), high = Int(server.nonResetMaximumTTL)
            // The reset TTL farthest from the sender's other packets.
            let ttl = abs(Int(server.resetMinimumTTL) - low) > abs(Int(server.resetMaximumTTL) - high)
                ? Int(server.resetMinimumTTL) : Int(server.resetMaximumTTL)
            let distance = ttl < low ? low - ttl : (ttl > high ? ttl - high : 0)
            if distance >= 2 {
                score += 1
                reasons.append("TTL \(ttl) vs the sender's \(low == high ? "\(low)" : "\(low)-\(high)")")
            }
        }
        _ = reset
        if server.resets >= 2 {
            score += 1
            reasons.append("\(server.resets) resets")
        }
        if fromResponder, let rtt = r.handshakeRoundTrip, let sent = peer.firstPayloadTime, reset.time > sent,
           (reset.time - sent).nanoseconds * 2 < rtt.nanoseconds {
            score += 1
            reasons.append("faster than the round trip")
        }
        return (score, reasons)
    }

    // MARK: - UDP

    func judgeUDP(_ r: FlowRecord, _ identity: FlowIdentity, captureEnd: Timestamp, server: Endpoint) -> (Outcome, String)? {
        let serverCounters = server == r.responder ? r.responderCounters : r.originatorCounters
        if identity.applicationProtocol == .dns || server.port == 53 {
            guard server.port == 53 else { return nil }   // mDNS, LLMNR: local chatter, not attempts
            let name = identity.serverName.map { " for \($0)" } ?? ""
            guard let dns = identity.dns, dns.responses > 0 else {
                if r.icmpErrors.count > 0 { return (.dnsTimeout, "query\(name) answered by ICMP \(r.icmpErrors.lastType)/\(r.icmpErrors.lastCode)") }
                let waited = captureEnd - r.start
                if waited < criteria.dnsJudgeWindow { return (.pending, "no answer yet when the capture ended") }
                return (.dnsTimeout, "\(r.originatorCounters.packets) quer\(r.originatorCounters.packets == 1 ? "y" : "ies")\(name), no answer")
            }
            if dns.conflictingResponses { return (.dnsInjected, "two different answers to one query\(name)") }
            switch dns.responseCode ?? 0 {
            case 0: break
            case 3: return (.dnsNXDomain, "NXDOMAIN\(name)")
            case 2: return (.dnsNXDomain, "SERVFAIL\(name)")
            case 5: return (.dnsNXDomain, "REFUSED\(name)")
            default: return (.dnsNXDomain, "response code \(dns.responseCode ?? 0)\(name)")
            }
            if let bogus = dns.answers.first(where: AttemptJudge.isBogusAnswer) {
                return (.dnsBogus, "answer \(bogus)\(name) is not a public address")
            }
            return (.ok, dns.answers.isEmpty ? "answered\(name)" : "answered\(name): \(dns.answers[0])")
        }
        if identity.applicationProtocol == .quic {
            if serverCounters.packets > 0 { return (.ok, "the server answered the QUIC Initial") }
            let waited = captureEnd - r.start
            if waited < criteria.quicJudgeWindow { return (.pending, "no answer yet when the capture ended") }
            return (.quicTimeout, "\(r.originatorCounters.packets) QUIC Initial\(r.originatorCounters.packets == 1 ? "" : "s")"
                    + (identity.serverName.map { " for \($0)" } ?? "") + ", no answer")
        }
        return serverCounters.packets > 0 ? (.ok, "the server answered") : nil
    }

    // MARK: - Groups

    /// The client is the side that asked; a capture that began with the server's reply still
    /// has the client on the high port.
    static func sides(_ r: FlowRecord, _ identity: FlowIdentity) -> (client: Endpoint, server: Endpoint) {
        if r.protocolNumber == 17 && r.originator.port < 1024 && r.responder.port >= 1024 {
            return (r.responder, r.originator)
        }
        return (r.originator, r.responder)
    }

    func group(_ identity: FlowIdentity, server: Endpoint) -> Group {
        if let app = identity.app { return .service(app) }
        if AttemptJudge.isLocal(server.address) { return .local }
        if let name = identity.serverName { return .destination(AttemptJudge.registrableDomain(name)) }
        return .destination(server.address.description)
    }

    func isControl(_ identity: FlowIdentity) -> Bool {
        guard let app = identity.app, catalog.isControl(app) else {
            return identity.serverName.map(catalog.isControl(name:)) ?? false
        }
        // A shared address (a CDN) may front a blocked site: it proves nothing about CONTROL.
        if identity.evidence == .ip, catalog.services.first(where: { $0.name == app })?.isShared == true { return false }
        return true
    }

    /// The name a registrar sold: the last two labels, or three under a country's second level
    /// (co.uk, com.kz). An approximation of the Public Suffix List that fits news and app domains.
    public static func registrableDomain(_ name: String) -> String {
        let labels = name.lowercased().split(separator: ".").map(String.init)
        guard labels.count > 2 else { return labels.joined(separator: ".") }
        let secondLevel: Set<String> = ["co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "mil"]
        let take = labels.last!.count == 2 && secondLevel.contains(labels[labels.count - 2]) ? 3 : 2
        return labels.suffix(take).joined(separator: ".")
    }

    /// Private, loopback, link-local and other non-public space: the LOCAL network.
    public static func isLocal(_ address: IPAddress) -> Bool {
        if let v4 = address.ipv4 {
            let a = v4 >> 24, b = (v4 >> 16) & 0xFF
            return a == 10 || a == 127 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 169 && b == 254) || (a == 100 && (64...127).contains(b)) || a == 0
        }
        let top = address.high >> 48
        return (top & 0xFE00) == 0xFC00 || (top & 0xFFC0) == 0xFE80 || (address.high == 0 && address.low == 1)
    }

    static func isMulticast(_ address: IPAddress) -> Bool {
        if let v4 = address.ipv4 { return v4 >> 28 == 0xE || v4 == 0xFFFF_FFFF }
        return address.high >> 56 == 0xFF
    }

    /// Answers no real server gives for a public name (methods.md B.5).
    static func isBogusAnswer(_ address: IPAddress) -> Bool {
        if let v4 = address.ipv4 { return isLocal(address) || v4 >> 28 >= 0xE || v4 == 0x0102_0304 }
        return isLocal(address) || address == IPAddress(high: 0, low: 0)
    }

    static func seconds(_ d: Timestamp.Duration) -> String {
        let s = d.seconds
        return s < 10 ? "\(Double(Int(s * 10)) / 10) s" : "\(Int(s.rounded())) s"
    }
}
