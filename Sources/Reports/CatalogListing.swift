import Identification

/// `blockwatch services`: the signature catalog in use, with each service's sources and age,
/// and a warning for address lists gone stale.
public struct CatalogListing {
    public let services: [ServiceInfo]
    public let stale: [StaleEntry]
    public let staleAfterDays: Int
    public let today: SignatureDate

    public init(catalog: SignatureCatalog, today: SignatureDate, staleAfterDays: Int) {
        services = catalog.services
        stale = catalog.staleEntries(olderThanDays: staleAfterDays, today: (today.year, today.month, today.day))
        self.staleAfterDays = staleAfterDays
        self.today = today
    }

    /// A table of services, then (with `entries`) every entry with its source, then warnings.
    public func text(entries showEntries: Bool) -> String {
        var lines: [String] = []
        let header = [("service", 12), ("category", 13), ("entries", 8), ("prefixes", 9), ("domains", 8),
                      ("version", 11), ("oldest source", 24), ("notes", 0)]
        lines.append(header.map { CatalogListing.pad($0.0, $0.1) }.joined())
        for service in services {
            let prefixes = service.count(of: .ipv4Prefix) + service.count(of: .ipv6Prefix)
            var age = "-"
            if let oldest = service.oldestRetrieved {
                let days = today.daysSinceEpoch - oldest.daysSinceEpoch
                age = "\(oldest) (\(days) day\(days == 1 ? "" : "s"))"
            }
            var notes: [String] = []
            if service.isShared { notes.append(service.members.isEmpty ? "shared infrastructure" : "shared by " + service.members.map(\.rawValue).joined(separator: ", ")) }
            if !service.sharedGroups.isEmpty { notes.append("addresses in " + service.sharedGroups.map(\.rawValue).joined(separator: ", ")) }
            if service.isControl { notes.append("CONTROL") }
            let row: [(String, Int)] = [(service.name.rawValue, 12), (service.category, 13), ("\(service.entryCount)", 8),
                                        ("\(prefixes)", 9), ("\(service.count(of: .domain))", 8), (service.version.description, 11),
                                        (age, 24), (notes.joined(separator: "; "), 0)]
            lines.append(row.map { CatalogListing.pad($0.0, $0.1) }.joined())
        }
        if showEntries {
            for service in services {
                lines.append("")
                lines.append("\(service.name) (\(service.file), version \(service.version))")
                for entry in service.entries {
                    lines.append("  \(entry.label)  retrieved \(entry.retrieved), \(entry.volatility.rawValue), \(entry.status.rawValue)  source: \(entry.source)")
                }
            }
        }
        if !stale.isEmpty {
            let oldest = stale[0]
            lines.append("")
            lines.append("warning: \(stale.count) address-list entries are older than \(staleAfterDays) days "
                         + "(oldest: \(oldest.service) \(oldest.entry.label), retrieved \(oldest.entry.retrieved), \(oldest.ageDays) days ago); "
                         + "refresh them from their sources (Sources/Identification/Signatures/README.md) or add your own with --signatures")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same as JSON: one object per service with its entries.
    public func json() -> String {
        func string(_ s: String) -> String { FlowLogWriter.jsonString(s) }
        var out = "{\"schema\":\"blockwatch.services/1\",\"today\":\(string(today.description)),\"services\":["
        out += services.map { service in
            var fields = ["\"service\":\(string(service.name.rawValue))", "\"category\":\(string(service.category))",
                          "\"version\":\(string(service.version.description))", "\"file\":\(string(service.file))",
                          "\"shared\":\(service.isShared)", "\"control\":\(service.isControl)",
                          "\"members\":[\(service.members.map { string($0.rawValue) }.joined(separator: ","))]"]
            fields.append("\"entries\":[" + service.entries.map { entry in
                "{\"kind\":\(string(entry.kind.rawValue)),\"value\":\(string(entry.value)),"
                    + (entry.transport.map { "\"transport\":\(string($0))," } ?? "")
                    + "\"source\":\(string(entry.source)),\"retrieved\":\(string(entry.retrieved.description)),"
                    + "\"volatility\":\(string(entry.volatility.rawValue))}"
            }.joined(separator: ",") + "]")
            return "{" + fields.joined(separator: ",") + "}"
        }.joined(separator: ",")
        out += "],\"stale_entries\":\(stale.count)}\n"
        return out
    }

    static func pad(_ text: String, _ width: Int) -> String {
        width == 0 ? text : (text.count >= width - 1 ? text + " " : text + String(repeating: " ", count: width - text.count))
    }
}
