import Wire

/// ICMP errors that quoted a packet of this flow (for example "administratively prohibited"
/// from a filtering router), so the error is attributed to the connection it answered.
public struct ICMPErrorSummary: Sendable, Equatable {
    public var count = 0
    public var administrativelyProhibited = 0
    public var lastType: UInt8 = 0
    public var lastCode: UInt8 = 0
    /// Who sent the last error: the destination, or a router on the way.
    public var lastSender: IPAddress? = nil
    public var lastTime: Timestamp? = nil

    public init() {}
}
