import Foundation
import Wire

/// A user's list of address prefixes — the DOMESTIC group of `--domestic PREFIXES|FILE`.
/// Text form: CIDR prefixes (IPv4 or IPv6) separated by commas, spaces or new lines; `#` starts
/// a comment that runs to the end of the line; a bare address means that one host.
/// Host bits must be zero (`10.0.0.1/8` is refused: it is usually a typo for something else).
public struct PrefixList: Sendable {
    let table: AddressPrefixTable

    /// The prefixes in canonical text, in the order given (duplicates removed).
    public var prefixes: [String] { table.prefixes.map(\.description) }
    public var isEmpty: Bool { table.isEmpty }

    /// Parses the text form; `origin` names where the text came from in error messages
    /// (the file's path, or the flag).
    public static func parse(_ text: String, origin: String = "--domestic") throws(SignatureError) -> PrefixList {
        var entries: [(prefix: AddressPrefix, owner: Int32)] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let content = line.prefix { $0 != "#" }
            for token in content.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
                guard let prefix = AddressPrefix(token) else { throw .badPrefix(file: origin, value: String(token)) }
                entries.append((prefix, 0))
            }
        }
        return PrefixList(table: AddressPrefixTable(entries))
    }

    /// Reads and parses a file in the text form.
    public static func load(path: String) throws(SignatureError) -> PrefixList {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(file: path, reason: SignatureCatalog.reason(error))
        }
        return try parse(text, origin: path)
    }

    /// Whether any prefix of the list contains `address`. No allocation.
    public func contains(_ address: IPAddress) -> Bool { table.lookup(address) != nil }
}
