import Foundation
import Testing
import BlockWatch
import Capture
import Flows
import Identification
import Wire

/// BlockWatch's Telegram, WhatsApp and Signal labels against nDPI's expected output for the
/// real captures of nDPI's own test suite (`../shared/corpus/ndpi/`). nDPI's labels are another
/// tool's opinion: where the packets prove nDPI wrong, `explained` names the flow and the reason.
@Suite("Identification against nDPI's labelled captures")
struct NDPICorpusIdentificationTests {
    static let targetServices: [String: ServiceName] = ["telegram": .telegram, "whatsapp": .whatsapp, "signal": .signal]

    /// A flow as nDPI's expected output lists it.
    struct LabelledFlow {
        var tuple: TsharkDifferentialTests.Tuple
        var label: String          // nDPI's protocol name, e.g. "TLS.WhatsApp"
        /// Telegram, WhatsApp or Signal when nDPI's label names one of them.
        var service: ServiceName?
    }

    /// Parses lines like `\t12\tTCP 10.0.0.1:5000 <-> 1.2.3.4:443 [proto: 91.142/TLS.WhatsApp][...`.
    static func expectedFlows(_ capture: String) throws -> [LabelledFlow] {
        let name = URL(fileURLWithPath: capture).lastPathComponent
        let path = TestCaptures.sharedCorpusRoot.appendingPathComponent("ndpi/expected/\(name).out").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var flows: [LabelledFlow] = []
        for line in text.split(separator: "\n") where line.hasPrefix("\t") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 5, let protoField = line.range(of: "[proto: ") else { continue }
            let transport = parts[0].split(separator: "\t").last.map(String.init)?.lowercased() ?? ""
            guard transport == "tcp" || transport == "udp" else { continue }
            guard let a = NDPICorpusIdentificationTests.endpoint(String(parts[1])),
                  let b = NDPICorpusIdentificationTests.endpoint(String(parts[3])) else { continue }
            let rest = line[protoField.upperBound...]
            let label = String(rest.prefix { $0 != "]" }.split(separator: "/").last ?? "")
            let lowered = label.lowercased()
            let service = targetServices.first { lowered.contains($0.key) }?.value
            flows.append(LabelledFlow(tuple: .init(transport, a.0, a.1, b.0, b.1), label: label, service: service))
        }
        return flows
    }

    static func endpoint(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        guard let address = IPAddress(host) else { return nil }
        return (address.description, port)
    }

    /// BlockWatch's app per 5-tuple (a tuple split into several flows keeps its first named app).
    static func blockWatchApps(_ capture: String) throws -> [TsharkDifferentialTests.Tuple: FlowIdentity] {
        let reader = try CaptureReader(paths: [capture])
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          configuration: FlowTableConfiguration(), catalog: try SignatureCatalog.bundled())
        var identities: [TsharkDifferentialTests.Tuple: FlowIdentity] = [:]
        let record = { (r: FlowRecord, identity: FlowIdentity) in
            guard r.protocolNumber == 6 || r.protocolNumber == 17 else { return }
            let tuple = TsharkDifferentialTests.Tuple(r.protocolNumber == 6 ? "tcp" : "udp",
                                                      r.originator.address.description, Int(r.originator.port),
                                                      r.responder.address.description, Int(r.responder.port))
            if identities[tuple]?.app == nil { identities[tuple] = identity }
        }
        _ = try reader.forEachPacket { packet in pipeline.process(packet, emit: record) }
        pipeline.finish(emit: record)
        return identities
    }

    /// Flows where the packets show nDPI is wrong, by file then tuple, with the reason.
    static let explained: [String: [String: String]] = [:]

    struct Tally {
        var expected = 0, matched = 0
        var missed: [String] = []
        var falseLabels: [String] = []
        var confusion: [String: [String: Int]] = [:]   // nDPI's service → BlockWatch's app → flows
    }

    static func tally() throws -> Tally {
        var tally = Tally()
        let captures = TestCaptures.files(in: TestCaptures.sharedCorpusRoot.appendingPathComponent("ndpi/pcap"))
        for capture in captures {
            let name = URL(fileURLWithPath: capture).lastPathComponent
            let theirs = try expectedFlows(capture)
            let ours = try blockWatchApps(capture)
            for flow in theirs {
                let mine = ours[flow.tuple]?.app
                let explanation = explained[name]?[flow.tuple.description]
                let column = mine.map { targetServices.values.contains($0) ? $0.rawValue : "other" } ?? "none"
                tally.confusion[flow.service?.rawValue ?? "other", default: [:]][column, default: 0] += 1
                if let service = flow.service {
                    tally.expected += 1
                    if mine == service || explanation != nil {
                        tally.matched += 1
                    } else {
                        tally.missed.append("\(name): \(flow.tuple) nDPI \(flow.label), BlockWatch \(mine?.rawValue ?? "none")")
                    }
                } else if let mine, targetServices.values.contains(mine), explanation == nil {
                    tally.falseLabels.append("\(name): \(flow.tuple) nDPI \(flow.label), BlockWatch \(mine.rawValue) via \(ours[flow.tuple]?.evidence?.rawValue ?? "?")")
                }
            }
        }
        return tally
    }

    @Test("≥ 98 % of nDPI's Telegram, WhatsApp and Signal flows get the same label; none of those labels lands on other traffic")
    func agreesWithNDPI() throws {
        let tally = try NDPICorpusIdentificationTests.tally()
        var table = "nDPI \\ BlockWatch"
        let columns = ["telegram", "whatsapp", "signal", "other", "none"]
        table += columns.map { "\t" + $0 }.joined() + "\n"
        for row in ["telegram", "whatsapp", "signal", "other"] {
            table += row + columns.map { "\t\(tally.confusion[row]?[$0] ?? 0)" }.joined() + "\n"
        }
        print("identification against nDPI: \(tally.matched)/\(tally.expected) target flows agree\n" + table)
        for line in tally.missed { print("missed: " + line) }
        for line in tally.falseLabels { print("false label: " + line) }
        #expect(tally.expected >= 150, "the corpus should hold nDPI's Telegram/WhatsApp/Signal flows")
        #expect(Double(tally.matched) >= 0.98 * Double(tally.expected),
                "\(tally.matched)/\(tally.expected): \(tally.missed.prefix(10).joined(separator: "; "))")
        #expect(tally.falseLabels.isEmpty, "\(tally.falseLabels.prefix(10).joined(separator: "; "))")
    }
}
