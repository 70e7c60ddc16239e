import Foundation

/// Reads one signature file (format `blockwatch.signatures/1`, described in
/// `Signatures/README.md`) into a validated `ServiceDefinition`. Strict on purpose: an unknown
/// field is an error (a misspelt `retreived` must not pass as "no date"), every entry needs its
/// `source`, `retrieved` date and `volatility`, and values are checked and put in canonical form.
enum SignatureFileParser {
    static let format = "blockwatch.signatures/1"

    static let fileKeys: Set<String> = ["format", "service", "version", "category", "description",
                                        "shared_group", "control_services", "entries"]
    static let groupKeys: Set<String> = ["members", "note"]
    static let entryKeys: Set<String> = ["kind", "value", "transport", "generic", "source", "also", "retrieved",
                                         "volatility", "status", "note"]

    static func parse(data: Data, file: String) throws(SignatureError) -> ServiceDefinition {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .malformed(file: file, detail: "not valid JSON (\(String(describing: error)))")
        }
        guard let top = object as? [String: Any] else {
            throw .malformed(file: file, detail: "the top level must be an object")
        }
        try checkKeys(top, allowed: fileKeys, in: "the top level", file: file)

        let format = try string(top, "format", in: "the top level", file: file)
        guard format == SignatureFileParser.format else {
            throw .badValue(file: file, field: "format", value: format)
        }
        let name = try string(top, "service", in: "the top level", file: file)
        guard isServiceName(name) else { throw .badValue(file: file, field: "service name", value: name) }
        let versionText = try string(top, "version", in: "the top level", file: file)
        guard let version = SignatureDate(versionText) else { throw .badDate(file: file, value: versionText) }
        let category = try string(top, "category", in: "the top level", file: file)
        guard isServiceName(category) else { throw .badValue(file: file, field: "category", value: category) }
        let description = try optionalString(top, "description", in: "the top level", file: file)

        var sharedMembers: [ServiceName]? = nil
        if let groupValue = top["shared_group"] {
            guard let group = groupValue as? [String: Any] else {
                throw .malformed(file: file, detail: "\"shared_group\" must be an object")
            }
            try checkKeys(group, allowed: groupKeys, in: "\"shared_group\"", file: file)
            sharedMembers = try serviceNames(group["members"] ?? [Any](), field: "shared_group.members", file: file)
            _ = try optionalString(group, "note", in: "\"shared_group\"", file: file)
        }

        var controlServices: [ServiceName]? = nil
        if let controlValue = top["control_services"] {
            guard name == SignatureCatalog.controlGroupName else {
                throw .malformed(file: file, detail: "only the \"control\" file may list \"control_services\"")
            }
            controlServices = try serviceNames(controlValue, field: "control_services", file: file)
        } else if name == SignatureCatalog.controlGroupName {
            throw .malformed(file: file, detail: "the \"control\" file needs \"control_services\" (may be empty)")
        }
        if sharedMembers != nil && controlServices != nil {
            throw .malformed(file: file, detail: "the CONTROL group cannot also be a shared group")
        }

