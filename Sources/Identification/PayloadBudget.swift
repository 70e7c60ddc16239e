/// The bytes every flow's payload buffers (TCP stream starts, QUIC Initial reassembly) may hold
/// together. Each flow's buffers are bounded (16 KiB of client stream), but a flood of flows that
/// each send most of a ClientHello and never finish would hold 16 KiB times the flow table's
/// bound: 4 GB at 250,000 flows. Past the budget a flow is identified from what it has (its
/// packet at hand, or the bytes buffered so far) and not buffered further; such flows are
/// counted, so a flood costs identifications visibly, never memory without bound.
public final class PayloadBudget {
    /// The default: about 4,000 flows at the per-flow maximum at once, or 30,000 ordinary
    /// ClientHellos (2 KB) mid-reassembly; captures from real networks hold far fewer at a time.
    public static let defaultLimit = 64 << 20

    public let limit: Int
    /// Bytes held now, and the most held at once.
    public private(set) var held = 0
    public private(set) var peak = 0
    /// Flows whose buffering was refused at least once because the budget was spent.
    public internal(set) var flowsCutShort = 0

    public init(limit: Int = PayloadBudget.defaultLimit) {
        self.limit = limit
    }

    /// Takes `bytes` if they fit.
    func take(_ bytes: Int) -> Bool {
        guard bytes <= limit - held else { return false }
        held += bytes
        peak = max(peak, held)
        return true
    }

    /// Takes `bytes` already allocated (a QUIC inspector grows inside a call), even past the limit.
    func force(_ bytes: Int) {
        held += bytes
        peak = max(peak, held)
    }

    func release(_ bytes: Int) {
        held -= bytes
    }

    var isSpent: Bool { held > limit }
}
