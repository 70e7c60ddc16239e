/// The recorded scenarios (captures/lab/) and the self-test's short one.
public enum ScenarioCatalog {
    static let telegramNames = ["web.telegram.org", "telegram.org", "api.telegram.org"]
    static let whatsAppNames = ["web.whatsapp.com", "mmg.whatsapp.net", "g.whatsapp.net"]
    static let signalNames = ["chat.signal.org", "cdn.signal.org"]

    static func profile(_ seed: UInt64, _ adjust: (inout ClientProfile) -> Void = { _ in }) -> ClientProfile {
        var profile = ClientProfile()
        profile.seed = seed
        adjust(&profile)
        return profile
    }

    /// ok → `blocked` phase → restored, the shape of most single-mechanism scenarios.
    static func threePhases(_ censor: [CensorAction], network: NetworkState = .ok, before: Double = 30,
                            during: Double = 60, after: Double = 30) -> [Phase] {
        [
            Phase("baseline", seconds: before, note: "everything reachable"),
            Phase("censored", seconds: during, network: network, censor: censor),
            Phase("restored", seconds: after, note: "rules removed"),
        ]
    }

    public static let all: [Scenario] = [
        Scenario(name: "baseline", file: "baseline.pcap",
                 description: "No censorship: every app works; a long idle stretch (the phone in a pocket) in the middle.",
                 profile: profile(101),
                 phases: [
                    Phase("active", seconds: 40, note: "apps busy"),
                    Phase("idle", seconds: 90, activity: .idle, note: "no app traffic: no evidence either way"),
                    Phase("active-again", seconds: 30, note: "apps busy again"),
                 ]),
        Scenario(name: "ip-blackhole", file: "ip-blackhole.pcap",
                 description: "Telegram's addresses (DCs and web) silently dropped at the ISP: SYNs and keepalives unanswered.",
                 profile: profile(102),
                 phases: threePhases([.blackhole(service: "telegram")])),
        Scenario(name: "sni-filtering", file: "sni-filtering.pcapng",
                 description: "ClientHellos naming Signal (chat, cdn) and Telegram's web client dropped by SNI; MTProto to the DCs still works (Telegram partially blocked). Two minutes of filtering: a Signal session established before it keeps working for up to a minute (its records carry no name), so only the reconnections after it show the filter.",
                 profile: profile(103),
                 phases: threePhases([.sniDrop(service: "signal", names: signalNames),
                                      .sniDrop(service: "telegram", names: ["web.telegram.org"])], during: 120)),
        Scenario(name: "rst-injection", file: "rst-injection.pcap",
                 description: "The censor's on-path injector resets Signal (SNI) and WhatsApp (SNI and the ED chat preface) connections: RST/ACK + RST to the client with the censor's TTL, racing the real server's answer.",
                 profile: profile(104),
                 phases: threePhases([.rstInjection(service: "signal", names: signalNames, mtproto: false, whatsApp: false),
                                      .rstInjection(service: "whatsapp", names: whatsAppNames, mtproto: false, whatsApp: true)])),
        Scenario(name: "icmp-prohibited", file: "icmp-prohibited-sll2.pcap",
                 description: "Telegram's addresses answered with ICMP administratively prohibited (type 3 code 13) by the ISP router. Captured with tcpdump -i any (Linux cooked v2, SLL2).",
                 link: .any, profile: profile(105),
                 phases: threePhases([.icmpProhibited(service: "telegram")])),
        Scenario(name: "dns-tampering", file: "dns-tampering.pcap",
                 description: "The ISP resolver answers NXDOMAIN for WhatsApp's names and a bogus private address (10.10.34.34 after the rewrite) for Signal's; the client's SYNs to the bogus address go nowhere.",
                 profile: profile(106),
                 phases: threePhases([.dnsNXDOMAIN(service: "whatsapp", domains: ["whatsapp.net", "whatsapp.com"]),
                                      .dnsBogus(service: "signal", domains: ["signal.org"], loopback: false)])),
        Scenario(name: "quic-blocking", file: "quic-blocking.pcap",
                 description: "UDP 443 to YouTube dropped: QUIC Initials go unanswered and the app falls back to TCP/TLS, which works. Google's QUIC (control) is untouched.",
                 profile: profile(107) { $0.youtube = true },
                 phases: threePhases([.quicDrop(service: "youtube")])),
        Scenario(name: "throttling", file: "throttling.pcap",
                 description: "Twitter (video.twimg.com, twitter.com) policed to 140 kbit/s per flow by SNI-marked connections, excess dropped, as Russia did in March 2021; control bulk downloads from upload.wikimedia.org run at full speed at the same time.",
                 profile: profile(108) {
                     $0.twitter = true
                     $0.twitterKB = 160
                     $0.twitterEvery = 10
                     $0.controlBulkKB = 160
                     $0.controlBulkEvery = 20
                     // The messengers are beside the point here; leaving them out keeps the file small.
                     $0.telegram = false
                     $0.whatsApp = false
                     $0.signal = false
                 },
                 phases: threePhases([.throttle(service: "twitter", names: ["twimg.com", "twitter.com"], kbit: 140)])),
        Scenario(name: "total-cutoff", file: "total-cutoff.pcap",
                 description: "Total cutoff: everything the ISP would forward is dropped and its resolver goes silent; the apps keep trying. Then restored.",
                 profile: profile(109),
                 phases: threePhases([], network: .cutoff)),
        Scenario(name: "international-cutoff", file: "international-cutoff.pcap",
                 description: "International cutoff: nothing crosses the border (foreign servers and the foreign upstream resolver unreachable) while domestic .kz servers, resolved by the domestic resolver, still answer.",
                 profile: profile(110),
                 phases: threePhases([], network: .internationalCutoff)),
        kazakhstan,
        Scenario(name: "ends-mid-session", file: "ends-mid-session.pcap",
                 description: "The capture simply stops while the apps are busy (downloads and sessions open); 5 s before the end Telegram is blackholed, so its last attempts are still pending when the capture ends.",
                 profile: profile(112) { $0.controlBulkEvery = 12 },
                 phases: [
                    Phase("baseline", seconds: 35, note: "everything reachable"),
                    Phase("blocked-tail", seconds: 5, censor: [.blackhole(service: "telegram")],
                          note: "Telegram blackholed 5 s before the capture ends: attempts in flight are pending"),
                 ],
                 endsMidSession: true),
        Scenario(name: "ipv6", file: "ipv6.pcap",
                 description: "Dual-stack client preferring IPv6: Telegram blackholed, WhatsApp answered with ICMPv6 administratively prohibited (type 1 code 1), Signal reset by the injector (its chat has no AAAA: IPv4; its CDN over IPv6).",
                 profile: profile(113) { $0.ipv6 = true },
                 phases: threePhases([.blackhole(service: "telegram"),
                                      .icmpProhibited(service: "whatsapp"),
                                      .rstInjection(service: "signal", names: signalNames, mtproto: false, whatsApp: false)])),
    ]

