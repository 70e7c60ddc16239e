import Flows
import Wire

/// UDP endpoints that belong to a named call: the local socket of a STUN exchange whose app is
/// known, and the addresses STUN advertised (mapped, relayed, peer). Media and peer-to-peer
/// flows of the same call are named by them. Bounded in entries and time.
public struct CallEndpointAssociation {
    public let maximumEntries: Int
    /// How long after its last STUN message an endpoint still names flows: calls keep their
    /// candidates alive with checks every few seconds, so a minute of silence ends the association.
    public let lifetime: Timestamp.Duration

    var entries: [Endpoint: (app: ServiceName, expires: Timestamp)] = [:]
    /// Endpoints forgotten before they expired because the table was full (expired ones going
    /// is not a loss and is not counted).
    public private(set) var evicted = 0

    public init(maximumEntries: Int = 50_000, lifetime: Timestamp.Duration = .seconds(120)) {
        self.maximumEntries = maximumEntries
        self.lifetime = lifetime
    }

    public var count: Int { entries.count }

    public mutating func remember(_ endpoint: Endpoint, app: ServiceName, at time: Timestamp) {
        if entries.count >= maximumEntries, entries[endpoint] == nil { makeRoom(at: time) }
        entries[endpoint] = (app, time + lifetime)
    }

    public func app(for endpoint: Endpoint, at time: Timestamp) -> ServiceName? {
        guard let entry = entries[endpoint], time <= entry.expires else { return nil }
        return entry.app
    }

    /// Drops the expired endpoints, and if that frees less than an eighth of the table, the
    /// endpoints closest to expiry until an eighth is free. A new endpoint is the likelier to
    /// belong to a call under way, so it is the old one that goes; freeing an eighth at a time
    /// keeps a STUN flood from paying a sweep of the whole table per endpoint.
    mutating func makeRoom(at time: Timestamp) {
        let expired = entries.compactMap { $0.value.expires < time ? $0.key : nil }
        for endpoint in expired { entries.removeValue(forKey: endpoint) }
        let target = maximumEntries - max(1, maximumEntries / 8)
        guard entries.count > target else { return }
        let expiries = entries.values.map(\.expires.nanoseconds).sorted()
        let threshold = expiries[entries.count - target - 1]
        let stale = entries.compactMap { $0.value.expires.nanoseconds <= threshold ? $0.key : nil }
        for endpoint in stale { entries.removeValue(forKey: endpoint) }
        evicted += stale.count
    }
}
