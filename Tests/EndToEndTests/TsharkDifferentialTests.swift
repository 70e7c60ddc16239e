import Foundation
import Testing
import BlockWatch
import Capture
import Flows
import Identification
import Wire

/// BlockWatch's flows against tshark's view of the same packets: the same set of TCP/UDP
/// 5-tuples and the same packet count in each direction. tshark is the oracle because it is
/// the most widely trusted dissector; where the two differ, the test says who is right.
@Suite("Flows agree with tshark")
struct TsharkDifferentialTests {
    /// A 5-tuple in canonical order, and a direction along it.
    struct Tuple: Hashable, CustomStringConvertible {
        var proto: String
        var a: String, aPort: Int, b: String, bPort: Int

        init(_ proto: String, _ x: String, _ xPort: Int, _ y: String, _ yPort: Int) {
            self.proto = proto
            let xFirst = IPAddress(x)! < IPAddress(y)! || (x == y && xPort <= yPort)
            (a, aPort, b, bPort) = xFirst ? (x, xPort, y, yPort) : (y, yPort, x, xPort)
        }

        func isForward(from address: String, _ port: Int) -> Bool { address == a && port == aPort }
        var description: String { "\(proto) \(a):\(aPort) <-> \(b):\(bPort)" }
    }

    struct Counts: Equatable { var forward = 0, backward = 0 }

