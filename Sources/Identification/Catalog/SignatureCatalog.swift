import Foundation
import Wire

/// The service an address belongs to, by the longest matching prefix.
public struct AddressMatch: Sendable, Equatable {
    /// The service, or the shared group (e.g. "meta") when the prefix is shared infrastructure.
    public let service: ServiceName
    /// The prefix serves several services (or a CDN's arbitrary customers): the address alone
    /// does not say which one. Never report a member from such a match.
    public let isShared: Bool
    /// For a shared prefix, the services known to share it (may be empty).
    public let members: [ServiceName]
    /// The matching prefix, e.g. `149.154.160.0/20`.
    public let prefix: String
}

/// The service a server name belongs to, by the longest matching domain suffix.
public struct NameMatch: Sendable, Equatable {
    /// The service, or the shared group when the name is shared infrastructure (e.g. fbcdn.net).
    public let service: ServiceName
    /// The catalog's suffix that matched, e.g. `whatsapp.net` for `mmg.whatsapp.net`.
    public let matchedSuffix: String
    /// The name is shared by several known services (Meta's fbcdn.net serves Facebook,
    /// Instagram and Messenger): it names the group, not a member. A CDN's own name
    /// (cloudflare.com) is not shared in this sense, though its addresses are.
    public let isShared: Bool
}

/// One service of the catalog as `blockwatch services` shows it.
public struct ServiceInfo: Sendable {
    public let name: ServiceName
    public let category: String
    /// The date the file was assembled (its `version`).
    public let version: SignatureDate
    /// The file the service came from (a user's file replaces the bundled one entirely).
    public let file: String
    public let description: String?
    public let entries: [SignatureEntry]
    public var entryCount: Int { entries.count }
    /// The oldest and newest `retrieved` dates of its entries.
    public let oldestRetrieved: SignatureDate?
    public let newestRetrieved: SignatureDate?
    /// Shared infrastructure (a group such as "meta", or a CDN).
    public let isShared: Bool
    /// For a shared group: its members.
    public let members: [ServiceName]
    /// The shared groups this service is a member of (whatsapp → meta).
    public let sharedGroups: [ServiceName]
    /// The CONTROL file itself, or a service whose traffic counts as CONTROL.
    public let isControl: Bool

    /// Entries per kind, e.g. for "9 prefixes, 12 domains".
    public func count(of kind: SignatureEntry.Kind) -> Int { entries.filter { $0.kind == kind }.count }
}

/// An entry older than the warning threshold.
public struct StaleEntry: Sendable {
    public let service: ServiceName
    public let file: String
    public let entry: SignatureEntry
    public let ageDays: Int
}

/// The signature catalog: services' address prefixes, domains, ports and STUN facts, read from
/// versioned JSON files (bundled under `Signatures/`, plus a user's `--signatures FILE`), each
/// fact with its source and retrieval date (DESIGN.md rule 8). Lookups are built once at load:
/// address lookups are a binary search over flattened prefix ranges and allocate nothing.
///
/// Shared infrastructure: a file with a `shared_group` (meta.json: WhatsApp, Facebook,
/// Instagram, Messenger; cloudflare.json: arbitrary customers) is a group. Its prefixes and
/// names yield the group, never a member (DESIGN.md §3: ambiguous, not guessed).
///
/// CONTROL: `control.json` lists `control_services` (large services expected to stay reachable
/// when one service is blocked) and connectivity-check domains. A flow counts as CONTROL when
/// its server name matches a control domain, or when it is identified as a control service by
/// its name, payload, or an exclusive prefix — never by a shared prefix alone (a Cloudflare
/// address may front a blocked site). `controlServices` can be replaced (`--control NAME`).
public struct SignatureCatalog: Sendable {
    static let controlGroupName = "control"

    /// Every loaded definition, sorted by name (services, shared groups and the CONTROL group).
    public private(set) var definitions: [ServiceDefinition] = []
    /// Services whose traffic counts as CONTROL.
    public var controlServices: Set<ServiceName> = []
    /// Load generation per definition: a later `merge` wins identical keys.
    private var generations: [ServiceName: Int] = [:]

