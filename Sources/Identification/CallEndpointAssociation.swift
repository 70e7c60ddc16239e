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

    public init(maximumEntries: Int = 50_000, lifetime: Timestamp.Duration = .seconds(120)) {
        self.maximumEntries = maximumEntries
        self.lifetime = lifetime
    }

    public mutating func remember(_ endpoint: Endpoint, app: ServiceName, at time: Timestamp) {
        if entries.count >= maximumEntries, entries[endpoint] == nil {
            entries = entries.filter { $0.value.expires > time }
            if entries.count >= maximumEntries { return }
        }
        entries[endpoint] = (app, time + lifetime)
    }

    public func app(for endpoint: Endpoint, at time: Timestamp) -> ServiceName? {
        guard let entry = entries[endpoint], time <= entry.expires else { return nil }
        return entry.app
    }
}
