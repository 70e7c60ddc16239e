/// Why a flow record was written.
public enum FlowEndReason: String, Sendable, Codable {
    /// No packet for longer than the idle timeout of its protocol.
    case idle
    /// Both sides closed (FIN or RST) and the close delay passed.
    case closed
    /// A new connection reused the 5-tuple after this one closed.
    case reused
    /// The table was full; the least recently active flows made room.
    case evicted
    /// The capture ended with the flow still open.
    case captureEnd = "capture_end"
}
