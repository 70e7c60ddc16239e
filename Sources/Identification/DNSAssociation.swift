import Wire

/// Names learned from DNS answers, by address: so a later flow to that address — even one that
/// never got past its SYN — is named by what the client looked up. Bounded in entries and time.
public struct DNSAssociation {
    public struct Entry: Sendable, Equatable {
        /// The name the client asked for, then the CNAME targets on the way to the address.
        public var names: [String]
        public var learned: Timestamp
        public var expires: Timestamp
    }

    public let maximumEntries: Int
    /// An answer stays credible for its TTL, but never less than this: clients and resolvers
    /// cache longer than records say, and retries of a blocked connection come minutes later.
    public let minimumLifetime: Timestamp.Duration
    public let maximumLifetime: Timestamp.Duration

    var entries: [IPAddress: Entry] = [:]
    public private(set) var evicted = 0
    public private(set) var answersLearned = 0

    public init(maximumEntries: Int = 200_000, minimumLifetime: Timestamp.Duration = .seconds(600),
                maximumLifetime: Timestamp.Duration = .seconds(6 * 3600)) {
        self.maximumEntries = maximumEntries
        self.minimumLifetime = minimumLifetime
        self.maximumLifetime = maximumLifetime
    }

    public var count: Int { entries.count }

    /// The names for `address` that are still credible at `time`.
    public func names(for address: IPAddress, at time: Timestamp) -> [String]? {
        guard let entry = entries[address], time <= entry.expires else { return nil }
        return entry.names
    }

    /// Learns the A/AAAA answers of a DNS response (with the CNAME chain that led to them).
    public mutating func learn(from message: DNSMessage, at time: Timestamp) {
        guard message.isResponse, message.responseCode == .noError, let question = message.question else { return }
        // Names are only turned into strings when something new is learned.
        var chain: [String]? = nil
        for record in message.answers {
            guard let address = record.address else { continue }
            let lifetime = min(max(Int64(record.ttl) * 1_000_000_000, minimumLifetime.nanoseconds), maximumLifetime.nanoseconds)
            let expires = time + Timestamp.Duration(nanoseconds: lifetime)
            if var existing = entries[address], let first = existing.names.first, question.name.equals(first) {
                existing.expires = max(existing.expires, expires)
                entries[address] = existing
                continue
            }
            if chain == nil { chain = DNSAssociation.nameChain(message, question: question) }
            if entries.count >= maximumEntries { makeRoom() }
            entries[address] = Entry(names: chain!, learned: time, expires: expires)
            answersLearned += 1
        }
    }

    /// The question name, then each CNAME target, at most four names.
    static func nameChain(_ message: DNSMessage, question: DNSQuestion) -> [String] {
        var names = [question.name.text]
        for record in message.answers where names.count < 4 {
            if let target = record.target { names.append(target.text) }
        }
        return names
    }

    /// Drops the eighth of the table closest to expiry. Removing in place keeps the table's
    /// storage: rebuilding it with `filter` cost a full copy and regrowth each time, which made
    /// a DNS answer flood ten times slower (Benchmarks/floods.sh).
    mutating func makeRoom() {
        let expiries = entries.values.map(\.expires.nanoseconds).sorted()
        let threshold = expiries[max(0, expiries.count / 8 - 1)]
        let stale = entries.compactMap { $0.value.expires.nanoseconds <= threshold ? $0.key : nil }
        for address in stale { entries.removeValue(forKey: address) }
        evicted += stale.count
    }
}
