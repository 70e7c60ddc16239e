import Foundation
import Testing
import Wire
@testable import Identification

/// A signature file written by hand for a test.
private func signatureFile(service: String, category: String = "messenger", sharedMembers: [String]? = nil,
                   controlServices: [String]? = nil, entries: [[String: Any]]) -> Data {
    var object: [String: Any] = ["format": "blockwatch.signatures/1", "service": service, "version": "2026-11-29",
                                 "category": category, "entries": entries]
    if let sharedMembers { object["shared_group"] = ["members": sharedMembers] }
    if let controlServices { object["control_services"] = controlServices }
    return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
}

/// An entry with a source and a date unless told otherwise.
private func catalogEntry(_ kind: String, _ value: String, source: String? = "test fixture", retrieved: String? = "2026-11-01",
           volatility: String = "slow", extra: [String: Any] = [:]) -> [String: Any] {
    var object: [String: Any] = ["kind": kind, "value": value, "volatility": volatility]
    if let source { object["source"] = source }
    if let retrieved { object["retrieved"] = retrieved }
    for (key, value) in extra { object[key] = value }
    return object
}

private func catalogAddress(_ text: String) -> IPAddress { IPAddress(text)! }

@Suite("Signature catalog: the bundled files")
struct BundledCatalogTests {
    let catalog: SignatureCatalog

    init() throws {
        catalog = try SignatureCatalog.bundled()
    }

    @Test("every bundled service loads, with the expected names")
    func loads() {
        let names = Set(catalog.services.map(\.name.rawValue))
        let expected: Set<String> = ["telegram", "whatsapp", "signal", "meta", "messenger", "facebook", "instagram", "viber",
                                     "twitter", "youtube", "tiktok", "google", "wikipedia", "cloudflare", "microsoft",
                                     "apple", "control"]
        #expect(names == expected)
    }

    @Test("every bundled entry has a non-empty source and a retrieved date no later than its file's version")
    func provenance() throws {
        #expect(!catalog.definitions.isEmpty)
        for definition in catalog.definitions {
            #expect(!definition.entries.isEmpty, "\(definition.file) has no entries")
            for entry in definition.entries {
                #expect(!entry.source.trimmingCharacters(in: .whitespaces).isEmpty, "\(definition.file): \(entry.label)")
                #expect(entry.retrieved <= definition.version, "\(definition.file): \(entry.label) retrieved after the file's version")
                #expect(entry.retrieved >= SignatureDate("2020-01-01")!, "\(definition.file): \(entry.label)")
            }
        }
    }