        guard let rawEntries = top["entries"] as? [Any] else {
            throw .malformed(file: file, detail: "\"entries\" must be present and be an array")
        }
        var entries: [SignatureEntry] = []
        var seen: Set<String> = []
        for (index, raw) in rawEntries.enumerated() {
            let entry = try parseEntry(raw, number: index + 1, file: file)
            if controlServices != nil && entry.kind != .domain {
                throw .badValue(file: file, field: "kind for the control file (only \"domain\")", value: entry.kind.rawValue)
            }
            let key = "\(entry.kind.rawValue) \(entry.transport ?? "")/\(entry.value)"
            guard seen.insert(key).inserted else { throw .duplicateEntry(file: file, value: entry.value) }
            entries.append(entry)
        }
        return ServiceDefinition(name: ServiceName(name), category: category, version: version,
                                 description: description, file: file, entries: entries,
                                 sharedMembers: sharedMembers, controlServices: controlServices)
    }

    static func parseEntry(_ raw: Any, number: Int, file: String) throws(SignatureError) -> SignatureEntry {
        let place = "entry \(number)"
        guard let object = raw as? [String: Any] else {
            throw .malformed(file: file, detail: "\(place) must be an object")
        }
        try checkKeys(object, allowed: entryKeys, in: place, file: file)
        let kindText = try string(object, "kind", in: place, file: file)
        guard let kind = SignatureEntry.Kind(rawValue: kindText) else {
            throw .badValue(file: file, field: "kind", value: kindText)
        }
        let rawValue = try string(object, "value", in: place, file: file)
        let described = "\(place) (\(kind.rawValue) \"\(rawValue)\")"

        // Provenance first: a fact without a source is the error this format exists to prevent.
        guard let sourceValue = object["source"] else { throw .missingSource(file: file, entry: described) }
        guard let source = sourceValue as? String else {
            throw .malformed(file: file, detail: "\(described): \"source\" must be a string")
        }
        guard !source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .missingSource(file: file, entry: described)
        }
        guard let retrievedValue = object["retrieved"] else { throw .missingRetrieved(file: file, entry: described) }
        guard let retrievedText = retrievedValue as? String else {
            throw .malformed(file: file, detail: "\(described): \"retrieved\" must be a string")
        }
        if retrievedText.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .missingRetrieved(file: file, entry: described)
        }
        guard let retrieved = SignatureDate(retrievedText) else { throw .badDate(file: file, value: retrievedText) }

        let volatilityText = try string(object, "volatility", in: described, file: file)
        guard let volatility = Volatility(rawValue: volatilityText) else {
            throw .badValue(file: file, field: "volatility", value: volatilityText)
        }
        var status = VerificationStatus.reported
        if let statusText = try optionalString(object, "status", in: described, file: file) {
            guard let parsed = VerificationStatus(rawValue: statusText) else {
                throw .badValue(file: file, field: "status", value: statusText)
            }
            status = parsed
        }
        var also: [String] = []
        if let alsoValue = object["also"] {
            guard let list = alsoValue as? [String] else {
                throw .malformed(file: file, detail: "\(described): \"also\" must be an array of strings")
            }
            also = list
        }
        let note = try optionalString(object, "note", in: described, file: file)

        var transport: String? = nil
        var isGeneric = false
        if kind == .port {
            let text = try string(object, "transport", in: described, file: file)
            guard text == "tcp" || text == "udp" else { throw .badValue(file: file, field: "transport", value: text) }
            transport = text
            if let genericValue = object["generic"] {
                guard let flag = genericValue as? Bool else {
                    throw .malformed(file: file, detail: "\(described): \"generic\" must be true or false")
                }
                isGeneric = flag
            }
        } else if object["transport"] != nil || object["generic"] != nil {
            throw .malformed(file: file, detail: "\(described): \"transport\" and \"generic\" belong to port entries")
        }

        let value = try canonicalValue(kind: kind, rawValue, file: file)
        return SignatureEntry(kind: kind, value: value, transport: transport, isGeneric: isGeneric, source: source,
                              also: also, retrieved: retrieved, volatility: volatility, status: status, note: note)
    }

    /// Checks the value for its kind and returns its canonical spelling.
    static func canonicalValue(kind: SignatureEntry.Kind, _ text: String, file: String) throws(SignatureError) -> String {
        switch kind {
        case .ipv4Prefix, .ipv6Prefix:
            guard let prefix = AddressPrefix(text), prefix.isIPv4 == (kind == .ipv4Prefix) else {
                throw .badPrefix(file: file, value: text)
            }
            return prefix.description
        case .asn:
            var digits = Substring(text)
            if digits.uppercased().hasPrefix("AS") { digits = digits.dropFirst(2) }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let number = UInt32(digits), number > 0 else {
                throw .badValue(file: file, field: "ASN", value: text)
            }
            return "AS\(number)"
        case .domain:
            guard let name = DomainMatcher.validatedSuffix(text) else { throw .badDomain(file: file, value: text) }
            return name
        case .port:
            guard let range = parseRange(text, hex: false), range.lowerBound >= 1 else {
                throw .badValue(file: file, field: "port", value: text)
            }
            return range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
        case .stunRealm:
            let token = text.lowercased()
            guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
                throw .badValue(file: file, field: "STUN realm", value: text)
            }
            return token
        case .stunMessageType, .stunAttribute:
            guard let range = parseRange(text, hex: true) else {
                throw .badValue(file: file, field: kind.rawValue.replacingOccurrences(of: "_", with: " "), value: text)
            }
            return range.lowerBound == range.upperBound ? hex(range.lowerBound) : "\(hex(range.lowerBound))-\(hex(range.upperBound))"
        }
    }

    /// `"443"`, `"500-600"`, or with `hex`, `"0x4000"`, `"0x4000-0x4007"` (decimal accepted too).
    static func parseRange(_ text: String, hex: Bool) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        func number(_ part: Substring) -> UInt16? {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if hex, trimmed.lowercased().hasPrefix("0x") {
                let digits = trimmed.dropFirst(2)
                guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
                return UInt16(digits, radix: 16)
            }
            guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit) else { return nil }
            return UInt16(trimmed)
        }
        guard let low = number(parts[0]) else { return nil }
        let high = parts.count == 2 ? number(parts[1]) : low
        guard let high, low <= high else { return nil }
        return low...high
    }

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    static func isServiceName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCIILowercaseLetter else { return false }
        return text.allSatisfy { $0.isASCIILowercaseLetter || $0.isASCIIDigit || $0 == "-" }
    }

    // MARK: - Field access with useful messages

    static func checkKeys(_ object: [String: Any], allowed: Set<String>, in place: String, file: String) throws(SignatureError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .malformed(file: file, detail: "unknown field \"\(unknown)\" in \(place)")
        }
    }

    static func string(_ object: [String: Any], _ key: String, in place: String, file: String) throws(SignatureError) -> String {
        guard let value = object[key] else { throw .malformed(file: file, detail: "\(place) has no \"\(key)\"") }
        guard let text = value as? String else {
            throw .malformed(file: file, detail: "\"\(key)\" in \(place) must be a string")
        }
        return text
    }

    static func optionalString(_ object: [String: Any], _ key: String, in place: String, file: String) throws(SignatureError) -> String? {
        guard object[key] != nil else { return nil }
        return try string(object, key, in: place, file: file)
    }

    static func serviceNames(_ value: Any, field: String, file: String) throws(SignatureError) -> [ServiceName] {
        guard let names = value as? [String] else {
            throw .malformed(file: file, detail: "\"\(field)\" must be an array of service names")
        }
        var result: [ServiceName] = []
        for name in names {
            guard isServiceName(name) else { throw .badValue(file: file, field: field, value: name) }
            result.append(ServiceName(name))
        }
        return result
    }
}

fileprivate extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILowercaseLetter: Bool { isASCII && isLowercase }
}
