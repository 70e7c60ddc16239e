import Foundation
import Testing

/// `blockwatch analyze` on real captures of blocking and of look-alikes (`../shared/corpus/censorship`,
/// read in place): it must find what each capture's MANIFEST describes, and never call a
/// look-alike censorship.
@Suite("Real censorship captures and look-alikes")
struct CensorshipCorpusTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var category: String
        var testDescription: String { "\(URL(fileURLWithPath: file).lastPathComponent) (\(category))" }
    }

    static let cases: [Case] = {
        let root = TestCaptures.sharedCorpusRoot.appendingPathComponent("censorship")
        guard let manifest = try? String(contentsOf: root.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8) else { return [] }
        return manifest.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count > 5 else { return nil }
            return Case(file: root.appendingPathComponent(String(columns[0])).path, category: String(columns[5]))
        }
    }()

    static func report(_ file: String) throws -> [String: Any] {
        let result = try CommandLineTests.blockwatch("analyze", file, "--format", "json")
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    static func outcomes(_ report: [String: Any]) -> [String: Int] {
        (report["outcomes"] as? [String: Int]) ?? [:]
    }

    static func events(_ report: [String: Any]) -> [[String: Any]] {
        let services = (report["services"] as? [[String: Any]]) ?? []
        let network = ((report["network"] as? [String: Any])?["events"] as? [[String: Any]]) ?? []
        return services.flatMap { ($0["events"] as? [[String: Any]]) ?? [] } + network.filter { ($0["state"] as? String) != "gap" }
    }

    @Test("the MANIFEST lists the eleven captures")
    func manifest() {
        #expect(Self.cases.count == 11)
    }

    @Test("each capture gives what its MANIFEST describes", arguments: cases)
    func matchesManifest(_ c: Case) throws {
        let report = try Self.report(c.file)
        let outcomes = Self.outcomes(report)
        let events = Self.events(report)
        switch c.category {
        case let category where category.hasPrefix("rst-injection"):
            // Injected resets are called injection, attempt by attempt.
            #expect((outcomes["rst-injected"] ?? 0) >= 1, "\(outcomes)")
            #expect(events.allSatisfy { ($0["mechanism"] as? String) == "rst-injection" }, "\(events.map { $0["mechanism"] ?? "-" })")
        case let category where category.hasPrefix("drop/quic"):
            #expect((outcomes["quic-timeout"] ?? 0) >= 5, "\(outcomes)")
            #expect((outcomes["rst-injected"] ?? 0) == 0)
        case let category where category.hasPrefix("lookalike"):
            // A genuine refusal, plain loss, a local DNS fault: never censorship.
            #expect(events.isEmpty, "\(events)")
            for active in ["rst-injected", "icmp-prohibited", "dns-bogus", "dns-injected", "http-blockpage"] {
                #expect((outcomes[active] ?? 0) == 0, "\(active) in \(outcomes)")
            }
        default:
            // The archive.org control: the same endpoint with SNI example.com, no resets.
            #expect((outcomes["rst-injected"] ?? 0) == 0, "\(outcomes)")
            #expect(events.isEmpty)
        }
    }
}