    @Test("the raw JSON of every bundled file carries source and retrieved on every entry (independent of the parser)")
    func rawProvenance() throws {
        let folder = try #require(SignatureCatalog.bundledFolder())
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == catalog.definitions.count)
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let entries = try #require(object["entries"] as? [[String: Any]], "\(file)")
            for (i, entry) in entries.enumerated() {
                let source = entry["source"] as? String ?? ""
                #expect(!source.isEmpty, "\(file) entry \(i + 1) has no source")
                let retrieved = entry["retrieved"] as? String ?? ""
                #expect(SignatureDate(retrieved) != nil, "\(file) entry \(i + 1) has no valid retrieved date")
                #expect(["static", "slow", "volatile"].contains(entry["volatility"] as? String ?? ""), "\(file) entry \(i + 1)")
            }
        }
    }

    @Test("prefixes are written in canonical form and are all volatile")
    func prefixesCanonical() throws {
        for definition in catalog.definitions {
            for entry in definition.entries where entry.kind == .ipv4Prefix || entry.kind == .ipv6Prefix {
                let prefix = try #require(AddressPrefix(entry.value), "\(definition.file): \(entry.value)")
                #expect(prefix.description == entry.value)
                #expect(prefix.isIPv4 == (entry.kind == .ipv4Prefix))
                #expect(entry.volatility == .volatile, "\(definition.file): \(entry.value)")
            }
        }
    }

    @Test("every bundled prefix and domain is found again by a lookup, naming its own service or a more specific entry")
    func selfConsistent() throws {
        for definition in catalog.definitions where !definition.isControlGroup {
            for entry in definition.entries {
                switch entry.kind {
                case .domain:
                    let match = try #require(catalog.service(forName: entry.value))
                    #expect(match.service == definition.name, "\(entry.value)")
                    #expect(match.matchedSuffix == entry.value)
                case .ipv4Prefix, .ipv6Prefix:
                    let prefix = try #require(AddressPrefix(entry.value))
                    for probe in [prefix.first, prefix.last] {
                        let match = try #require(catalog.service(for: probe), "\(entry.value)")
                        let found = try #require(AddressPrefix(match.prefix))
                        #expect(found.length >= prefix.length, "\(entry.value) answered by \(match.prefix)")
                        if found == prefix { #expect(match.service == definition.name) }
                    }
                default:
                    break
                }
            }
        }
    }

    @Test("Telegram data-centre addresses, published and routed-only", arguments: [
        ("149.154.167.51", "149.154.160.0/20"), ("149.154.175.50", "149.154.160.0/20"),
        ("95.161.76.100", "95.161.64.0/20"), ("91.108.56.130", "91.108.56.0/22"),
        ("91.108.9.1", "91.108.8.0/22"), ("91.108.14.1", "91.108.12.0/22"),
    ])
    func telegramAddresses(text: String, prefix: String) throws {
        let match = try #require(catalog.service(for: catalogAddress(text)))
        #expect(match.service == .telegram)
        #expect(!match.isShared)
        #expect(match.prefix == prefix)
    }

    @Test("IPv6 prefixes: Telegram's published /48s and routed /47, Meta's /32")
    func ipv6() throws {
        #expect(catalog.service(for: catalogAddress("2001:67c:4e8::1"))?.service == .telegram)
        #expect(catalog.service(for: catalogAddress("2001:67c:4e8::1"))?.prefix == "2001:67c:4e8::/48")
        #expect(catalog.service(for: catalogAddress("2001:b28:f23d:f001::a"))?.prefix == "2001:b28:f23d::/48")
        #expect(catalog.service(for: catalogAddress("2a0a:f280:203::1"))?.prefix == "2a0a:f280:203::/48")
        #expect(catalog.service(for: catalogAddress("2a0a:f280:1::1"))?.prefix == "2a0a:f280::/32")
        let meta = try #require(catalog.service(for: catalogAddress("2a03:2880:f003:c07:face:b00c::2")))
        #expect(meta.service == "meta" && meta.isShared)
        #expect(catalog.service(for: catalogAddress("2001:db8::1")) == nil)
        // An IPv6 address never matches an IPv4 prefix with the same low bits.
        #expect(catalog.service(for: catalogAddress("::149.154.167.51")) == nil)
    }

    @Test("a Meta address names the shared group, never WhatsApp")
    func metaShared() throws {
        let match = try #require(catalog.service(for: catalogAddress("157.240.1.1")))
        #expect(match.service == "meta")
        #expect(match.service != .whatsapp)
        #expect(match.isShared)
        #expect(match.members.contains(.whatsapp))
        #expect(Set(match.members) == ["whatsapp", "facebook", "instagram", "messenger"])
        #expect(catalog.service(for: catalogAddress("31.13.72.36"))?.service == "meta")
        #expect(catalog.service(for: catalogAddress("179.60.192.3"))?.service == "meta")
    }

    @Test("names: suffix by whole labels, case-insensitive, trailing dot ignored", arguments: [
        ("chat.signal.org", "signal"), ("mmg.whatsapp.net", "whatsapp"), ("WWW.YouTube.COM.", "youtube"),
        ("e7.whatsapp.net", "whatsapp"), ("web.whatsapp.com", "whatsapp"), ("wa.me", "whatsapp"),
        ("t.me", "telegram"), ("pluto.web.telegram.org", "telegram"), ("t.co", "twitter"), ("x.com", "twitter"),
        ("pbs.twimg.com", "twitter"), ("youtubei.googleapis.com", "youtube"), ("fonts.googleapis.com", "google"),
        ("edge-mqtt.facebook.com", "messenger"), ("www.facebook.com", "facebook"),
        ("scontent.xx.fbcdn.net", "meta"), ("en.wikipedia.org", "wikipedia"), ("connectivitycheck.gstatic.com", "google"),
        ("captive.apple.com", "apple"), ("www.msftconnecttest.com", "microsoft"),
    ])
    func names(name: String, service: String) {
        #expect(catalog.service(forName: name)?.service.rawValue == service)
    }

    @Test("t.co never matches by substring; x.com never matches notx.com", arguments: [
        "microsoft.co", "microsoft.com", "reddit.com", "notx.com", "x.com.evil.example", "tt.co", "signal.org.evil.example",
    ])
    func noSubstringMatches(name: String) {
        #expect(catalog.service(forName: name)?.service != "twitter")
        #expect(catalog.service(forName: name)?.service != "signal")
    }

    @Test("microsoft.com is Microsoft's, not Twitter's")
    func microsoftIsNotTwitter() {
        #expect(catalog.service(forName: "microsoft.com")?.service == "microsoft")
        #expect(catalog.service(forName: "www.microsoft.com")?.matchedSuffix == "microsoft.com")
        #expect(catalog.service(forName: "microsoft.co") == nil)
    }

    @Test("STUN realms, message types and attributes")
    func stun() {
        #expect(catalog.service(forSTUNRealm: "telegram") == .telegram)
        #expect(catalog.service(forSTUNRealm: "turn.Signal.org") == .signal)
        #expect(catalog.service(forSTUNRealm: "whispersystems.org") == .signal)
        #expect(catalog.service(forSTUNRealm: "xx.facebook.com") == "meta")
        #expect(catalog.service(forSTUNRealm: "viber") == "viber")
        #expect(catalog.service(forSTUNRealm: "google.com") == "google")
        #expect(catalog.service(forSTUNRealm: "example.net") == nil)
        #expect(catalog.service(forSTUNMessageType: 0x0801) == .whatsapp)
        #expect(catalog.service(forSTUNMessageType: 0x0001) == nil)
        #expect(catalog.service(forSTUNAttribute: 0x4007) == .whatsapp)
        #expect(catalog.service(forSTUNAttribute: 0x4003) == .whatsapp)
        #expect(catalog.service(forSTUNAttribute: 0x4005) == nil)
        #expect(catalog.service(forSTUNAttribute: 0x8054) == "microsoft")
    }

    @Test("ports: only distinctive ones are hints; 80, 443, 5222 and UDP 500-600 are not")
    func ports() {
        // Facts recorded, but shared with other protocols: no hint (Threema and KakaoTalk use 5222,
        // RIP 520 and DHCPv6 546/547 sit inside Telegram's call range).
        #expect(catalog.services(forPort: 5222, transport: 6) == [])
        #expect(catalog.services(forPort: 443, transport: 6) == [])
        #expect(catalog.services(forPort: 80, transport: 6) == [])
        #expect(catalog.services(forPort: 520, transport: 17) == [])
        #expect(catalog.services(forPort: 547, transport: 17) == [])
        let telegram = catalog.services.first { $0.name == .telegram }
        #expect(telegram?.entries.contains { $0.kind == .port && $0.value == "500-600" && $0.isGeneric } == true)
        // STUN's port is shared by two messengers: two answers, so no single hint.
        #expect(Set(catalog.services(forPort: 3478, transport: 17)) == [.whatsapp, .signal])
        #expect(catalog.services(forPort: 7985, transport: 6) == ["viber"])
        #expect(catalog.services(forPort: 7987, transport: 17) == ["viber"])
        #expect(catalog.services(forPort: 7985, transport: 1) == [])
    }

    @Test("a distinctive port range answers for every port inside it, narrowest range first")
    func portRanges() throws {
        let catalog = try SignatureCatalog.load(contents: [
            ("wide.json", signatureFile(service: "wide", entries: [catalogEntry("port", "5000-5100", extra: ["transport": "udp"])])),
            ("one.json", signatureFile(service: "one", entries: [catalogEntry("port", "5050", extra: ["transport": "udp"]),
                                                                  catalogEntry("port", "80", extra: ["transport": "tcp", "generic": true])])),
        ])
        #expect(catalog.services(forPort: 5000, transport: 17) == ["wide"])
        #expect(catalog.services(forPort: 5100, transport: 17) == ["wide"])
        #expect(catalog.services(forPort: 5101, transport: 17) == [])
        #expect(catalog.services(forPort: 5050, transport: 17) == ["one", "wide"])
        #expect(catalog.services(forPort: 80, transport: 6) == [])
    }

    @Test("CONTROL: control services, connectivity-check names, shared prefixes never count")
    func control() throws {
        #expect(catalog.controlServices == ["google", "microsoft", "apple", "cloudflare", "wikipedia"])
        #expect(catalog.isControl(name: "connectivitycheck.gstatic.com"))
        #expect(catalog.isControl(name: "DetectPortal.Firefox.com."))
        #expect(!catalog.isControl(name: "gstatic.com"))
        #expect(catalog.controlNames.contains("captive.apple.com"))
        #expect(catalog.isControl("google"))
        #expect(!catalog.isControl(.telegram))
        let cloudflare = try #require(catalog.service(for: catalogAddress("104.16.1.1")))
        #expect(cloudflare.service == "cloudflare" && cloudflare.isShared && cloudflare.members.isEmpty)
        #expect(!catalog.isControl(cloudflare))
        #expect(catalog.service(forName: "www.cloudflare.com")?.isShared == false)
        #expect(catalog.service(forName: "static.xx.fbcdn.net")?.isShared == true)
        let wikimedia = try #require(catalog.service(for: catalogAddress("208.80.154.224")))
        #expect(wikimedia.service == "wikipedia")
        #expect(catalog.isControl(wikimedia))
        #expect(!catalog.isControl(try #require(catalog.service(for: catalogAddress("149.154.167.51")))))
    }

    @Test("--control replaces the control services; unknown names are refused")
    func selectControl() throws {
        var copy = catalog
        try copy.setControlServices(["Wikipedia"])
        #expect(copy.controlServices == ["wikipedia"])
        #expect(throws: SignatureError.unknownService(name: "nosuch")) { try copy.setControlServices(["nosuch"]) }
        #expect(throws: SignatureError.unknownService(name: "control")) { try copy.setControlServices(["control"]) }
    }

    @Test("service information: shared groups, members, counts, dates")
    func serviceInfo() throws {
        let services = Dictionary(uniqueKeysWithValues: catalog.services.map { ($0.name, $0) })
        let whatsapp = try #require(services[.whatsapp])
        #expect(whatsapp.sharedGroups == ["meta"])
        #expect(!whatsapp.isShared)
        #expect(whatsapp.count(of: .ipv4Prefix) == 0 && whatsapp.count(of: .ipv6Prefix) == 0)
        let meta = try #require(services["meta"])
        #expect(meta.isShared && meta.members.contains(.whatsapp))
        let telegram = try #require(services[.telegram])
        #expect(telegram.category == "messenger")
        #expect(telegram.count(of: .ipv4Prefix) == 12)
        #expect(telegram.count(of: .ipv6Prefix) == 7)
        #expect(telegram.oldestRetrieved == SignatureDate("2024-10-21"))
        #expect(telegram.file == "telegram.json")
        #expect(services["control"]?.isControl == true)
        #expect(services["google"]?.isControl == true)
        #expect(services[.signal]?.count(of: .ipv4Prefix) == 0)
        #expect(catalog.newestVersion == SignatureDate("2026-11-29"))
    }

    @Test("stale volatile entries are listed for `blockwatch services`, oldest first")
    func stale() throws {
        let stale = catalog.staleEntries(olderThanDays: 180, today: (2026, 11, 29))
        #expect(!stale.isEmpty)
        #expect(stale.allSatisfy { $0.entry.volatility == .volatile && $0.ageDays > 180 })
        #expect(stale.contains { $0.service == .telegram && $0.entry.value == "95.161.64.0/20" })
        // cidr.txt entries (2026-10-14) are recent.
        #expect(!stale.contains { $0.service == .telegram && $0.entry.value == "149.154.160.0/20" })
        #expect(zip(stale, stale.dropFirst()).allSatisfy { $0.ageDays >= $1.ageDays })
        #expect(catalog.staleEntries(olderThanDays: 100_000, today: (2026, 11, 29)).isEmpty)
        #expect(catalog.staleEntries(today: (2026, 2, 30)).isEmpty)
    }
}

