import Wire

/// A conversation being tracked: mutable while packets arrive, summarised into a `FlowRecord`
/// when it ends. The originator is the side that sent first — for TCP, the side that sent the SYN.
///
/// The table holds one per tracked flow (`FlowTableConfiguration.maximumFlows` of them), so the
/// stored fields are laid out to be small (`MemoryLayout<Flow>.stride` is 440 bytes; a test
/// guards it): the originator and responder are the key's two endpoints and a flag, optional
/// times are `PackedTime` words, and the small fields fill the key's tail padding.
public struct Flow: Sendable {
    public let key: FlowKey
    /// Whether the originator is `key.lower`.
    let originatorIsLower: Bool
    public internal(set) var originatorState = TCPEndpointState.inactive
    public internal(set) var responderState = TCPEndpointState.inactive
    /// Whether the flow was first seen mid-stream (no SYN): a connection already running when
    /// the capture started, which later stages must not count as a new attempt.
    public internal(set) var startedMidstream = false
    public let firstSeen: Timestamp
    public internal(set) var lastSeen: Timestamp
    var packedSynTime = PackedTime.none
    var packedSynAckTime = PackedTime.none
    var packedHandshakeAckTime = PackedTime.none
    /// Non-fatal decode issues seen on this flow's packets.
    public internal(set) var decodeNotes = 0
    public internal(set) var originatorCounters = DirectionCounters()
    public internal(set) var responderCounters = DirectionCounters()
    public internal(set) var icmpErrors = ICMPErrorSummary()
    public internal(set) var history = History()

    init(key: FlowKey, originator: Endpoint, responder: Endpoint, at time: Timestamp) {
        assert(originator == key.lower && responder == key.upper || originator == key.upper && responder == key.lower,
               "a flow's endpoints are its key's")
        self.key = key
        self.originatorIsLower = originator == key.lower && responder == key.upper
        self.firstSeen = time
        self.lastSeen = time
    }

    public var originator: Endpoint { originatorIsLower ? key.lower : key.upper }
    public var responder: Endpoint { originatorIsLower ? key.upper : key.lower }

    public internal(set) var synTime: Timestamp? {
        get { packedSynTime.time }
        set { packedSynTime = PackedTime(newValue) }
    }

    public internal(set) var synAckTime: Timestamp? {
        get { packedSynAckTime.time }
        set { packedSynAckTime = PackedTime(newValue) }
    }

    public internal(set) var handshakeAckTime: Timestamp? {
        get { packedHandshakeAckTime.time }
        set { packedHandshakeAckTime = PackedTime(newValue) }
    }

    public var protocolNumber: UInt8 { key.protocolNumber }

    /// Both sides have finished (FIN or RST), or one side reset.
    public var isClosed: Bool {
        originatorState == .reset || responderState == .reset
            || (originatorState == .closed && responderState == .closed)
    }

    /// The time from the SYN to the ACK that completed the handshake, as seen at the capture point.
    public var handshakeRoundTrip: Timestamp.Duration? {
        guard let syn = synTime, let ack = handshakeAckTime ?? synAckTime else { return nil }
        return ack - syn
    }

    public var connectionState: ConnectionState {
        if protocolNumber == 6 {
            return ConnectionState.tcp(originator: originatorState, responder: responderState,
                                       originatorPayloadBytes: originatorCounters.payloadBytes,
                                       responderPayloadBytes: responderCounters.payloadBytes,
                                       history: history.description)
        }
        if protocolNumber == 1 || protocolNumber == 58 { return .oth }
        return ConnectionState.datagram(originatorPackets: originatorCounters.packets,
                                        responderPackets: responderCounters.packets)
    }

    // MARK: - Updating