    // Lookup structures, rebuilt after every load or merge.
    private var records: [Record] = []
    private var addresses = AddressPrefixTable([])
    private var prefixTexts: [String] = []
    private var names = DomainMatcher()
    private var controlMatcher = DomainMatcher()
    private var realms: [(token: String, owner: Int32)] = []
    private var tcpPorts = NumberRangeTable([])
    private var udpPorts = NumberRangeTable([])
    private var stunMessageTypes = NumberRangeTable([])
    private var stunAttributes = NumberRangeTable([])

    private struct Record: Sendable {
        let name: ServiceName
        let isShared: Bool
        let members: [ServiceName]
    }

    /// An empty catalog.
    public init() {}

    // MARK: - Loading

    /// Loads every `*.json` of the module's bundled `Signatures` folder.
    public static func bundled() throws(SignatureError) -> SignatureCatalog {
        guard let folder = bundledFolder() else {
            throw .noSignatures(location: "the Identification module's resources")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .unreadable(file: folder.path, reason: reason(error))
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw .noSignatures(location: folder.path) }
        return try load(files.map { (folder.appendingPathComponent($0).path, $0) })
    }

    /// The bundled `Signatures` folder.
    static func bundledFolder() -> URL? {
        Bundle.module.url(forResource: "Signatures", withExtension: nil)
    }

    /// Loads the given files together: a service defined twice, or a domain, prefix or STUN
    /// token claimed by two services, is an error.
    public static func load(files: [String]) throws(SignatureError) -> SignatureCatalog {
        try load(files.map { ($0, $0) })
    }

    /// Parses file contents already in memory (tests, or files read by the caller).
    public static func load(contents: [(name: String, data: Data)]) throws(SignatureError) -> SignatureCatalog {
        var definitions: [ServiceDefinition] = []
        for (name, data) in contents { definitions.append(try SignatureFileParser.parse(data: data, file: name)) }
        return try SignatureCatalog(definitions: definitions)
    }

    static func load(_ files: [(path: String, display: String)]) throws(SignatureError) -> SignatureCatalog {
        var contents: [(name: String, data: Data)] = []
        for (path, display) in files {
            do {
                contents.append((display, try Data(contentsOf: URL(fileURLWithPath: path))))
            } catch {
                throw .unreadable(file: display, reason: reason(error))
            }
        }
        return try load(contents: contents)
    }

    /// Definitions loaded together (one generation): validated for duplicates and conflicts.
    init(definitions: [ServiceDefinition]) throws(SignatureError) {
        var byName: [ServiceName: ServiceDefinition] = [:]
        for definition in definitions {
            if let earlier = byName[definition.name] {
                throw .duplicateService(service: definition.name.rawValue, files: [earlier.file, definition.file])
            }
            byName[definition.name] = definition
        }
        try SignatureCatalog.checkConflicts(definitions)
        self.definitions = definitions.sorted { $0.name < $1.name }
        for definition in definitions { generations[definition.name] = 0 }
        controlServices = Set(byName[ServiceName(SignatureCatalog.controlGroupName)]?.controlServices ?? [])
        rebuild()
    }

    /// The same domain, prefix or STUN token in two services loaded together is ambiguous data.
    static func checkConflicts(_ definitions: [ServiceDefinition]) throws(SignatureError) {
        var claimed: [String: (service: ServiceName, file: String)] = [:]
        for definition in definitions where !definition.isControlGroup {
            for entry in definition.entries {
                let key: String
                switch entry.kind {
                case .ipv4Prefix, .ipv6Prefix, .domain, .stunRealm: key = "\(entry.kind.rawValue) \(entry.value)"
                case .asn, .port, .stunMessageType, .stunAttribute: continue   // may legitimately be shared
                }
                if let other = claimed[key], other.service != definition.name {
                    throw .conflict(file: definition.file, value: entry.value,
                                    services: [other.service.rawValue, definition.name.rawValue].sorted())
                }
                claimed[key] = (definition.name, definition.file)
            }
        }
    }

    /// Adds a user's catalog (`--signatures FILE`) to this one. A service of `other` with the
    /// name of one already loaded **replaces it entirely** (all its entries, its shared-group
    /// membership list); new services are added; where a domain, prefix or STUN token of
    /// `other` is also claimed by another service here, `other` wins. A `control` file in
    /// `other` replaces the CONTROL group (its services and domains).
    public mutating func merge(_ other: SignatureCatalog) {
        let base = (generations.values.max() ?? -1) + 1
        for definition in other.definitions {
            definitions.removeAll { $0.name == definition.name }
            definitions.append(definition)
            generations[definition.name] = base + (other.generations[definition.name] ?? 0)
            if definition.isControlGroup { controlServices = other.controlServices }
        }
        definitions.sort { $0.name < $1.name }
        rebuild()
    }

