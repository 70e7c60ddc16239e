import Foundation
import Testing
import PacketCrafting

/// Identification as a user sees it in `blockwatch flows`: the flows a blocking report needs
/// most — attempts that never got an answer — are still named, and say how.
@Suite("Naming flows that never got an answer")
struct IdentificationScenarioTests {
    static let start: Int64 = 1_641_340_800_000_000_000

    /// A DNS lookup of web.telegram.org answered with 149.154.167.99, then SYNs to it that go
    /// unanswered; SYNs to a Telegram DC with no lookup; SYNs to a Meta address; a ClientHello
    /// for chat.signal.org that is dropped after the handshake; a lookup of a WhatsApp name.
    static func capture() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-id-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lookup = UDPExchange(client: "192.0.2.10:53001", server: "192.0.2.1:53", startNanoseconds: start,
                                 request: DNSMessageBuilder.query(id: 7, name: "web.telegram.org"),
                                 response: DNSMessageBuilder.response(id: 7, name: "web.telegram.org", answers: ["149.154.167.99"]))
        let toTelegramByName = TCPConversation(client: "192.0.2.10:40001", server: "149.154.167.99:443",
                                               startNanoseconds: start + 100_000_000, shape: .unansweredSYN(retries: 2))
        let toTelegramDC = TCPConversation(client: "192.0.2.10:40002", server: "91.108.56.130:443",
                                           startNanoseconds: start + 200_000_000, shape: .unansweredSYN(retries: 2))
        let toMeta = TCPConversation(client: "192.0.2.10:40003", server: "157.240.1.60:443",
                                     startNanoseconds: start + 300_000_000, shape: .unansweredSYN(retries: 1))
        let hello = TLSHelloBuilder(serverName: "chat.signal.org").clientHelloRecord
        let toSignal = TCPConversation(client: "192.0.2.10:40004", server: "198.51.100.77:443",
                                       startNanoseconds: start + 400_000_000, shape: .resetAfterHandshake,
                                       exchanges: [TCPExchange(request: hello, response: [])])
        let whatsappLookup = UDPExchange(client: "192.0.2.10:53002", server: "192.0.2.1:53", startNanoseconds: start + 500_000_000,
                                         request: DNSMessageBuilder.query(id: 8, name: "mmg.whatsapp.net"), response: nil)
        let domesticSite = TCPConversation(client: "192.0.2.10:40005", server: "203.0.113.80:443",
                                           startNanoseconds: start + 600_000_000, shape: .unansweredSYN(retries: 0))
        let path = folder + "/attempts.pcap"
        try CaptureFileWriting.write(lookup.packets() + toTelegramByName.packets() + toTelegramDC.packets() + toMeta.packets()
                                     + toSignal.packets() + whatsappLookup.packets() + domesticSite.packets(),
                                     to: path, link: .ethernet(EthernetFraming()))
        return path
    }

    static func flows(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try CommandLineTests.blockwatch(["flows", try capture(), "--format", "jsonl"] + arguments)
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func flow(_ flows: [[String: Any]], port: Int) -> [String: Any]? {
        flows.first { ($0["id.orig_p"] as? Int) == port }
    }

    @Test("a SYN-only flow to an address a DNS answer named is that service, by dns")
    func synOnlyNamedByDNS() throws {
        let flow = try #require(Self.flow(try Self.flows([]), port: 40001))
        #expect(flow["conn_state"] as? String == "S0")
        #expect(flow["app"] as? String == "telegram")
        #expect(flow["app_evidence"] as? String == "dns")
        #expect(flow["server_name"] as? String == "web.telegram.org")
    }

    @Test("a SYN-only flow to a Telegram DC with no lookup is Telegram, by ip")
    func synOnlyNamedByPrefix() throws {
        let flow = try #require(Self.flow(try Self.flows([]), port: 40002))
        #expect(flow["app"] as? String == "telegram")
        #expect(flow["app_evidence"] as? String == "ip")
    }

    @Test("a SYN-only flow to shared Meta infrastructure is 'meta', never guessed as WhatsApp")
    func sharedInfrastructure() throws {
        let flow = try #require(Self.flow(try Self.flows([]), port: 40003))
        #expect(flow["app"] as? String == "meta")
        #expect(flow["confidence"] as? String == "low")
    }

    @Test("a ClientHello answered by a reset is named by its SNI")
    func helloNamedBySNI() throws {
        let flow = try #require(Self.flow(try Self.flows([]), port: 40004))
        #expect(flow["service"] as? String == "ssl")
        #expect(flow["app"] as? String == "signal")
        #expect(flow["app_evidence"] as? String == "sni")
        #expect(flow["confidence"] as? String == "high")
    }

    @Test("an unanswered lookup of a WhatsApp name is a WhatsApp DNS attempt")
    func lookupNamedByQuestion() throws {
        let flow = try #require(Self.flow(try Self.flows([]), port: 53002))
        #expect(flow["service"] as? String == "dns")
        #expect(flow["app"] as? String == "whatsapp")
        #expect(flow["conn_state"] as? String == "S0")
    }

    @Test("--domestic names in-country servers the DOMESTIC group")
    func domestic() throws {
        let named = try #require(Self.flow(try Self.flows(["--domestic", "203.0.113.0/24"]), port: 40005))
        #expect(named["app"] as? String == "domestic")
        let unnamed = try #require(Self.flow(try Self.flows([]), port: 40005))
        #expect(unnamed["app"] == nil)
    }

    @Test("--no-identify writes flows without identification")
    func noIdentify() throws {
        let flow = try #require(Self.flow(try Self.flows(["--no-identify"]), port: 40001))
        #expect(flow["app"] == nil)
        #expect(flow["conn_state"] as? String == "S0")
    }
}

