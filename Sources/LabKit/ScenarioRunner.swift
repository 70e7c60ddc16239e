import Capture
import Foundation
import PacketCrafting

/// Errors of the scenario runner.
public struct LabError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Records one scenario: starts the capture and the client in the client namespace, switches
/// the censor at each phase (iptables-restore, the ISP resolver, the injector) noting the time,
/// then rewrites the capture to real addresses and writes its truth file.
public final class ScenarioRunner {
    public let runDirectory: String
    /// The lab-traffic executable, to start the client and the injector in their namespaces.
    public let tool: String
    private var injector: Process?
    private var injectorTriggers: String?
    private var resolverConfiguration: String?

    public init(runDirectory: String, tool: String) {
        self.runDirectory = runDirectory
        self.tool = tool
    }

    // MARK: processes

    @discardableResult
    func run(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        if let input {
            let path = runDirectory + "/stdin.tmp"
            try input.write(toFile: path, atomically: true, encoding: .utf8)
            process.standardInput = FileHandle(forReadingAtPath: path)
        }
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw LabError("\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
        return text
    }

    func spawn(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        handle?.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    func inNamespace(_ namespace: String, _ arguments: [String]) -> [String] {
        ["ip", "netns", "exec", namespace] + arguments
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(100_000) }
        return !process.isRunning
    }

    // MARK: the censor

    /// Installs the censor state of `phase`; returns when it is in force. The injector and the
    /// resolver switch first, the packet filter last (one iptables-restore per family, a few
    /// milliseconds): the time taken right after this returns is the phase boundary.
    public func applyCensor(network: NetworkState, actions: [CensorAction]) throws {
        let rules = CensorRules(network: network, actions: actions)
        let triggers = rules.triggers
        let description = triggers.map { "\($0.serverNames.joined(separator: ","))|\($0.mtproto)|\($0.whatsApp)" }
        if description != injectorTriggers {
            stopInjector()
            if let triggers {
                var arguments = [tool, "inject", "--interface", CensorRules.lanInterface, "--seed", "4242"]
                if !triggers.serverNames.isEmpty { arguments += ["--sni", triggers.serverNames.joined(separator: ",")] }
                if triggers.mtproto { arguments.append("--mtproto") }
                if triggers.whatsApp { arguments.append("--whatsapp") }
                injector = try spawn(inNamespace(LabPlan.ispNamespace, arguments), log: runDirectory + "/injector.log")
                usleep(300_000)
                guard injector?.isRunning == true else { throw LabError("the injector did not start; see \(runDirectory)/injector.log") }
            }
            injectorTriggers = description
        }
        let resolver = rules.resolverConfiguration(runDirectory: runDirectory)
        if resolver != resolverConfiguration {
            try restartResolver(configuration: resolver)
            resolverConfiguration = resolver
        }
        try run(inNamespace(LabPlan.ispNamespace, ["iptables-restore"]), input: rules.filterTable(ipv6: false))
        try run(inNamespace(LabPlan.ispNamespace, ["ip6tables-restore"]), input: rules.filterTable(ipv6: true))
    }

    func stopInjector() {
        if let injector, injector.isRunning {
            injector.terminate()
            _ = ScenarioRunner.waitForExit(injector, seconds: 3)
        }
        injector = nil
    }

    func restartResolver(configuration: String) throws {
        let pidFile = runDirectory + "/dnsmasq-isp.pid"
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGTERM)
            for _ in 0..<50 where kill(pid, 0) == 0 { usleep(20_000) }
        }
        let path = runDirectory + "/dnsmasq-isp.conf"
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        try run(inNamespace(LabPlan.ispNamespace, ["dnsmasq", "--conf-file=\(path)"]))
    }

    /// Puts the censor back to "nothing blocked" (also used by setup and after each scenario).
    public func resetCensor() throws {
        resolverConfiguration = nil
        injectorTriggers = "reset"
        try applyCensor(network: .ok, actions: [])
    }

    // MARK: recording

    public func record(_ scenario: Scenario, into directory: String) throws -> TruthFile {
        let work = runDirectory + "/record-\(scenario.name)"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let gate = runDirectory + "/activity"
        try "active\n".write(toFile: gate, atomically: true, encoding: .utf8)
        try resetCensor()

        let raw = work + "/raw.pcap"
        var capture = ["tcpdump", "-n", "-U", "-s", "1600", "-w", raw]
        switch scenario.link {
        case .ethernet: capture += ["-i", "eth0"]
        case .any: capture += ["-i", "any", "not (host 127.0.0.1 or ip6 host ::1)"]
        }
        let tcpdump = try spawn(inNamespace(LabPlan.clientNamespace, capture), log: work + "/tcpdump.log")
        for _ in 0..<50 {
            if let size = (try? FileManager.default.attributesOfItem(atPath: raw))?[.size] as? Int, size >= 24 { break }
            usleep(100_000)
        }
        usleep(500_000)
        guard tcpdump.isRunning else { throw LabError("tcpdump did not start; see \(work)/tcpdump.log") }

        var phaseTimes: [(Double, Double)] = []
        var client: Process?
        defer {
            if let client, client.isRunning { client.terminate() }
            if tcpdump.isRunning { tcpdump.interrupt() }
            stopInjector()
        }
        for (index, phase) in scenario.phases.enumerated() {
            try applyCensor(network: phase.network, actions: phase.censor)
            try (phase.activity == .idle ? "idle\n" : "active\n").write(toFile: gate, atomically: true, encoding: .utf8)
            let start = ScenarioRunner.now()
            if index > 0 { phaseTimes[index - 1].1 = start }
            phaseTimes.append((start, start))
            labLog("\(scenario.name): phase \(index) '\(phase.name)' for \(Int(phase.seconds)) s")
            if client == nil {
                client = try spawn(inNamespace(LabPlan.clientNamespace, [tool, "client", "--scenario", scenario.name, "--gate", gate]),
                                   log: work + "/client.log")
            }
            Thread.sleep(forTimeInterval: phase.seconds)
        }

        if scenario.endsMidSession {
            // The capture stops first, with the apps still in the middle of things.
            tcpdump.interrupt()
            _ = ScenarioRunner.waitForExit(tcpdump, seconds: 5)
            phaseTimes[phaseTimes.count - 1].1 = ScenarioRunner.now()
            try "stop\n".write(toFile: gate, atomically: true, encoding: .utf8)
            if let client, !ScenarioRunner.waitForExit(client, seconds: 20) { client.terminate() }
        } else {
            try "stop\n".write(toFile: gate, atomically: true, encoding: .utf8)
            if let client, !ScenarioRunner.waitForExit(client, seconds: 25) { client.terminate() }
            usleep(700_000)
            phaseTimes[phaseTimes.count - 1].1 = ScenarioRunner.now()
            tcpdump.interrupt()
            _ = ScenarioRunner.waitForExit(tcpdump, seconds: 5)
        }
        try resetCensor()

        return try finish(scenario, raw: raw, work: work, directory: directory, phaseTimes: phaseTimes)
    }

    /// Rewrites the raw capture into `directory` and writes the truth file beside it.
    public func finish(_ scenario: Scenario, raw: String, work: String, directory: String,
                       phaseTimes: [(Double, Double)]) throws -> TruthFile {
        var sinkholeService: String?
        for phase in scenario.phases {
            for case .dnsBogus(let service, _, false) in phase.censor { sinkholeService = service }
        }
        let collector = FlowCollector(sinkholeService: sinkholeService)
        let rewritten = scenario.isPcapng ? work + "/rewritten.pcap" : directory + "/" + scenario.file
        var linkType = LinkType.ethernet
        let statistics = try AddressRewriter.rewriteFile(input: raw, output: rewritten) { time, bytes, link in
            linkType = link
            collector.observe(time: time, bytes: bytes, linkType: link)
        }
        labLog("\(scenario.name): rewrite: \(statistics)")
        if scenario.isPcapng {
            try run(["editcap", "-F", "pcapng", rewritten, directory + "/" + scenario.file])
        }
        let truth = ScenarioRunner.truth(scenario, phaseTimes: phaseTimes, collector: collector, linkType: linkType)
        let truthPath = directory + "/" + scenario.file.replacingOccurrences(of: ".pcapng", with: "").replacingOccurrences(of: ".pcap", with: "") + ".truth.json"
        try truth.encoded().write(toFile: truthPath, atomically: true, encoding: .utf8)
        return truth
    }

    // MARK: truth

    static func uses(_ profile: ClientProfile, _ service: String) -> Bool {
        switch service {
        case "telegram": profile.telegram
        case "whatsapp": profile.whatsApp
        case "signal": profile.signal
        case "google", "wikipedia": profile.control
        case "domestic": profile.domestic
        case "youtube": profile.youtube
        case "twitter": profile.twitter
        default: false
        }
    }

    static func serviceState(_ service: String, phase: Phase, profile: ClientProfile) -> TruthServiceState {
        guard uses(profile, service) else { return TruthServiceState(state: "no-evidence", mechanism: "none", cause: "not-used") }
        if phase.activity == .idle { return TruthServiceState(state: "no-evidence", mechanism: "none", cause: "idle") }
        // In a cutoff a service cannot be judged apart from the network: the phase's `network`
        // carries the verdict, and the service has no evidence of its own.
        switch phase.network {
        case .cutoff:
            return TruthServiceState(state: "no-evidence", mechanism: "none", cause: "network")
        case .internationalCutoff where service != "domestic":
            return TruthServiceState(state: "no-evidence", mechanism: "none", cause: "network")
        default:
            break
        }
        let actions = phase.censor.filter { $0.service == service }
        guard let first = actions.first else { return TruthServiceState(state: "ok", mechanism: "none", cause: "none") }
        var state = ServiceState.blocked
        switch first {
        case .throttle: state = .throttled
        case .quicDrop: state = .partiallyBlocked   // TCP fallback works
        case .sniDrop, .dnsNXDOMAIN, .dnsBogus:
            // MTProto goes straight to the DCs: no SNI and no DNS to tamper with.
            if LabPlan.hosts(service: service).contains(where: { $0.role == .mtproto }) { state = .partiallyBlocked }
        default: break
        }
        return TruthServiceState(state: state.rawValue, mechanism: first.mechanism.rawValue, cause: "selective")
    }

    static func rule(_ action: CensorAction) -> TruthRule {
        var names: [String]?
        var addresses: [String]?
        switch action {
        case .sniDrop(_, let list), .throttle(_, let list, _): names = list
        case .rstInjection(_, let list, _, _): names = list
        case .dnsNXDOMAIN(_, let domains): names = domains
        case .dnsBogus(_, let domains, let loopback):
            names = domains
            addresses = loopback ? ["127.0.0.1", "::1"] : [LabPlan.sinkholeRealV4.description, LabPlan.sinkholeRealV6.description]
        case .blackhole(let service, let ids):
            addresses = LabPlan.hosts(service: service).filter { ids == nil || ids!.contains($0.id) }
                .flatMap { [$0.realV4.description] + ($0.realV6.map { [$0.description] } ?? []) }
        case .icmpProhibited(let service), .quicDrop(let service):
            addresses = LabPlan.hosts(service: service).flatMap { [$0.realV4.description] + ($0.realV6.map { [$0.description] } ?? []) }
        case .payloadDrop:
            break
        }
        return TruthRule(service: action.service, mechanism: action.mechanism.rawValue, rule: action.summary, names: names, addresses: addresses)
    }

    static func truth(_ scenario: Scenario, phaseTimes: [(Double, Double)], collector: FlowCollector, linkType: LinkType) -> TruthFile {
        let services = LabPlan.services
        var phases: [TruthPhase] = []
        for (index, phase) in scenario.phases.enumerated() {
            var states: [String: TruthServiceState] = [:]
            for service in services { states[service] = serviceState(service, phase: phase, profile: scenario.profile) }
            phases.append(TruthPhase(name: phase.name, start: phaseTimes[index].0, end: phaseTimes[index].1, note: phase.note,
                                     network: phase.network.rawValue, activity: phase.activity.rawValue,
                                     rules: phase.censor.map(rule), services: states))
        }
        let hosts = LabPlan.hosts.map { host in
            TruthHost(service: host.service, role: host.role.rawValue, region: host.region.rawValue, names: host.names,
                      addresses: [host.realV4.description] + (host.realV6.map { [$0.description] } ?? []))
        }
        let linkName = linkType == .linuxSLL2 ? "LINUX_SLL2" : (linkType == .ethernet ? "EN10MB" : linkType.name)
        return TruthFile(
            scenario: scenario.name, description: scenario.description,
            generator: "lab/record.sh (lab-traffic run \(scenario.name)); the BlockWatch censor lab",
            capture: TruthCapture(file: scenario.file, format: scenario.isPcapng ? "pcapng" : "pcap", link_type: linkName,
                                  snaplen: 1600, first_packet: collector.firstTime, last_packet: collector.lastTime,
                                  packets: collector.packets, ends_mid_session: scenario.endsMidSession),
            vantage: TruthVantage(client: [LabPlan.clientV4.description, LabPlan.clientV6.description],
                                  gateway: [LabPlan.ispLanV4.description, LabPlan.ispLanV6.description],
                                  resolver: [LabPlan.ispResolverV4.description, LabPlan.ispResolverV6.description],
                                  bogus_dns_answers: [LabPlan.sinkholeRealV4.description, LabPlan.sinkholeRealV6.description, "127.0.0.1", "::1"]),
            groups: TruthGroups(control: ["google", "wikipedia"], domestic: ["domestic"],
                                domestic_prefixes: LabPlan.domesticPrefixes, services: services),
            hosts: hosts, phases: phases, flows: collector.collected)
    }
}