    mutating func observeTCP(_ tcp: TCPHeader, network: NetworkHeader, payloadLength: Int, fromOriginator: Bool,
                             at time: Timestamp) {
        let flags = tcp.flags
        // Sequence space: SYN and FIN each take one number.
        let consumed = UInt32(truncatingIfNeeded: payloadLength)
            &+ (flags.contains(.syn) ? 1 : 0) &+ (flags.contains(.fin) ? 1 : 0)
        var isRetransmission = false
        var newPayload = payloadLength
        withCounters(fromOriginator) { c in
            if consumed > 0 && !flags.contains(.rst) {
                let end = tcp.sequenceNumber &+ consumed
                if !c.sequenceKnown {
                    c.sequenceKnown = true
                    c.initialSequence = tcp.sequenceNumber
                    c.nextSequence = end
                } else if Int32(bitPattern: end &- c.nextSequence) <= 0 {
                    // Nothing new: everything in this segment was sent before.
                    isRetransmission = true
                    newPayload = 0
                } else {
                    let fresh = Int(Int32(bitPattern: end &- c.nextSequence))
                    if fresh < Int(consumed) { newPayload = max(0, min(payloadLength, fresh)) }
                    c.nextSequence = end
                }
            }
            c.payloadBytes &+= newPayload
            if isRetransmission {
                c.retransmissions &+= 1
                if payloadLength > 0 { c.dataRetransmissions &+= 1 }
            }
            if tcp.window == 0 && !flags.contains(.rst) && !flags.contains(.syn) { c.zeroWindows &+= 1 }
            if c.firstReset != nil { c.packetsAfterFirstReset &+= 1 }
            if flags.contains(.rst) {
                c.resets &+= 1
                if network.timeToLive < c.resetMinimumTTL { c.resetMinimumTTL = network.timeToLive }
                if network.timeToLive > c.resetMaximumTTL { c.resetMaximumTTL = network.timeToLive }
                if c.firstReset == nil {
                    c.firstReset = ResetFacts(time: time, timeToLive: network.timeToLive,
                                              identification: network.hasIdentification ? network.identification : nil,
                                              window: tcp.window, carriedAck: flags.contains(.ack))
                }
            } else {
                if network.timeToLive < c.nonResetMinimumTTL { c.nonResetMinimumTTL = network.timeToLive }
                if network.timeToLive > c.nonResetMaximumTTL { c.nonResetMaximumTTL = network.timeToLive }
            }
            if payloadLength > 0 {
                if c.firstPayloadTime == nil { c.firstPayloadTime = time }
                c.lastPayloadTime = time
            }
        }
        let zeroWindows = fromOriginator ? originatorCounters.zeroWindows : responderCounters.zeroWindows
        let dataRetransmissions = fromOriginator ? originatorCounters.dataRetransmissions : responderCounters.dataRetransmissions

        // History letters, in Zeek's vocabulary.
        if flags.contains(.syn) {
            if flags.contains(.fin) || flags.contains(.rst) { history.recordOnce(.synFin, originator: fromOriginator) }
            history.recordOnce(flags.contains(.ack) ? .synAck : .syn, originator: fromOriginator)
        }
        if flags.contains(.fin) { history.recordOnce(.fin, originator: fromOriginator) }
        if flags.contains(.rst) { history.recordOnce(.reset, originator: fromOriginator) }
        if payloadLength > 0 {
            history.recordOnce(.data, originator: fromOriginator)
        } else if flags == .ack {
            history.recordOnce(.ack, originator: fromOriginator)
        }
        // Like Zeek, only retransmitted data earns a T; repeated SYNs show in the packet counts.
        if isRetransmission && payloadLength > 0 {
            history.recordScaled(.retransmission, originator: fromOriginator, occurrence: dataRetransmissions)
        }
        if tcp.window == 0 && !flags.contains(.rst) && !flags.contains(.syn) {
            history.recordScaled(.zeroWindow, originator: fromOriginator, occurrence: zeroWindows)
        }

        // Handshake timing: the first SYN, the SYN-ACK answering it, the ACK completing it.
        if flags.contains(.syn) && !flags.contains(.ack) && fromOriginator && synTime == nil { synTime = time }
        if flags.contains(.syn) && flags.contains(.ack) && !fromOriginator && synAckTime == nil && synTime != nil { synAckTime = time }
        if flags == .ack || (flags.contains(.ack) && !flags.contains(.syn) && payloadLength > 0),
           fromOriginator, synAckTime != nil, handshakeAckTime == nil {
            handshakeAckTime = time
        }

        updateEndpointStates(flags, fromOriginator: fromOriginator)
    }

    /// Zeek's endpoint state machine, reduced to what `conn_state` needs.
    mutating func updateEndpointStates(_ flags: TCPFlags, fromOriginator: Bool) {
        var sender = fromOriginator ? originatorState : responderState
        var peer = fromOriginator ? responderState : originatorState
        if flags.contains(.rst) {
            sender = .reset
        } else if flags.contains(.syn) {
            if flags.contains(.ack) {
                if sender == .inactive || sender == .partial {
                    if peer == .synSent {
                        sender = .established
                        peer = .established
                    } else {
                        sender = .synAckSent
                    }
                }
            } else if sender == .inactive {
                sender = .synSent
            }
            if flags.contains(.fin) { sender = .closed }
        } else if flags.contains(.fin) {
            if sender != .reset { sender = .closed }
        } else {
            switch sender {
            case .inactive:
                sender = peer == .synAckSent ? .established : .partial
                if peer == .synAckSent { peer = .established }
            case .synSent, .synAckSent:
                sender = .established
                if peer == .synAckSent || peer == .synSent { peer = .established }
            default:
                break
            }
        }
        if fromOriginator {
            originatorState = sender
            responderState = peer
        } else {
            responderState = sender
            originatorState = peer
        }
    }

    mutating func withCounters(_ fromOriginator: Bool, _ body: (inout DirectionCounters) -> Void) {
        if fromOriginator { body(&originatorCounters) } else { body(&responderCounters) }
    }
}