    /// tshark's frames per tuple and direction. ICMP errors that quote a TCP or UDP header are
    /// left out: tshark shows the quoted ports, while BlockWatch attributes the error to the flow
    /// as an ICMP error, not as one of its packets.
    static func tsharkCounts(_ file: String) throws -> [Tuple: Counts] {
        let output = try TestCaptures.run("tshark", [
            "-r", file, "-Y", "(tcp or udp) and not icmp and not icmpv6", "-T", "fields", "-E", "occurrence=f",
            "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
            "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport",
        ])
        var counts: [Tuple: Counts] = [:]
        for line in output.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8 else { continue }
            let source = IPAddress(f[0].isEmpty ? f[2] : f[0])!.description
            let destination = IPAddress(f[1].isEmpty ? f[3] : f[1])!.description
            let isTCP = !f[4].isEmpty
            let sourcePort = Int(isTCP ? f[4] : f[6])!, destinationPort = Int(isTCP ? f[5] : f[7])!
            let tuple = Tuple(isTCP ? "tcp" : "udp", source, sourcePort, destination, destinationPort)
            if tuple.isForward(from: source, sourcePort) { counts[tuple, default: Counts()].forward += 1 }
            else { counts[tuple, default: Counts()].backward += 1 }
        }
        return counts
    }

    /// BlockWatch's packets per tuple and direction; a tuple split into several flows (by
    /// timeouts or port reuse) is summed.
    static func blockWatchCounts(_ file: String) throws -> (counts: [Tuple: Counts], summary: CaptureSummary) {
        let reader = try CaptureReader(paths: [file])
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          configuration: FlowTableConfiguration(), catalog: try SignatureCatalog.bundled())
        var records: [FlowRecord] = []
        _ = try reader.forEachPacket { packet in pipeline.process(packet) { record, _ in records.append(record) } }
        pipeline.finish { record, _ in records.append(record) }
        var counts: [Tuple: Counts] = [:]
        for r in records where r.protocolNumber == 6 || r.protocolNumber == 17 {
            let o = r.originator.address.description, p = r.responder.address.description
            let tuple = Tuple(r.protocolNumber == 6 ? "tcp" : "udp", o, Int(r.originator.port), p, Int(r.responder.port))
            var c = counts[tuple, default: Counts()]
            if tuple.isForward(from: o, Int(r.originator.port)) {
                c.forward += r.originatorCounters.packets
                c.backward += r.responderCounters.packets
            } else {
                c.backward += r.originatorCounters.packets
                c.forward += r.responderCounters.packets
            }
            counts[tuple] = c
        }
        return (counts, pipeline.summary)
    }

    struct Comparison {
        var file: String
        var tsharkTuples = 0, matched = 0, extra = 0, countsDiffer = 0
        var differences: [String] = []
    }

    static func compare(_ file: String) throws -> Comparison {
        let theirs = try tsharkCounts(file)
        let ours = try blockWatchCounts(file).counts
        var result = Comparison(file: file, tsharkTuples: theirs.count)
        for (tuple, count) in theirs {
            guard let mine = ours[tuple] else {
                result.differences.append("missing \(tuple) (tshark \(count.forward)/\(count.backward))")
                continue
            }
            result.matched += 1
            if mine != count {
                result.countsDiffer += 1
                result.differences.append("\(tuple): tshark \(count.forward)/\(count.backward), BlockWatch \(mine.forward)/\(mine.backward)")
            }
        }
        for tuple in ours.keys where theirs[tuple] == nil {
            result.extra += 1
            result.differences.append("extra \(tuple)")
        }
        return result
    }

    static let allCaptures = TestCaptures.bundled + TestCaptures.sharedCorpus

    /// Differences examined packet by packet, with who is right. Keyed by file name, then by the
    /// difference as `compare` words it.
    static let explained: [String: [String: String]] = [
        "truncated-packets.pcap": [
            "missing tcp 192.0.2.10:47002 <-> 203.0.113.5:80 (tshark 1/0)":
                "The only packet of this tuple has a TCP data offset of 3 (12 bytes), which is impossible. "
                + "tshark still counts it in the conversation because the ports are readable; BlockWatch, like "
                + "Zeek (bad_TCP_header_len), does not trust a segment whose header is invalid and counts it as "
                + "the decode issue tcp_data_offset_too_short instead. Both account for the packet.",
        ],
    ]

    @Test("there are captures to compare: the project's own and the shared corpus")
    func capturesExist() {
        #expect(TestCaptures.bundled.count >= 8, "captures/ should hold the project's own captures")
        #expect(TestCaptures.sharedCorpus.count >= 60, "../shared/corpus should be beside the project root")
    }

    @Test("each capture: the same 5-tuples and per-direction packet counts as tshark", arguments: allCaptures)
    func agreesWithTshark(file: String) throws {
        let comparison = try TsharkDifferentialTests.compare(file)
        let name = URL(fileURLWithPath: file).lastPathComponent
        let unexplained = comparison.differences.filter { TsharkDifferentialTests.explained[name]?[$0] == nil }
        #expect(unexplained.isEmpty, "\(name): \(unexplained.prefix(5).joined(separator: "; "))")
    }

    @Test("over all captures: at least 99.5 % of tshark's 5-tuples found, at most 0.5 % extra")
    func overallAgreement() throws {
        var tshark = 0, matched = 0, extra = 0, equalCounts = 0
        for file in TsharkDifferentialTests.allCaptures {
            let c = try TsharkDifferentialTests.compare(file)
            tshark += c.tsharkTuples
            matched += c.matched
            extra += c.extra
            equalCounts += c.matched - c.countsDiffer
        }
        print("tshark differential: \(tshark) tuples in tshark, \(matched) matched, \(extra) extra, \(equalCounts) with equal per-direction counts")
        #expect(tshark > 1000)
        #expect(Double(matched) >= 0.995 * Double(tshark))
        #expect(Double(extra) <= 0.005 * Double(tshark))
    }

    @Test("every packet is accounted for: in a flow, not IP, merged into a datagram, or a named issue", arguments: allCaptures)
    func everyPacketAccounted(file: String) throws {
        let summary = try TsharkDifferentialTests.blockWatchCounts(file).summary
        #expect(summary.packets > 0)
        #expect(summary.isBalanced,
                "\(summary.packets) ≠ \(summary.inFlows) + \(summary.notIP) + \(summary.fragmentsMerged) + \(summary.undecodable)")
    }
}
