import Detection

/// How the HTML report draws and names each state and mechanism. Colors come from the
/// Okabe–Ito palette (distinguishable with the common color-vision deficiencies), and every
/// state also has its own pattern and a text label, so nothing rests on color alone.
enum HTMLVocabulary {
    struct Look {
        /// The state's name as the data says it (`data-state`, legend).
        var state: String
        /// A few plain words for the legend.
        var words: String
        var color: String
        /// The SVG pattern id, or nil for a plain fill.
        var pattern: String?
        /// Label color drawn over the fill.
        var ink: String
    }

    /// Every look, in legend order (good to bad, then the observer's own holes).
    static let looks: [Look] = [
        Look(state: "ok", words: "worked", color: "#a6dcc6", pattern: nil, ink: "#000"),
        Look(state: "no-evidence", words: "too few attempts to tell", color: "#ececec", pattern: nil, ink: "#333"),
        Look(state: "degraded", words: "failures everywhere (not selective)", color: "#f0e442", pattern: "pat-degraded", ink: "#000"),
        Look(state: "throttled", words: "works, but slowed far below CONTROL", color: "#cc79a7", pattern: "pat-throttled", ink: "#000"),
        Look(state: "partially-blocked", words: "many attempts failed", color: "#e69f00", pattern: "pat-partially-blocked", ink: "#000"),
        Look(state: "blocked", words: "nearly every attempt failed", color: "#d55e00", pattern: "pat-blocked", ink: "#000"),
        Look(state: "cutoff", words: "the whole network was cut off", color: "#1b1b1b", pattern: "pat-cutoff", ink: "#fff"),
        Look(state: "international-cutoff", words: "only domestic servers answered", color: "#0072b2", pattern: "pat-international-cutoff", ink: "#fff"),
        Look(state: "local-outage", words: "the gateway or resolver stopped answering", color: "#56b4e9", pattern: "pat-local-outage", ink: "#000"),
        Look(state: "gap", words: "no packets captured: no evidence", color: "#ffffff", pattern: "pat-gap", ink: "#333"),
        Look(state: "capture-loss", words: "the capture lost packets: not judged", color: "#9a9a9a", pattern: "pat-capture-loss", ink: "#000"),
    ]

    static func look(_ state: String) -> Look {
        looks.first { $0.state == state } ?? Look(state: state, words: state, color: "#cccccc", pattern: "pat-gap", ink: "#000")
    }

    /// The fill attribute value: the pattern (which paints the color too) or the color.
    static func fill(_ state: String) -> String {
        let look = look(state)
        return look.pattern.map { "url(#\($0))" } ?? look.color
    }

    /// The patterns, one per state that has one: stripes, dots and hatching over the state's color.
    static var patternDefinitions: String {
        var out = ""
        for look in looks {
            guard let id = look.pattern else { continue }
            let shape: String
            switch look.state {
            case "blocked":
                shape = "<path d=\"M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6\" stroke=\"#fff\" stroke-width=\"2\" stroke-opacity=\"0.75\"/>"
            case "partially-blocked":
                shape = "<path d=\"M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6\" stroke=\"#000\" stroke-width=\"1\" stroke-opacity=\"0.45\"/>"
            case "throttled":
                shape = "<path d=\"M0 2 H8 M0 6 H8\" stroke=\"#000\" stroke-width=\"1\" stroke-opacity=\"0.4\"/>"
            case "degraded", "local-outage":
                shape = "<circle cx=\"2\" cy=\"2\" r=\"1.2\" fill=\"#000\" fill-opacity=\"0.45\"/><circle cx=\"6\" cy=\"6\" r=\"1.2\" fill=\"#000\" fill-opacity=\"0.45\"/>"
            case "cutoff":
                shape = "<path d=\"M0 0 L8 8 M8 0 L0 8\" stroke=\"#fff\" stroke-width=\"0.8\" stroke-opacity=\"0.45\"/>"
            case "international-cutoff":
                shape = "<path d=\"M0 0 L8 8 M-2 6 L2 10 M6 -2 L10 2\" stroke=\"#fff\" stroke-width=\"1.5\" stroke-opacity=\"0.6\"/>"
            case "gap":
                shape = "<path d=\"M0 0 L8 8 M8 0 L0 8\" stroke=\"#888\" stroke-width=\"0.8\"/>"
            default: // capture-loss
                shape = "<circle cx=\"4\" cy=\"4\" r=\"1.5\" fill=\"#fff\"/>"
            }
            out += "<pattern id=\"\(id)\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
                + "<rect width=\"8\" height=\"8\" fill=\"\(look.color)\"/>" + shape + "</pattern>"
        }
        // Failures in the small charts: hatched vermillion over the grey of all attempts.
        out += "<pattern id=\"pat-failures\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
            + "<rect width=\"6\" height=\"6\" fill=\"#d55e00\"/><path d=\"M0 6 L6 0\" stroke=\"#fff\" stroke-width=\"1\" stroke-opacity=\"0.7\"/></pattern>"
        return out
    }