@Suite("blockwatch services")
struct ServicesCommandTests {
    @Test("lists every service with its category, entries and the age of its sources")
    func listing() throws {
        let result = try CommandLineTests.blockwatch("services")
        #expect(result.status == 0)
        for service in ["telegram", "whatsapp", "signal", "meta", "google", "wikipedia"] {
            #expect(result.standardOutput.contains("\n\(service) "), "missing \(service)")
        }
        #expect(result.standardOutput.contains("shared by facebook, instagram, messenger, whatsapp"))
    }

    @Test("--entries shows each entry's source and retrieval date; --format json is machine-readable")
    func entries() throws {
        let text = try CommandLineTests.blockwatch("services", "--entries")
        #expect(text.standardOutput.contains("149.154.160.0/20"))
        #expect(text.standardOutput.contains("source: "))
        let json = try CommandLineTests.blockwatch("services", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "blockwatch.services/1")
        #expect((object["services"] as? [Any])?.count ?? 0 >= 15)
    }

    @Test("stale address lists are warned about")
    func staleWarning() throws {
        let result = try CommandLineTests.blockwatch("services", "--stale-after", "1")
        #expect(result.standardOutput.contains("warning: "))
    }

    @Test("a user's signature file adds a service; a bad one is a one-line error naming file and value")
    func userSignatures() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-sig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = """
            {"format": "blockwatch.signatures/1", "service": "newsite", "category": "news", "version": "2026-11-01",
             "entries": [{"kind": "domain", "value": "news.example", "source": "test", "retrieved": "2026-11-01", "volatility": "slow"}]}
            """
        try good.write(toFile: folder + "/newsite.json", atomically: true, encoding: .utf8)
        let listed = try CommandLineTests.blockwatch("services", "--signatures", folder + "/newsite.json")
        #expect(listed.status == 0, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("\nnewsite "))
        let bad = good.replacingOccurrences(of: "\"kind\": \"domain\", \"value\": \"news.example\"",
                                            with: "\"kind\": \"ipv4_prefix\", \"value\": \"10.0.0.300/8\"")
        try bad.write(toFile: folder + "/bad.json", atomically: true, encoding: .utf8)
        let refused = try CommandLineTests.blockwatch("services", "--signatures", folder + "/bad.json")
        BadInputTests.expectOneLineError(refused, containing: "10.0.0.300/8")
    }
}