@Suite("Signature catalog: user files, validation, merge")
struct CatalogLoadingTests {
    @Test("an entry without a source is rejected, naming the file and the entry")
    func missingSource() {
        let data = signatureFile(service: "demo", entries: [catalogEntry("domain", "demo.example", source: nil)])
        #expect(throws: SignatureError.missingSource(file: "demo.json", entry: "entry 1 (domain \"demo.example\")")) {
            try SignatureCatalog.load(contents: [("demo.json", data)])
        }
        let blank = signatureFile(service: "demo", entries: [catalogEntry("domain", "demo.example", source: "  ")])
        #expect(throws: SignatureError.missingSource(file: "demo.json", entry: "entry 1 (domain \"demo.example\")")) {
            try SignatureCatalog.load(contents: [("demo.json", blank)])
        }
    }

    @Test("an entry without a retrieved date, or with an impossible one, is rejected")
    func missingRetrieved() {
        let data = signatureFile(service: "demo", entries: [catalogEntry("domain", "ok.example"), catalogEntry("domain", "demo.example", retrieved: nil)])
        #expect(throws: SignatureError.missingRetrieved(file: "demo.json", entry: "entry 2 (domain \"demo.example\")")) {
            try SignatureCatalog.load(contents: [("demo.json", data)])
        }
        let impossible = signatureFile(service: "demo", entries: [catalogEntry("domain", "demo.example", retrieved: "2025-02-29")])
        #expect(throws: SignatureError.badDate(file: "demo.json", value: "2025-02-29")) {
            try SignatureCatalog.load(contents: [("demo.json", impossible)])
        }
    }

    @Test("a user file with a bad prefix gives a one-line error naming the file and the value", arguments: [
        "10.0.0.1/8", "10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "banana",
    ])
    func badPrefix(value: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-catalog-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("mine.json").path
        let kind = value.contains(":") ? "ipv6_prefix" : "ipv4_prefix"
        try signatureFile(service: "mine", entries: [catalogEntry(kind, value, volatility: "volatile")]).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SignatureCatalog.load(files: [path])
            Issue.record("a bad prefix was accepted")
        } catch {
            #expect(error == .badPrefix(file: path, value: value))
            let message = error.description
            #expect(message.contains(path) && message.contains("\"\(value)\""))
            #expect(!message.contains("\n"))
        }
    }

    @Test("an IPv6 prefix given as ipv4_prefix (and the reverse) is refused")
    func wrongFamily() {
        let v6as4 = signatureFile(service: "demo", entries: [catalogEntry("ipv4_prefix", "2001:db8::/32", volatility: "volatile")])
        #expect(throws: SignatureError.badPrefix(file: "d.json", value: "2001:db8::/32")) {
            try SignatureCatalog.load(contents: [("d.json", v6as4)])
        }
        let v4as6 = signatureFile(service: "demo", entries: [catalogEntry("ipv6_prefix", "192.0.2.0/24", volatility: "volatile")])
        #expect(throws: SignatureError.badPrefix(file: "d.json", value: "192.0.2.0/24")) {
            try SignatureCatalog.load(contents: [("d.json", v4as6)])
        }
    }

    @Test("malformed files: not JSON, unknown fields, wrong format, bare TLD, bad kind")
    func malformed() {
        func load(_ data: Data) throws(SignatureError) { _ = try SignatureCatalog.load(contents: [("x.json", data)]) }
        #expect(throws: SignatureError.self) { try load(Data("{ not json".utf8)) }
        var misspelt = catalogEntry("domain", "demo.example", retrieved: nil)
        misspelt["retreived"] = "2026-01-01"
        #expect(throws: SignatureError.malformed(file: "x.json", detail: "unknown field \"retreived\" in entry 1")) {
            try load(signatureFile(service: "demo", entries: [misspelt]))
        }
        #expect(throws: SignatureError.badDomain(file: "x.json", value: "com")) {
            try load(signatureFile(service: "demo", entries: [catalogEntry("domain", "com")]))
        }
        #expect(throws: SignatureError.badDomain(file: "x.json", value: "*.demo.example")) {
            try load(signatureFile(service: "demo", entries: [catalogEntry("domain", "*.demo.example")]))
        }
        #expect(throws: SignatureError.badValue(file: "x.json", field: "kind", value: "sni")) {
            try load(signatureFile(service: "demo", entries: [catalogEntry("sni", "demo.example")]))
        }
        #expect(throws: SignatureError.badValue(file: "x.json", field: "volatility", value: "sometimes")) {
            try load(signatureFile(service: "demo", entries: [catalogEntry("domain", "demo.example", volatility: "sometimes")]))
        }
        #expect(throws: SignatureError.badValue(file: "x.json", field: "service name", value: "Demo Service")) {
            try load(signatureFile(service: "Demo Service", entries: []))
        }
        #expect(throws: SignatureError.badValue(file: "x.json", field: "port", value: "600-500")) {
            try load(signatureFile(service: "demo", entries: [catalogEntry("port", "600-500", extra: ["transport": "udp"])]))
        }
        #expect(throws: SignatureError.duplicateEntry(file: "x.json", value: "demo.example")) {
            try load(signatureFile(service: "demo", entries: [catalogEntry("domain", "demo.example"), catalogEntry("domain", "Demo.Example.")]))
        }
        for error in [SignatureError.malformed(file: "x.json", detail: "a\nb"), .badPrefix(file: "x\n.json", value: "1\n2")] {
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("two files defining one service, or two services claiming one name, are refused")
    func duplicatesAndConflicts() {
        let a = signatureFile(service: "alpha", entries: [catalogEntry("domain", "shared.example")])
        let b = signatureFile(service: "beta", entries: [catalogEntry("domain", "shared.example")])
        #expect(throws: SignatureError.duplicateService(service: "alpha", files: ["a.json", "a2.json"])) {
            try SignatureCatalog.load(contents: [("a.json", a), ("a2.json", a)])
        }
        #expect(throws: SignatureError.conflict(file: "b.json", value: "shared.example", services: ["alpha", "beta"])) {
            try SignatureCatalog.load(contents: [("a.json", a), ("b.json", b)])
        }
    }

    @Test("the longest prefix wins among overlapping prefixes of different services")
    func longestPrefixWins() throws {
        let catalog = try SignatureCatalog.load(contents: [
            ("wide.json", signatureFile(service: "wide", entries: [catalogEntry("ipv4_prefix", "10.0.0.0/8", volatility: "volatile")])),
            ("mid.json", signatureFile(service: "mid", entries: [catalogEntry("ipv4_prefix", "10.1.0.0/16", volatility: "volatile")])),
            ("narrow.json", signatureFile(service: "narrow", entries: [catalogEntry("ipv4_prefix", "10.1.2.0/24", volatility: "volatile"),
                                                                       catalogEntry("ipv6_prefix", "2001:db8:1::/48", volatility: "volatile")])),
            ("v6.json", signatureFile(service: "vsix", entries: [catalogEntry("ipv6_prefix", "2001:db8::/32", volatility: "volatile")])),
        ])
        #expect(catalog.service(for: catalogAddress("10.1.2.3"))?.service == "narrow")
        #expect(catalog.service(for: catalogAddress("10.1.2.3"))?.prefix == "10.1.2.0/24")
        #expect(catalog.service(for: catalogAddress("10.1.3.3"))?.service == "mid")
        #expect(catalog.service(for: catalogAddress("10.2.0.1"))?.service == "wide")
        #expect(catalog.service(for: catalogAddress("11.0.0.1")) == nil)
        #expect(catalog.service(for: catalogAddress("2001:db8:1:2::3"))?.service == "narrow")
        #expect(catalog.service(for: catalogAddress("2001:db8:2::3"))?.service == "vsix")
    }

    @Test("merge: a user's service replaces the bundled one entirely; new services are added; the user wins a claimed name")
    func mergeReplaces() throws {
        var catalog = try SignatureCatalog.bundled()
        let user = try SignatureCatalog.load(contents: [
            ("my-telegram.json", signatureFile(service: "telegram", entries: [
                catalogEntry("domain", "telegram.example"), catalogEntry("ipv4_prefix", "192.0.2.0/24", volatility: "volatile")])),
            ("local.json", signatureFile(service: "localnews", category: "news", entries: [
                catalogEntry("domain", "news.example"), catalogEntry("domain", "t.co")])),
        ])
        catalog.merge(user)
        // The bundled Telegram is gone: its prefixes, names and ports.
        #expect(catalog.service(for: catalogAddress("149.154.167.51")) == nil)
        #expect(catalog.service(forName: "t.me") == nil)
        #expect(catalog.services(forPort: 530, transport: 17) == [])
        #expect(catalog.service(forSTUNRealm: "telegram") == nil)
        // The user's Telegram is there.
        #expect(catalog.service(for: catalogAddress("192.0.2.7"))?.service == .telegram)
        #expect(catalog.service(forName: "www.telegram.example")?.service == .telegram)
        #expect(catalog.services.first { $0.name == .telegram }?.file == "my-telegram.json")
        // A new service, and a name the user claims from another service.
        #expect(catalog.service(forName: "news.example")?.service == "localnews")
        #expect(catalog.service(forName: "t.co")?.service == "localnews")
        // Everything else is untouched.
        #expect(catalog.service(forName: "mmg.whatsapp.net")?.service == .whatsapp)
        #expect(catalog.service(for: catalogAddress("157.240.1.1"))?.service == "meta")
        #expect(catalog.controlServices.contains("google"))
    }

    @Test("merge: a user's control file replaces the CONTROL group")
    func mergeControl() throws {
        var catalog = try SignatureCatalog.bundled()
        let user = try SignatureCatalog.load(contents: [
            ("control.json", signatureFile(service: "control", category: "control", controlServices: ["wikipedia"],
                                           entries: [catalogEntry("domain", "probe.example")])),
        ])
        catalog.merge(user)
        #expect(catalog.controlServices == ["wikipedia"])
        #expect(catalog.isControl(name: "probe.example"))
        #expect(!catalog.isControl(name: "connectivitycheck.gstatic.com"))
    }

    @Test("a control file accepts only domains; control_services belongs to it alone")
    func controlShape() {
        let withPrefix = signatureFile(service: "control", category: "control", controlServices: [],
                                       entries: [catalogEntry("ipv4_prefix", "192.0.2.0/24", volatility: "volatile")])
        #expect(throws: SignatureError.self) { try SignatureCatalog.load(contents: [("control.json", withPrefix)]) }
        let stray = signatureFile(service: "demo", controlServices: ["google"], entries: [])
        #expect(throws: SignatureError.self) { try SignatureCatalog.load(contents: [("demo.json", stray)]) }
    }

    @Test("a shared group defined by a user names the group, with its members")
    func userSharedGroup() throws {
        let catalog = try SignatureCatalog.load(contents: [
            ("cdn.json", signatureFile(service: "somecdn", category: "cdn", sharedMembers: ["alpha", "beta"],
                                       entries: [catalogEntry("ipv4_prefix", "198.51.100.0/24", volatility: "volatile"),
                                                 catalogEntry("domain", "somecdn.example")])),
        ])
        let match = try #require(catalog.service(for: catalogAddress("198.51.100.9")))
        #expect(match.isShared && match.members == ["alpha", "beta"] && match.service == "somecdn")
        #expect(catalog.service(forName: "img.somecdn.example")?.isShared == true)
    }

    @Test("unreadable files say so in one line")
    func unreadable() {
        do {
            _ = try SignatureCatalog.load(files: ["/nonexistent/blockwatch/none.json"])
            Issue.record("loaded a file that does not exist")
        } catch {
            guard case .unreadable(let file, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file == "/nonexistent/blockwatch/none.json")
            #expect(!error.description.contains("\n"))
        }
    }
}

@Suite("Signature dates")
struct CatalogSignatureDateTests {
    @Test("parses real dates only", arguments: [
        ("2024-02-29", true), ("2025-02-29", false), ("2000-02-29", true), ("1900-02-29", false), ("2026-11-29", true),
        ("2026-13-01", false), ("2026-00-10", false), ("2026-04-31", false), ("26-11-29", false), ("2026/11/29", false),
        ("2026-1-29", false), ("", false), ("2026-11-29 ", false),
    ])
    func parse(text: String, valid: Bool) {
        #expect((SignatureDate(text) != nil) == valid)
    }

    @Test("days since the epoch and ordering")
    func days() throws {
        #expect(try #require(SignatureDate("1970-01-01")).daysSinceEpoch == 0)
        #expect(try #require(SignatureDate("2000-03-01")).daysSinceEpoch == 11_017)
        let a = try #require(SignatureDate("2024-10-21")), b = try #require(SignatureDate("2026-11-29"))
        #expect(b.daysSinceEpoch - a.daysSinceEpoch == 769)
        #expect(a < b)
        #expect(a.description == "2024-10-21")
    }
}