    /// A mechanism in a few words for a timeline label ("IP blackholing").
    static func mechanismName(_ raw: String) -> String {
        switch Mechanism(rawValue: raw) {
        case .ipBlackhole: "IP blackholing"
        case .sniFiltering: "SNI filtering"
        case .rstInjection: "forged TCP resets"
        case .icmpProhibited: "ICMP 'prohibited'"
        case .dnsTampering: "DNS tampering"
        case .dnsBlackhole: "DNS lookups dropped"
        case .quicBlocking: "QUIC blocked"
        case .httpBlockpage: "block page"
        case .protocolFiltering: "protocol filtering"
        case .throttling: "throttling"
        case .tcpRefused: "connections refused"
        case .routing: "routers report unreachable"
        case .totalCutoff: "total cutoff"
        case .internationalCutoff: "international cutoff"
        case .localOutage: "local outage"
        case nil: raw
        }
    }

    /// What each mechanism means, and the evidence behind it, for the method notes.
    static func mechanismMeaning(_ mechanism: Mechanism) -> String {
        switch mechanism {
        case .ipBlackhole:
            "Connections to the service's servers get no answer at all: the SYN (and its retries) vanish. A filter drops packets to those addresses."
        case .sniFiltering:
            "The TCP handshake works, but after the client names the service in its TLS ClientHello (the SNI field) the server never answers: a filter reads the name and drops the connection."
        case .rstInjection:
            "A TCP reset arrives that the server did not send: its TTL or IP-ID differ from the server's own packets, it races the real answer, or it comes faster than the round trip. A device on the path forged it."
        case .icmpProhibited:
            "A router answers with ICMP 'administratively prohibited': a filter says no openly."
        case .dnsTampering:
            "DNS answers for the service are wrong: non-existent (NXDOMAIN), bogus (private or loopback addresses) or two different answers racing for one query."
        case .dnsBlackhole:
            "DNS queries for this service only go unanswered while other names resolve."
        case .quicBlocking:
            "QUIC (HTTP/3) connections get no answer while TCP to the same service works: apps fall back to TCP."
        case .httpBlockpage:
            "A plain-HTTP request is answered with a block page (HTTP 451 or a known block page)."
        case .protocolFiltering:
            "The handshake completes, but once the app speaks its own protocol (MTProto, WhatsApp's framing) the server falls silent."
        case .throttling:
            "Sessions succeed, but bulk downloads run far below CONTROL's speed in the same period, with the packet loss a rate limiter leaves."
        case .tcpRefused:
            "Connections are refused by resets that look genuine (same TTL as the server): possibly a filter near the server, possibly the server itself."
        case .routing:
            "Routers report the servers unreachable (ICMP net/host unreachable): a routing failure rather than an open filter."
        case .totalCutoff:
            "Almost no external destination answers, CONTROL fails too, across several destinations, for consecutive bins: the whole network is cut off."
        case .internationalCutoff:
            "Foreign destinations stop answering while domestic servers (the --domestic prefixes) still do."
        case .localOutage:
            "The gateway or the local resolver stops answering: a fault of the local network, not necessarily censorship."
        }
    }

    /// Service states' meanings for the method notes.
    static let serviceStateMeanings: [(String, String)] = [
        ("ok", "Attempts succeeded."),
        ("no-evidence", "Too few attempts in the bin (fewer than 3) to say anything: never an alarm on an idle device."),
        ("blocked", "At most 20 % of attempts succeeded while CONTROL was healthy (80 % or more), on enough servers, significantly worse than CONTROL (Fisher's exact test, p < 0.01), for at least 2 bins."),
        ("partially-blocked", "Between 20 % and 80 % of attempts succeeded, under the same conditions."),
        ("throttled", "Sessions succeeded, but bulk goodput stayed under a quarter of CONTROL's in the same bins, with retransmissions."),
        ("degraded", "Failures spread over every group, CONTROL included: a poor network, not a selective block."),
    ]

    static let networkStateMeanings: [(String, String)] = [
        ("ok", "External destinations answered."),
        ("cutoff", "At most 5 % of at least 3 distinct external destinations answered, CONTROL included, for consecutive bins."),
        ("international-cutoff", "The same, while domestic servers still answered."),
        ("local-outage", "The gateway or the resolver stopped answering."),
        ("degraded", "Many destinations failed at once, but not all."),
        ("no-evidence", "Too few attempts to judge (an idle device is not a cutoff)."),
        ("gap", "No packets at all were captured: the capture has a hole, which is never called a cutoff."),
        ("capture-loss", "The capture itself dropped over 5 % of the packets: the observer's loss, never the basis of a verdict."),
    ]
}
