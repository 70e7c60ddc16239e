import Wire

/// The summary of one finished flow, in Zeek conn.log's vocabulary plus BlockWatch's own facts.
public struct FlowRecord: Sendable, Equatable {
    /// A stable identifier derived from the 5-tuple and start time ("C" + base62, as Zeek's look).
    public var uid: String
    public var start: Timestamp
    public var lastSeen: Timestamp
    public var originator: Endpoint
    public var responder: Endpoint
    public var protocolNumber: UInt8
    public var ipVersion: UInt8
    public var connectionState: ConnectionState
    public var history: String
    public var originatorCounters: DirectionCounters
    public var responderCounters: DirectionCounters
    public var handshakeRoundTrip: Timestamp.Duration?
    public var icmpErrors: ICMPErrorSummary
    public var decodeNotes: Int
    public var startedMidstream: Bool
    public var endReason: FlowEndReason
    /// The table slot the flow had, so later stages can find their per-flow state.
    public var slot: Int

    public init(_ flow: Flow, slot: Int, endReason: FlowEndReason) {
        self.slot = slot
        start = flow.firstSeen
        lastSeen = flow.lastSeen
        originator = flow.originator
        responder = flow.responder
        protocolNumber = flow.protocolNumber
        ipVersion = flow.originator.address.isIPv4 ? 4 : 6
        connectionState = flow.connectionState
        history = flow.history.description
        originatorCounters = flow.originatorCounters
        responderCounters = flow.responderCounters
        handshakeRoundTrip = flow.handshakeRoundTrip
        icmpErrors = flow.icmpErrors
        decodeNotes = flow.decodeNotes
        startedMidstream = flow.startedMidstream
        self.endReason = endReason
        uid = FlowRecord.makeUID(flow.key, start: flow.firstSeen)
    }

    public var transport: IPProtocol { IPProtocol(number: protocolNumber) }
    public var duration: Timestamp.Duration { lastSeen - start }
    public var packets: Int { originatorCounters.packets + responderCounters.packets }

    /// Two FNV-1a hashes over the key and start time, written in base62 like Zeek's 17-letter uids.
    static func makeUID(_ key: FlowKey, start: Timestamp) -> String {
        let words = (key.lower.address.high, key.lower.address.low, key.upper.address.high, key.upper.address.low,
                     UInt64(key.lower.port) << 24 | UInt64(key.upper.port) << 8 | UInt64(key.protocolNumber),
                     UInt64(bitPattern: start.nanoseconds))
        @inline(__always) func step(_ hash: inout UInt64, _ word: UInt64) {
            var v = word
            for _ in 0..<8 {
                hash ^= v & 0xFF
                hash = hash &* 0x0000_0100_0000_01B3
                v >>= 8
            }
        }
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            step(&hash, words.0)
            step(&hash, words.1)
            step(&hash, words.2)
            step(&hash, words.3)
            step(&hash, words.4)
            step(&hash, words.5)
            return hash
        }
        let first = fnv(0xcbf2_9ce4_8422_2325), second = fnv(0x8422_2325_cbf2_9ce4)
        return String(unsafeUninitializedCapacity: 17) { text in
            text[0] = UInt8(ascii: "C")
            var value = first
            for index in 1...16 {
                if index == 9 { value = second }
                text[index] = FlowRecord.base62(value % 62)
                value /= 62
            }
            return 17
        }
    }

    /// "0"–"9", "A"–"Z", "a"–"z".
    @inline(__always)
    static func base62(_ digit: UInt64) -> UInt8 {
        let d = UInt8(truncatingIfNeeded: digit)
        return d < 10 ? 0x30 &+ d : (d < 36 ? 0x41 &+ (d &- 10) : 0x61 &+ (d &- 36))
    }
}
