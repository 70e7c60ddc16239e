/// A service of the signature catalog: "telegram", "whatsapp", "signal", "meta" (shared
/// infrastructure), "google", ... Lower-case, as the catalog files spell it.
public struct ServiceName: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
    public static func < (a: ServiceName, b: ServiceName) -> Bool { a.rawValue < b.rawValue }

    public static let telegram: ServiceName = "telegram"
    public static let whatsapp: ServiceName = "whatsapp"
    public static let signal: ServiceName = "signal"
}
