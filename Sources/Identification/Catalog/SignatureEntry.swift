/// A calendar date as the signature files write it (`YYYY-MM-DD`): when a fact was retrieved
/// from its source, or when a file was assembled. No time zone: a day is precise enough to say
/// how stale a list is.
public struct SignatureDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A real calendar date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1970...9999).contains(year), (1...12).contains(month),
              (1...SignatureDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let c = utf8[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian calendar; H. Hinnant's `days_from_civil`).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func < (a: SignatureDate, b: SignatureDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// How quickly a kind of fact goes out of date (methods.md's freshness tags).
public enum Volatility: String, CaseIterable, Sendable, Comparable {
    /// Protocol constants: rarely change.
    case `static`
    /// Domains, ASNs, ports: change every few months to years.
    case slow
    /// Address lists: change within weeks; `blockwatch services` warns when they are old.
    case volatile

    var rank: Int {
        switch self {
        case .static: 0
        case .slow: 1
        case .volatile: 2
        }
    }

    public static func < (a: Volatility, b: Volatility) -> Bool { a.rank < b.rank }
}

/// How far a fact was checked (methods.md's conventions).
public enum VerificationStatus: String, CaseIterable, Sendable {
    /// Checked in source code, a spec, test data or the publisher's own list.
    case verified
    /// A third party reports it; not reproduced.
    case reported
    /// Recollection or inference; check before relying on it.
    case unverified
}

/// One fact of a service's signature: a prefix, an ASN, a domain, a port range, a STUN realm
/// token, a STUN message type or attribute range — with where it came from and when.
public struct SignatureEntry: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case ipv4Prefix = "ipv4_prefix"
        case ipv6Prefix = "ipv6_prefix"
        /// Documents the service's autonomous systems; the catalog has no address → ASN table.
        case asn
        /// Matches the name and every name below it, by whole labels.
        case domain
        /// A port or port range (`"5222"`, `"500-600"`) with a `transport`.
        case port
        /// Matches when a STUN REALM attribute contains this token (case-insensitive).
        case stunRealm = "stun_realm"
        /// A STUN message type or range (`"0x0800-0x0802"`).
        case stunMessageType = "stun_message_type"
        /// A STUN attribute type or range (`"0x4000-0x4007"`).
        case stunAttribute = "stun_attribute"
    }

    public let kind: Kind
    /// The value in canonical text: `149.154.160.0/20`, `AS62041`, `t.me`, `500-600`, ...
    public let value: String
    /// `tcp` or `udp`, for ports.
    public let transport: String?
    /// A port every web service uses (80, 443): recorded as a fact, never offered as a hint.
    public let isGeneric: Bool
    public let source: String
    /// Further sources that agree with `source`.
    public let also: [String]
    public let retrieved: SignatureDate
    public let volatility: Volatility
    public let status: VerificationStatus
    public let note: String?

    public init(kind: Kind, value: String, transport: String? = nil, isGeneric: Bool = false, source: String,
                also: [String] = [], retrieved: SignatureDate, volatility: Volatility,
                status: VerificationStatus = .reported, note: String? = nil) {
        self.kind = kind
        self.value = value
        self.transport = transport
        self.isGeneric = isGeneric
        self.source = source
        self.also = also
        self.retrieved = retrieved
        self.volatility = volatility
        self.status = status
        self.note = note
    }

    /// How the entry is named in messages: `domain "t.me"`, `port udp/500-600`.
    public var label: String {
        if let transport { return "\(kind.rawValue) \(transport)/\(value)" }
        return "\(kind.rawValue) \"\(value)\""
    }
}

/// One service (or shared group, or the CONTROL group) as one signature file defines it.
public struct ServiceDefinition: Sendable {
    public let name: ServiceName
    public let category: String
    public let version: SignatureDate
    public let description: String?
    /// The file it was read from, as given (bundled files by their name).
    public let file: String
    public let entries: [SignatureEntry]
    /// Non-nil for shared infrastructure: the services that share it (possibly none known, as
    /// for a CDN that fronts arbitrary customers). Its addresses and names name only the group.
    public let sharedMembers: [ServiceName]?
    /// Only for the CONTROL file: the services whose traffic counts as CONTROL.
    public let controlServices: [ServiceName]?

    public var isShared: Bool { sharedMembers != nil }
    public var isControlGroup: Bool { controlServices != nil }
}
