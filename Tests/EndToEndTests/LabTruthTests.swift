import Foundation
import Testing

/// `blockwatch analyze` on the censor lab's recorded scenarios (`captures/lab/`), against the
/// truth file recorded beside each: the right state and mechanism for each service in each
/// phase, boundaries within one bin, and no blocking or cutoff where there was none.
@Suite("Verdicts on the lab's scenarios match their truth")
struct LabTruthTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        var capture: String
        var truth: String
        var testDescription: String { URL(fileURLWithPath: capture).lastPathComponent }
    }

    static let scenarios: [Scenario] = {
        let folder = TestCaptures.projectRoot.appendingPathComponent("captures/lab")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".truth.json") }.sorted().compactMap { name in
            let base = String(name.dropLast(".truth.json".count))
            guard let capture = ["pcap", "pcapng"].map({ folder.appendingPathComponent("\(base).\($0)").path })
                .first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
            return Scenario(capture: capture, truth: folder.appendingPathComponent(name).path)
        }
    }()

    static let blocking: Set<String> = ["blocked", "partially-blocked", "throttled"]

    /// Phases whose traffic is too thin for a verdict, examined by hand. Keyed by capture, then
    /// "phase/service"; the attempt-level outcome that must still be there instead.
    static let explained: [String: [String: (reason: String, outcome: String)]] = [
        "sni-filtering.pcapng": [
            "censored/telegram": ("only the web client is filtered: one web.telegram.org attempt every 26 s while "
                                  + "MTProto keeps working, so no 30 s window holds 3 failures (the evidence floor); "
                                  + "each web attempt is judged tls-hello-timeout", "tls-hello-timeout"),
        ],
    ]

    @Test("the same capture gives the same report, byte for byte")
    func deterministic() throws {
        let capture = TestCaptures.projectRoot.appendingPathComponent("captures/lab/dns-tampering.pcap").path
        let runs = try (0..<3).map { _ in try CommandLineTests.blockwatch("analyze", capture, "--format", "json").standardOutput }
        #expect(!runs[0].isEmpty)
        #expect(Set(runs).count == 1)
    }

    @Test("the lab has recorded scenarios with truth files")
    func scenariosExist() {
        #expect(Self.scenarios.count >= 1)
    }

    @Test("each phase's states and mechanisms", arguments: scenarios)
    func matchesTruth(_ scenario: Scenario) throws {
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scenario.truth))) as? [String: Any])
        let groups = truth["groups"] as? [String: Any]
        let domestic = (groups?["domestic_prefixes"] as? [String]) ?? []
        var arguments = ["analyze", scenario.capture, "--format", "json"]
        if !domestic.isEmpty { arguments += ["--domestic", domestic.joined(separator: ",")] }
        let run = try CommandLineTests.blockwatch(arguments)
        #expect(run.status == 0, "\(run.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let binSeconds = try #require(report["bin_seconds"] as? Double)
        let firstBin = try #require(report["first_bin_start"] as? Double)
        let networkBins = ((report["network"] as? [String: Any])?["bins"] as? [String]) ?? []
        let services = (report["services"] as? [[String: Any]]) ?? []
        func serviceReport(_ name: String) -> [String: Any]? { services.first { ($0["service"] as? String) == name } }

        for phase in (truth["phases"] as? [[String: Any]]) ?? [] {
            guard let start = phase["start"] as? Double, let end = phase["end"] as? Double else { continue }
            // Bins wholly inside the phase, less one at each end: boundaries may be a bin off.
            let from = Int(((start - firstBin) / binSeconds).rounded(.up)) + 1
            let to = Int(((end - firstBin) / binSeconds).rounded(.down)) - 2
            guard from <= to else { continue }
            let name = phase["name"] as? String ?? "?"
            let expectedNetwork = phase["network"] as? String ?? "ok"
            let seenNetwork = Set(networkBins[max(0, from)...min(networkBins.count - 1, to)])
            if expectedNetwork == "cutoff" || expectedNetwork == "international-cutoff" {
                #expect(seenNetwork.contains(expectedNetwork), "\(name): network \(seenNetwork), truth \(expectedNetwork)")
            } else {
                #expect(!seenNetwork.contains("cutoff") && !seenNetwork.contains("international-cutoff"),
                        "\(name): network \(seenNetwork), truth \(expectedNetwork)")
            }
            for (service, value) in (phase["services"] as? [String: [String: String]]) ?? [:] {
                let expected = value["state"] ?? "no-evidence"
                let entry = serviceReport(service)
                let bins = ((entry?["bins"] as? [String: Any])?["states"] as? [String]) ?? []
                let seen = bins.isEmpty ? Set<String>() : Set(bins[max(0, from)...min(bins.count - 1, to)])
                if Self.blocking.contains(expected),
                   let known = Self.explained[URL(fileURLWithPath: scenario.capture).lastPathComponent]?["\(name)/\(service)"] {
                    let outcomes = (report["outcomes"] as? [String: Int]) ?? [:]
                    #expect((outcomes[known.outcome] ?? 0) >= 1, "\(name): \(service): \(known.reason)")
                } else if Self.blocking.contains(expected) {
                    #expect(seen.contains(expected), "\(name): \(service) \(seen), truth \(expected)")
                    let mechanism = value["mechanism"] ?? "none"
                    let events = (entry?["events"] as? [[String: Any]]) ?? []
                    let overlapping = events.filter { ($0["start"] as? Double ?? 0) < end && ($0["end"] as? Double ?? 0) > start }
                    #expect(overlapping.contains { ($0["mechanism"] as? String) == mechanism },
                            "\(name): \(service) mechanisms \(overlapping.map { $0["mechanism"] ?? "-" }), truth \(mechanism)")
                } else if expected == "ok" {
                    #expect(seen.isDisjoint(with: Self.blocking), "\(name): \(service) \(seen), truth ok")
                }
            }
        }
    }
}
