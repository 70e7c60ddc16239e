import BlockWatch
import Capture
import Flows
import Foundation
import Identification
import Testing
import Wire

/// Evidence integrity (issue 8): no packet is dropped silently. On every capture the project has
/// and every capture of the shared corpus, `packets = in flows + not IP + fragments merged +
/// undecodable`, every undecodable packet sits under a named decode issue, and the reports say so
/// with the numbers: the flows summary and analyze's JSON `capture.accounting`.
@Suite("Every packet is in a flow or in a named counter, and the reports say so")
struct EvidenceIntegrityTests {
    /// captures/ with its subfolders (lab/), and the shared corpus (ndpi, censorship).
    static let allCaptures: [String] = {
        var files: [String] = []
        let root = TestCaptures.projectRoot.appendingPathComponent("captures")
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            for case let name as String in walker where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
                files.append(root.appendingPathComponent(name).path)
            }
        }
        return files.sorted() + TestCaptures.sharedCorpus
    }()

    /// The run's summary, and the packets its flow records hold.
    static func summary(of file: String) throws -> (CaptureSummary, packetsInRecords: Int) {
        let reader = try CaptureReader(paths: [file])
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          configuration: FlowTableConfiguration(), catalog: try SignatureCatalog.bundled())
        var packetsInRecords = 0
        _ = try reader.forEachPacket { packet in pipeline.process(packet) { record, _ in packetsInRecords += record.packets } }
        pipeline.finish { record, _ in packetsInRecords += record.packets }
        return (pipeline.summary, packetsInRecords)
    }

    @Test("the captures are there: the project's own, the lab's and the shared corpus")
    func capturesExist() {
        #expect(EvidenceIntegrityTests.allCaptures.filter { $0.contains("/captures/lab/") }.count >= 10)
        #expect(EvidenceIntegrityTests.allCaptures.count >= 80, "../shared/corpus should be beside the project root")
    }

    @Test("packets = in flows + not IP + fragments merged + undecodable, by named issue", arguments: allCaptures)
    func identityHolds(file: String) throws {
        let (s, packetsInRecords) = try EvidenceIntegrityTests.summary(of: file)
        let name = URL(fileURLWithPath: file).lastPathComponent
        #expect(s.packets > 0, "\(name)")
        #expect(s.packets == s.inFlows + s.notIP + s.fragmentsMerged + s.undecodable,
                "\(name): \(s.packets) ≠ \(s.inFlows) + \(s.notIP) + \(s.fragmentsMerged) + \(s.undecodable)")
        let named = s.undecodableByIssue.reduce(0) { $0 + $1.count }
        #expect(s.undecodable == named, "\(name): \(s.undecodable) undecodable, \(named) under named issues")
        #expect(s.notIP == s.notIPByType.values.reduce(0, +), "\(name): not-IP packets by EtherType")
        // The flow records hold the packets counted in flows (ICMP errors attributed to a flow are
        // counted in it too, as icmp_errors rather than as packets).
        #expect(packetsInRecords + s.flowTable.icmpErrorsAttributed == s.inFlows, "\(name): packets in flow records")
        #expect(s.isBalanced)
        #expect(s.text.contains("packets: \(s.packets) = \(s.inFlows) in flows + \(s.notIP) not IP"), "\(name): \(s.text)")
        #expect(s.text.contains("every packet accounted for"))
    }

    @Test("the flows summary and analyze's JSON state the identity", arguments: allCaptures)
    func reportsStateIt(file: String) throws {
        let flows = try CommandLineTests.blockwatch("flows", file, "--format", "jsonl", "-o", "/dev/null", "--no-progress")
        #expect(flows.status == 0)
        let line = try #require(flows.standardError.split(separator: "\n").first { $0.hasPrefix("packets: ") })
        #expect(line.hasSuffix(": every packet accounted for"), "\(line)")
        // "packets: P = F in flows + N not IP (arp 2) + M fragments merged into datagrams + U undecodable (...)"
        let (total, terms) = EvidenceIntegrityTests.identity(in: String(line))
        #expect(terms.count == 4, "\(line)")
        #expect(total == terms.reduce(0, +), "\(line)")

        let analyze = try CommandLineTests.blockwatch("analyze", file, "--format", "json", "--no-progress")
        #expect(analyze.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(analyze.standardOutput.utf8)) as? [String: Any]
        let capture = try #require(json?["capture"] as? [String: Any])
        let accounting = try #require(capture["accounting"] as? [String: Any])
        let packets = try #require(accounting["packets"] as? Int)
        let parts = ["in_flows", "not_ip", "fragments_merged", "undecodable"].compactMap { accounting[$0] as? Int }
        #expect(parts.count == 4)
        #expect(packets == parts.reduce(0, +))
        #expect(packets == capture["packets"] as? Int)
        let byIssue = try #require(accounting["undecodable_by_issue"] as? [String: Int])
        #expect(byIssue.values.reduce(0, +) == parts[3])
        #expect(accounting["balanced"] as? Bool == true)
        #expect(capture["evictions"] as? [String: Int] == ["flows": 0, "fragments": 0, "dns_names": 0, "call_endpoints": 0, "payload_cut_short": 0])
    }

    /// The total and the leading number of each term of the summary's accounting line.
    static func identity(in line: String) -> (total: Int?, terms: [Int]) {
        let sides = line.dropFirst("packets: ".count).components(separatedBy: " = ")
        guard sides.count == 2 else { return (nil, []) }
        let terms = sides[1].components(separatedBy: " + ").compactMap { Int($0.prefix { $0.isNumber }) }
        return (Int(sides[0]), terms)
    }
}
