import Wire

/// ICMP errors that quoted a packet of this flow (for example "administratively prohibited"
/// from a filtering router), so the error is attributed to the connection it answered.
/// (Stored compactly, like `DirectionCounters`: every flow holds one.)
public struct ICMPErrorSummary: Sendable, Equatable {
    public var count = 0
    public var administrativelyProhibited = 0
    private var lastSenderAddress = IPAddress(high: 0, low: 0)
    private var lastErrorTime = PackedTime.none
    public var lastType: UInt8 = 0
    public var lastCode: UInt8 = 0
    private var hasLastSender = false

    public init() {}

    /// Who sent the last error: the destination, or a router on the way.
    public var lastSender: IPAddress? {
        get { hasLastSender ? lastSenderAddress : nil }
        set {
            hasLastSender = newValue != nil
            lastSenderAddress = newValue ?? IPAddress(high: 0, low: 0)
        }
    }

    public var lastTime: Timestamp? {
        get { lastErrorTime.time }
        set { lastErrorTime = PackedTime(newValue) }
    }
}