    /// Replaces the CONTROL services (`--control NAME`); every name must be a loaded service.
    public mutating func setControlServices(_ names: [String]) throws(SignatureError) {
        var selected: Set<ServiceName> = []
        for name in names {
            let service = ServiceName(name.lowercased())
            guard definitions.contains(where: { $0.name == service && !$0.isControlGroup }) else {
                throw .unknownService(name: name)
            }
            selected.insert(service)
        }
        controlServices = selected
    }

    private mutating func rebuild() {
        records = definitions.map { Record(name: $0.name, isShared: $0.isShared, members: $0.sharedMembers ?? []) }
        // Older generations first, so that a later (user) definition wins identical keys.
        let order = definitions.indices.sorted {
            (generations[definitions[$0].name] ?? 0, $0) < (generations[definitions[$1].name] ?? 0, $1)
        }
        var prefixes: [(prefix: AddressPrefix, owner: Int32)] = []
        var domains: [(suffix: String, owner: Int32)] = []
        var controlDomains: [(suffix: String, owner: Int32)] = []
        var realmTokens: [String: Int32] = [:]
        var tcp: [NumberRangeTable.Span] = [], udp: [NumberRangeTable.Span] = []
        var messageTypes: [NumberRangeTable.Span] = [], attributes: [NumberRangeTable.Span] = []
        for index in order {
            let definition = definitions[index]
            let owner = Int32(index)
            for entry in definition.entries {
                switch entry.kind {
                case .ipv4Prefix, .ipv6Prefix:
                    if let prefix = AddressPrefix(entry.value) { prefixes.append((prefix, owner)) }
                case .domain:
                    if definition.isControlGroup {
                        controlDomains.append((entry.value, owner))
                    } else {
                        domains.append((entry.value, owner))
                    }
                case .stunRealm:
                    realmTokens[entry.value] = owner
                case .port:
                    guard !entry.isGeneric, let range = SignatureFileParser.parseRange(entry.value, hex: false) else { continue }
                    let span = NumberRangeTable.Span(low: range.lowerBound, high: range.upperBound, owner: owner)
                    if entry.transport == "tcp" { tcp.append(span) } else { udp.append(span) }
                case .stunMessageType, .stunAttribute:
                    guard let range = SignatureFileParser.parseRange(entry.value, hex: true) else { continue }
                    let span = NumberRangeTable.Span(low: range.lowerBound, high: range.upperBound, owner: owner)
                    if entry.kind == .stunMessageType { messageTypes.append(span) } else { attributes.append(span) }
                case .asn:
                    continue
                }
            }
        }
        addresses = AddressPrefixTable(prefixes)
        prefixTexts = addresses.prefixes.map(\.description)
        names = DomainMatcher(domains)
        controlMatcher = DomainMatcher(controlDomains)
        realms = realmTokens.map { ($0.key, $0.value) }
            .sorted { ($0.token.count, $1.token) > ($1.token.count, $0.token) }
        tcpPorts = NumberRangeTable(tcp)
        udpPorts = NumberRangeTable(udp)
        stunMessageTypes = NumberRangeTable(messageTypes)
        stunAttributes = NumberRangeTable(attributes)
    }

    static func reason(_ error: any Error) -> String {
        SignatureError.oneLine(error.localizedDescription)
    }

    // MARK: - Lookups

    /// The service (or shared group) of the longest prefix containing `address`. Allocates nothing.
    public func service(for address: IPAddress) -> AddressMatch? {
        guard let index = addresses.lookup(address) else { return nil }
        let record = records[Int(addresses.owners[index])]
        return AddressMatch(service: record.name, isShared: record.isShared, members: record.members,
                            prefix: prefixTexts[index])
    }

    /// The service of the longest domain suffix of `name`, by whole labels, case-insensitive,
    /// trailing dot ignored. CONTROL-only domains do not name a service (see `isControl(name:)`).
    public func service(forName name: String) -> NameMatch? {
        guard let (owner, suffix) = names.match(name) else { return nil }
        let record = records[Int(owner)]
        return NameMatch(service: record.name, matchedSuffix: suffix, isShared: record.isShared && !record.members.isEmpty)
    }

