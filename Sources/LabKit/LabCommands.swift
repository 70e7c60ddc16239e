import Foundation
import PacketCrafting

/// The lab-traffic and lab-rewrite command lines: the executables only hand their arguments here.
public enum LabCommands {
    static let usage = """
    usage: lab-traffic plan --run-dir DIR              write the lab's generated configuration files
           lab-traffic serve --region international|domestic [--seed N]
           lab-traffic delay --queue NUM:MS [--queue NUM:MS ...]
           lab-traffic inject --interface IF [--sni a,b] [--mtproto] [--whatsapp] [--seed N]
           lab-traffic client --scenario NAME --gate FILE
           lab-traffic reset --run-dir DIR              nothing blocked (iptables, resolver)
           lab-traffic run --run-dir DIR --out DIR (all | SCENARIO...)
           lab-traffic list                             the scenarios
    """

    struct Arguments {
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var positional: [String] = []

        init(_ list: [String], flags known: Set<String>) {
            var index = 0
            while index < list.count {
                let item = list[index]
                if item.hasPrefix("--") {
                    let name = String(item.dropFirst(2))
                    if known.contains(name) {
                        flags.insert(name)
                    } else if index + 1 < list.count {
                        values[name, default: []].append(list[index + 1])
                        index += 1
                    }
                } else {
                    positional.append(item)
                }
                index += 1
            }
        }

        func value(_ name: String) -> String? { values[name]?.last }
    }

    static func fail(_ message: String, code: Int32 = 64) -> Never {
        FileHandle.standardError.write(Data("lab-traffic: \(message)\n".utf8))
        exit(code)
    }

    static func executablePath() -> String {
        let argument = CommandLine.arguments[0]
        if argument.hasPrefix("/") { return argument }
        if argument.contains("/") { return FileManager.default.currentDirectoryPath + "/" + argument }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argument
    }

    public static func trafficMain(_ arguments: [String]) -> Never {
        guard let command = arguments.first else { fail(usage) }
        let options = Arguments(Array(arguments.dropFirst()), flags: ["mtproto", "whatsapp"])
        do {
            switch command {
            case "plan":
                guard let directory = options.value("run-dir") else { fail("plan needs --run-dir") }
                try writePlan(directory)
            case "serve":
                guard let region = LabRegion(rawValue: options.value("region") ?? "") else { fail("serve needs --region international|domestic") }
                try TrafficServer.serve(region: region, seed: UInt64(options.value("seed") ?? "") ?? 7)
            case "delay":
                var delays: [UInt16: Double] = [:]
                for item in options.values["queue"] ?? [] {
                    let parts = item.split(separator: ":")
                    guard parts.count == 2, let queue = UInt16(parts[0]), let ms = Double(parts[1]) else { fail("bad --queue \(item)") }
                    delays[queue] = ms / 1000
                }
                guard !delays.isEmpty else { fail("delay needs --queue NUM:MS") }
                #if os(Linux)
                let queue = try DelayQueue(delays: delays)
                labLog("delay: queues \(delays.keys.sorted()) bound")
                queue.run()
                #else
                fail("delay needs Linux", code: 1)
                #endif
            case "inject":
                guard let interface = options.value("interface") else { fail("inject needs --interface") }
                let names = (options.value("sni") ?? "").split(separator: ",").map(String.init)
                let triggers = InjectionTriggers(serverNames: names, mtproto: options.flags.contains("mtproto"),
                                                 whatsApp: options.flags.contains("whatsapp"))
                #if os(Linux)
                let injector = try RSTInjector(interface: interface, triggers: triggers, seed: UInt64(options.value("seed") ?? "") ?? 1)
                labLog("inject: watching \(interface) for sni=\(names) mtproto=\(triggers.mtproto) whatsapp=\(triggers.whatsApp)")
                injector.run()
                #else
                fail("inject needs Linux", code: 1)
                #endif
            case "client":
                guard let name = options.value("scenario"), let scenario = ScenarioCatalog.named(name) else { fail("client needs --scenario NAME") }
                guard let gate = options.value("gate") else { fail("client needs --gate FILE") }
                labLog("client: scenario \(name)")
                TrafficClient(profile: scenario.profile, gate: ActivityGate(path: gate)).run()
            case "reset":
                guard let directory = options.value("run-dir") else { fail("reset needs --run-dir") }
                try ScenarioRunner(runDirectory: directory, tool: executablePath()).resetCensor()
            case "run":
                guard let directory = options.value("run-dir"), let output = options.value("out") else { fail("run needs --run-dir and --out") }
                let names = options.positional == ["all"] ? ScenarioCatalog.all.map(\.name) : options.positional
                guard !names.isEmpty else { fail("run needs scenario names or 'all'") }
                let scenarios = names.map { name -> Scenario in
                    guard let scenario = ScenarioCatalog.named(name) else { fail("no scenario \(name); see lab-traffic list") }
                    return scenario
                }
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                let runner = ScenarioRunner(runDirectory: directory, tool: executablePath())
                for scenario in scenarios {
                    let started = Date()
                    let truth = try runner.record(scenario, into: output)
                    let size = (try? FileManager.default.attributesOfItem(atPath: output + "/" + scenario.file))?[.size] as? Int ?? 0
                    labLog(String(format: "%@: %@ %.1f MB, %d packets, %d flows, %.0f s",
                                  scenario.name, scenario.file, Double(size) / 1e6, truth.capture.packets, truth.flows.count,
                                  Date().timeIntervalSince(started)))
                    if size > 5_000_000 { labLog("WARNING: \(scenario.file) is over 5 MB") }
                }
            case "list":
                for scenario in ScenarioCatalog.all + [ScenarioCatalog.selftest] {
                    print("\(scenario.name)\t\(scenario.file)\t\(Int(scenario.totalSeconds)) s\t\(scenario.description)")
                }
            default:
                fail(usage)
            }
        } catch {
            fail("\(command): \(error)", code: 1)
        }
        exit(0)
    }

    /// Writes the generated configuration: resolvers, nginx, the host list for setup.sh.
    static func writePlan(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for region in [LabRegion.international, .domestic] {
            try LabConfigFiles.resolver(region: region, runDirectory: directory)
                .write(toFile: "\(directory)/dnsmasq-\(region.rawValue).conf", atomically: true, encoding: .utf8)
            try LabConfigFiles.nginx(region: region, runDirectory: directory)
                .write(toFile: "\(directory)/nginx-\(region.rawValue).conf", atomically: true, encoding: .utf8)
        }
        // region, id, IPv4, IPv6 ("-" for none): what setup.sh puts on the servers' loopbacks.
        var lines: [String] = []
        for host in LabPlan.hosts {
            lines.append("\(host.region.rawValue)\t\(host.id)\t\(host.labV4)\t\(host.labV6?.description ?? "-")")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(directory)/hosts.tsv", atomically: true, encoding: .utf8)
        // Every name, for the self-signed certificate's subjectAltName.
        let names = Set(LabPlan.hosts.flatMap(\.names)).sorted()
        try (names.joined(separator: "\n") + "\n").write(toFile: "\(directory)/names.txt", atomically: true, encoding: .utf8)
    }

    public static func rewriteMain(_ arguments: [String]) -> Never {
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: lab-rewrite RAW.pcap OUT.pcap   (lab addresses → the services' real addresses)\n".utf8))
            exit(64)
        }
        do {
            let statistics = try AddressRewriter.rewriteFile(input: arguments[0], output: arguments[1])
            print("lab-rewrite: \(statistics)")
        } catch {
            FileHandle.standardError.write(Data("lab-rewrite: \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }
}
