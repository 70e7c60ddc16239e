/// Why a signature file (bundled or a user's `--signatures FILE`) or a prefix list
/// (`--domestic`) could not be used. Every message is one line that names the file and the
/// offending value, so the CLI can print it as it is and exit.
public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder could not be read at all.
    case unreadable(file: String, reason: String)
    /// Not JSON, or JSON of the wrong shape (a missing or unknown field, a wrong type).
    case malformed(file: String, detail: String)
    /// An entry without its `source` (every fact must say where it came from).
    case missingSource(file: String, entry: String)
    /// An entry without its `retrieved` date.
    case missingRetrieved(file: String, entry: String)
    /// A CIDR prefix that does not parse, has host bits set, or is of the wrong family.
    case badPrefix(file: String, value: String)
    /// A date that is not a real `YYYY-MM-DD` calendar date.
    case badDate(file: String, value: String)
    /// A domain that is not lower-case labels joined by dots (a bare TLD is refused too).
    case badDomain(file: String, value: String)
    /// Any other value that does not fit its field (port, ASN, kind, volatility, name, ...).
    case badValue(file: String, field: String, value: String)
    /// The same value twice in one service.
    case duplicateEntry(file: String, value: String)
    /// Two files loaded together define the same service.
    case duplicateService(service: String, files: [String])
    /// Two services loaded together claim the same domain, prefix or STUN token.
    case conflict(file: String, value: String, services: [String])
    /// A name given to `--control` that no loaded file defines.
    case unknownService(name: String)
    /// No signature files were found where they should be.
    case noSignatures(location: String)

    public var description: String {
        let text: String
        switch self {
        case .unreadable(let file, let reason):
            text = "cannot read signatures '\(file)': \(reason)"
        case .malformed(let file, let detail):
            text = "\(file): malformed signatures file: \(detail)"
        case .missingSource(let file, let entry):
            text = "\(file): \(entry) has no \"source\" (every entry must cite where it came from)"
        case .missingRetrieved(let file, let entry):
            text = "\(file): \(entry) has no \"retrieved\" date (YYYY-MM-DD)"
        case .badPrefix(let file, let value):
            text = "\(file): invalid IP prefix \"\(value)\" (expected a.b.c.d/len or x:y::/len with host bits zero)"
        case .badDate(let file, let value):
            text = "\(file): invalid date \"\(value)\" (expected YYYY-MM-DD)"
        case .badDomain(let file, let value):
            text = "\(file): invalid domain \"\(value)\" (expected lower-case labels such as example.org)"
        case .badValue(let file, let field, let value):
            text = "\(file): invalid \(field) \"\(value)\""
        case .duplicateEntry(let file, let value):
            text = "\(file): \"\(value)\" is listed twice"
        case .duplicateService(let service, let files):
            text = "service \"\(service)\" is defined by more than one file: \(files.joined(separator: ", "))"
        case .conflict(let file, let value, let services):
            text = "\(file): \"\(value)\" is claimed by more than one service: \(services.joined(separator: ", "))"
        case .unknownService(let name):
            text = "unknown service \"\(name)\" (see `blockwatch services`)"
        case .noSignatures(let location):
            text = "no signature files (*.json) in \(location)"
        }
        return SignatureError.oneLine(text)
    }

    /// Values come from user files: keep the message on one line whatever they contain.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