    /// The service whose STUN realm token the REALM attribute contains (case-insensitive);
    /// the longest token wins.
    public func service(forSTUNRealm realm: String) -> ServiceName? {
        let text = realm.lowercased()
        guard let hit = realms.first(where: { text.contains($0.token) }) else { return nil }
        return records[Int(hit.owner)].name
    }

    /// The service that uses a STUN message type (WhatsApp's 0x0800–0x0802).
    public func service(forSTUNMessageType type: UInt16) -> ServiceName? {
        stunMessageTypes.firstOwner(of: type).map { records[Int($0)].name }
    }

    /// The service that uses a STUN attribute type (WhatsApp's 0x4000–0x4007).
    public func service(forSTUNAttribute type: UInt16) -> ServiceName? {
        stunAttributes.firstOwner(of: type).map { records[Int($0)].name }
    }

    /// Services whose distinctive ports include `port` for the IP protocol `transport`
    /// (6 TCP, 17 UDP), narrowest range first. Ports every web service uses (80, 443) are
    /// recorded as `generic` and never returned: a port is a hint only where it distinguishes.
    public func services(forPort port: UInt16, transport: UInt8) -> [ServiceName] {
        let table: NumberRangeTable
        switch transport {
        case 6: table = tcpPorts
        case 17: table = udpPorts
        default: return []
        }
        return table.owners(of: port).map { records[Int($0)].name }
    }

    // MARK: - CONTROL

    /// The CONTROL group's connectivity-check domains (`control.json`).
    public var controlNames: [String] { controlMatcher.suffixes }

    /// The name is one of the CONTROL domains (or below one).
    public func isControl(name: String) -> Bool { controlMatcher.match(name) != nil }

    /// The service's traffic counts as CONTROL.
    public func isControl(_ service: ServiceName) -> Bool { controlServices.contains(service) }

    /// An address match counts as CONTROL only for an exclusive prefix of a control service:
    /// a shared prefix (a CDN, a group) may serve anything, blocked sites included.
    public func isControl(_ match: AddressMatch) -> Bool { !match.isShared && controlServices.contains(match.service) }

    // MARK: - What is loaded

    /// Every service, shared group and the CONTROL group, sorted by name.
    public var services: [ServiceInfo] {
        definitions.map { definition in
            let dates = definition.entries.map(\.retrieved)
            let groups = definitions.filter { $0.sharedMembers?.contains(definition.name) ?? false }.map(\.name)
            return ServiceInfo(name: definition.name, category: definition.category, version: definition.version,
                               file: definition.file, description: definition.description,
                               entries: definition.entries, oldestRetrieved: dates.min(), newestRetrieved: dates.max(),
                               isShared: definition.isShared, members: definition.sharedMembers ?? [],
                               sharedGroups: groups,
                               isControl: definition.isControlGroup || controlServices.contains(definition.name))
        }
    }

    /// The newest file version loaded: name it in reports so results can be reproduced.
    public var newestVersion: SignatureDate? { definitions.map(\.version).max() }

    /// Entries retrieved more than `olderThanDays` days before `today`, among the given
    /// volatilities (default: the volatile ones, i.e. address lists), oldest first — for the
    /// warnings of `blockwatch services`. `today` comes from the caller (no wall clock here).
    public func staleEntries(olderThanDays days: Int = 180, today: (year: Int, month: Int, day: Int),
                             volatilities: Set<Volatility> = [.volatile]) -> [StaleEntry] {
        guard let now = SignatureDate(year: today.year, month: today.month, day: today.day) else { return [] }
        var result: [StaleEntry] = []
        for definition in definitions {
            for entry in definition.entries where volatilities.contains(entry.volatility) {
                let age = now.daysSinceEpoch - entry.retrieved.daysSinceEpoch
                if age > days {
                    result.append(StaleEntry(service: definition.name, file: definition.file, entry: entry, ageDays: age))
                }
            }
        }
        return result.sorted { ($0.ageDays, $1.service.rawValue, $1.entry.value) > ($1.ageDays, $0.service.rawValue, $0.entry.value) }
    }
}
