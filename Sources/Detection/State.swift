/// A group's state in a time bin (DESIGN.md §4).
public enum ServiceState: String, CaseIterable, Sendable, Codable, Comparable {
    case noEvidence = "no-evidence"
    case ok
    case degraded
    case throttled
    case partiallyBlocked = "partially-blocked"
    case blocked

    /// Worse states rank higher: a service's verdict is its worst state.
    var severity: Int {
        switch self {
        case .noEvidence: 0
        case .ok: 1
        case .degraded: 2
        case .throttled: 3
        case .partiallyBlocked: 4
        case .blocked: 5
        }
    }

    public static func < (a: ServiceState, b: ServiceState) -> Bool { a.severity < b.severity }
}

/// The whole network's state in a time bin, at this vantage point.
public enum NetworkState: String, CaseIterable, Sendable, Codable {
    case noEvidence = "no-evidence"
    /// No packets at all in the bin: the capture has a hole (never a cutoff).
    case gap
    /// The capture itself dropped more than `Criteria.maximumCaptureLoss` of the bin's packets:
    /// the observer's loss, never the basis of a verdict.
    case captureLoss = "capture-loss"
    case ok
    case degraded
    case cutoff
    case internationalCutoff = "international-cutoff"
    case localOutage = "local-outage"

    public var isCutoff: Bool { self == .cutoff || self == .internationalCutoff || self == .localOutage }
}