    /// Kazakhstan, January 2022, time-compressed (methods.md D.2): messengers blocked by mixed
    /// mechanisms while the rest works → total cutoff → brief restore → cut again → partial
    /// restore with the messengers still blocked.
    public static let kazakhstan: Scenario = {
        let messengers: [CensorAction] = [
            .blackhole(service: "telegram"),
            .rstInjection(service: "whatsapp", names: whatsAppNames, mtproto: false, whatsApp: true),
            .sniDrop(service: "signal", names: signalNames),
        ]
        return Scenario(
            name: "kazakhstan-2022", file: "kazakhstan-2022.pcap",
            description: "Kazakhstan, 4–10 January 2022, compressed from days to minutes (methods.md D.1/D.2). Messengers blocked by mixed mechanisms (Telegram: IP blackhole; WhatsApp: RST injection; Signal: SNI filtering) while control and domestic sites work; then a total cutoff; a brief restore during the President's address with the messengers still blocked; cut again (with an idle stretch); partial reconnection with the messengers still blocked.",
            profile: profile(111) {
                $0.controlBulkKB = 96
                $0.controlBulkEvery = 30
                $0.mediaKB = 32
                $0.mediaEvery = 40
            },
            phases: [
                Phase("P0 baseline", seconds: 40, note: "4 Jan 2022 10:00–14:30 UTC: normal"),
                Phase("P1 messengers blocked", seconds: 60, censor: messengers,
                      note: "4 Jan 14:30 UTC – 5 Jan 10:30 UTC: WhatsApp, Telegram and Signal restricted nationwide"),
                Phase("P2 total cutoff", seconds: 60, network: .cutoff, censor: messengers,
                      note: "5 Jan ~10:30–15:00 UTC: nationwide shutdown"),
                Phase("P3 brief restore", seconds: 30, censor: messengers,
                      note: "5 Jan ~15:00–18:00 UTC: partial restoration during the televised address; messengers still blocked (a scenario parameter: the sources do not say)"),
                Phase("P4 cut again", seconds: 45, network: .cutoff, censor: messengers,
                      note: "5 Jan ~21:00 UTC (early 6 Jan local) – 10 Jan 02:00 UTC: cut again"),
                Phase("P4 cut again, idle", seconds: 20, network: .cutoff, activity: .idle, censor: messengers,
                      note: "the user gives up for a while: no attempts, no evidence"),
                Phase("P5 partial restore", seconds: 60, censor: messengers,
                      note: "10 Jan 02:00 UTC (08:00 local) –: connectivity largely restored, messengers still blocked"),
            ])
    }()

    /// The CI self-test: short, two mechanisms, one restore.
    public static let selftest = Scenario(
        name: "selftest", file: "selftest.pcap",
        description: "Lab self-test: Telegram blackholed and Signal filtered by SNI for 20 s between two short open phases.",
        profile: profile(999) {
            $0.controlBulkKB = 64
            $0.mediaEvery = 0
            $0.callEvery = 0
        },
        phases: [
            Phase("baseline", seconds: 15),
            Phase("censored", seconds: 20, censor: [.blackhole(service: "telegram"), .sniDrop(service: "signal", names: signalNames)]),
            Phase("restored", seconds: 10),
        ])

    public static func named(_ name: String) -> Scenario? {
        if name == selftest.name { return selftest }
        return all.first { $0.name == name }
    }
}
