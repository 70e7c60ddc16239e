import Wire

/// What one direction of a flow sent: sizes, TCP sequence tracking, and the TTL and IP-ID it
/// showed — a forged packet rarely matches the real sender's TTL and IP-ID pattern.
///
/// Every flow in the table holds two of these, so they are stored compactly: the optional times
/// and the first reset are kept as plain words (`PackedTime`) and bytes rather than optionals
/// (an `Optional<Timestamp>` takes 16 bytes), and the public properties read and write them as before.
public struct DirectionCounters: Sendable, Equatable {
    public var packets = 0
    /// Bytes from the IP header on, as the headers say (Zeek's `*_ip_bytes`).
    public var ipBytes = 0
    /// Payload bytes, not counting retransmitted TCP payload (Zeek's `*_bytes`).
    public var payloadBytes = 0
    /// Segments that brought nothing new: repeated SYNs and FINs as well as resent data.
    public var retransmissions = 0
    /// Retransmissions that carried payload.
    public var dataRetransmissions = 0
    public var zeroWindows = 0
    public var resets = 0
    /// Packets this side sent after its first RST: a real endpoint falls silent after a reset,
    /// so more packets mean the reset raced the real endpoint (an injection).
    public var packetsAfterFirstReset = 0
    var firstPayload = PackedTime.none
    var lastPayload = PackedTime.none
    var resetTime = PackedTime.none
    public var minimumIPID: UInt32 = .max
    public var maximumIPID: UInt32 = 0
    public var lastIPID: UInt32 = 0
    /// The next sequence number expected from this side, once a segment was seen.
    public var nextSequence: UInt32 = 0
    public var initialSequence: UInt32 = 0
    var resetIdentification: UInt32 = 0
    var resetWindow: UInt16 = 0
    public var minimumTTL: UInt8 = .max
    public var maximumTTL: UInt8 = 0
    public var firstTTL: UInt8 = 0
    public var lastTTL: UInt8 = 0
    /// TTL range of this side's RSTs: two senders at different distances (a real endpoint and a
    /// middlebox forging in its name) show up as a wide range.
    public var resetMinimumTTL: UInt8 = .max
    public var resetMaximumTTL: UInt8 = 0
    /// TTL range of this side's packets other than RSTs.
    public var nonResetMinimumTTL: UInt8 = .max
    public var nonResetMaximumTTL: UInt8 = 0
    var resetTimeToLive: UInt8 = 0
    var resetHasIdentification = false
    var resetCarriedAck = false
    public var hasIPID = false
    public var sequenceKnown = false

    public init() {}

    /// When this side first and last sent payload.
    public var firstPayloadTime: Timestamp? {
        get { firstPayload.time }
        set { firstPayload = PackedTime(newValue) }
    }

    public var lastPayloadTime: Timestamp? {
        get { lastPayload.time }
        set { lastPayload = PackedTime(newValue) }
    }

    /// The first RST this side sent: when, and the TTL and IP-ID it carried. A reset forged by a
    /// middlebox rarely matches the TTL and IP-ID of the real sender's other packets.
    public var firstReset: ResetFacts? {
        get {
            guard let time = resetTime.time else { return nil }
            return ResetFacts(time: time, timeToLive: resetTimeToLive,
                              identification: resetHasIdentification ? resetIdentification : nil,
                              window: resetWindow, carriedAck: resetCarriedAck)
        }
        set {
            resetTime = PackedTime(newValue?.time)
            resetTimeToLive = newValue?.timeToLive ?? 0
            resetIdentification = newValue?.identification ?? 0
            resetHasIdentification = newValue?.identification != nil
            resetWindow = newValue?.window ?? 0
            resetCarriedAck = newValue?.carriedAck ?? false
        }
    }

    mutating func count(_ network: NetworkHeader) {
        packets &+= 1
        ipBytes &+= network.totalLength
        let ttl = network.timeToLive
        if packets == 1 { firstTTL = ttl }
        lastTTL = ttl
        if ttl < minimumTTL { minimumTTL = ttl }
        if ttl > maximumTTL { maximumTTL = ttl }
        if network.hasIdentification {
            let id = network.identification
            hasIPID = true
            lastIPID = id
            if id < minimumIPID { minimumIPID = id }
            if id > maximumIPID { maximumIPID = id }
        }
    }

    /// TTL range as text ("64" or "52-57"), or "-" when nothing was seen.
    public var ttlRange: String {
        packets == 0 ? "-" : (minimumTTL == maximumTTL ? "\(minimumTTL)" : "\(minimumTTL)-\(maximumTTL)")
    }

    public var ipIDRange: String {
        !hasIPID ? "-" : (minimumIPID == maximumIPID ? "\(minimumIPID)" : "\(minimumIPID)-\(maximumIPID)")
    }
}

/// The first reset a side sent.
public struct ResetFacts: Sendable, Equatable {
    public var time: Timestamp
    public var timeToLive: UInt8
    public var identification: UInt32?
    public var window: UInt16
    public var carriedAck: Bool
}
