import Wire

/// Where a packet landed in the flow table.
public struct FlowObservation: Sendable {
    /// The flow's slot, stable while the flow lives (later stages keep per-flow state by slot).
    public var slot: Int
    public var fromOriginator: Bool
    public var isNewFlow: Bool
    /// The packet was an ICMP error attributed to the flow whose packet it quoted.
    public var isICMPError: Bool
}

/// Counters that account for every flow the table made and why each ended.
public struct FlowTableStatistics: Sendable, Equatable {
    public var flowsCreated = 0
    public var endedIdle = 0
    public var endedClosed = 0
    public var endedReused = 0
    public var evicted = 0
    public var endedAtCaptureEnd = 0
    public var icmpErrorsAttributed = 0
    public var peakFlows = 0

    public init() {}
}

/// The bidirectional flow table. Driven only by packet time: flows expire when the capture's
/// clock passes their idle timeout, and memory is bounded by `maximumFlows`.
public struct FlowTable {
    public let configuration: FlowTableConfiguration
    public private(set) var statistics = FlowTableStatistics()

    var index: [FlowKey: Int32] = [:]
    var slots: ContiguousArray<Flow?> = []
    var freeSlots: [Int32] = []
    /// The latest packet time seen; packets that go back in time do not move it.
    var now = Timestamp(nanoseconds: .min)
    var lastSweep = Timestamp(nanoseconds: .min)

    public init(configuration: FlowTableConfiguration = FlowTableConfiguration()) {
        self.configuration = configuration
        index.reserveCapacity(min(configuration.maximumFlows, 65_536))
    }

    public var activeFlows: Int { index.count }

    public func flow(at slot: Int) -> Flow? { slots[slot] }

    /// Records of flows that ended (idle, closed, reused, evicted) and were not taken yet.
    public private(set) var ended: [FlowRecord] = []

    /// Hands over the records of flows that ended, oldest first.
    public mutating func takeEnded() -> [FlowRecord] {
        defer { ended = [] }
        return ended
    }

    /// Adds a packet to its flow, creating the flow if needed. Flows that end meanwhile (idle,
    /// closed, evicted) go to `ended`.
    public mutating func observe(_ packet: DecodedPacket, at time: Timestamp) -> FlowObservation {
        if time > now { now = time }
        if lastSweep.nanoseconds == .min {
            lastSweep = now
        } else if now.nanoseconds &- lastSweep.nanoseconds >= configuration.sweepInterval.nanoseconds {
            expireIdleFlows()
            lastSweep = now
        }

        let network = packet.network
        // An ICMP error joins the flow of the packet it quotes, when that flow exists.
        if case .icmp(let icmp) = packet.transport, icmp.isError, let quoted = icmp.quoted, quoted.hasPorts {
            let key = FlowKey(protocolNumber: quoted.protocolNumber,
                              Endpoint(address: quoted.source, port: quoted.sourcePort),
                              Endpoint(address: quoted.destination, port: quoted.destinationPort))
            if let slot = index[key] {
                slots[Int(slot)]!.recordICMPError(icmp, from: network.source, at: time)
                if time > slots[Int(slot)]!.lastSeen { slots[Int(slot)]!.lastSeen = time }
                statistics.icmpErrorsAttributed += 1
                let fromOriginator = slots[Int(slot)]!.originator.address == quoted.source
                return FlowObservation(slot: Int(slot), fromOriginator: fromOriginator, isNewFlow: false, isICMPError: true)
            }
        }

        let source = Endpoint(address: network.source, port: packet.sourcePort)
        let destination = Endpoint(address: network.destination, port: packet.destinationPort)
        let key = FlowKey(protocolNumber: network.protocolNumber, source, destination)
        var isNew = false
        var slot: Int
        if let existing = index[key] {
            slot = Int(existing)
            if case .tcp(let tcp) = packet.transport, startsNewConnection(tcp, in: slots[slot]!) {
                end(slot: slot, reason: .reused)
                slot = insert(key: key, packet: packet, source: source, destination: destination, at: time)
                isNew = true
            }
        } else {
            slot = insert(key: key, packet: packet, source: source, destination: destination, at: time)
            isNew = true
        }

        let fromOriginator = slots[slot]!.originator == source && (slots[slot]!.responder == destination)
        slots[slot]!.update(with: packet, fromOriginator: fromOriginator, at: time)
        return FlowObservation(slot: slot, fromOriginator: fromOriginator, isNewFlow: isNew, isICMPError: false)
    }

    /// Ends every flow still open, oldest first, at the end of the capture (see `ended`).
    public mutating func finish() {
        let open = slots.indices.compactMap { i in slots[i].map { (i, $0.firstSeen) } }.sorted { $0.1 < $1.1 }
        for (slot, _) in open { end(slot: slot, reason: .captureEnd) }
    }

    // MARK: - Internals

    /// A SYN from the originator on a connection that has closed is a new connection on the same
    /// 5-tuple (port reuse), not part of the old one.
    func startsNewConnection(_ tcp: TCPHeader, in flow: Flow) -> Bool {
        guard tcp.flags.contains(.syn), !tcp.flags.contains(.ack), flow.isClosed else { return false }
        return !(flow.originatorCounters.sequenceKnown && flow.originatorCounters.initialSequence == tcp.sequenceNumber)
    }

    mutating func insert(key: FlowKey, packet: DecodedPacket, source: Endpoint, destination: Endpoint,
                         at time: Timestamp) -> Int {
        if index.count >= configuration.maximumFlows { makeRoom() }
        var originator = source
        var responder = destination
        var flipped = false
        var midstream = false
        if case .tcp(let tcp) = packet.transport {
            // We missed the SYN but see the SYN-ACK: its receiver is the originator (Zeek's "^").
            if tcp.flags.contains(.syn) && tcp.flags.contains(.ack) {
                originator = destination
                responder = source
                flipped = true
            }
            midstream = !tcp.flags.contains(.syn)
        }
        var flow = Flow(key: key, originator: originator, responder: responder, at: time)
        flow.startedMidstream = midstream
        if flipped { flow.history.recordOnce(.flipped, originator: true) }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            slots[slot] = flow
        } else {
            slot = slots.count
            slots.append(flow)
        }
        index[key] = Int32(slot)
        statistics.flowsCreated += 1
        if index.count > statistics.peakFlows { statistics.peakFlows = index.count }
        return slot
    }

    mutating func end(slot: Int, reason: FlowEndReason) {
        guard let flow = slots[slot] else { return }
        ended.append(FlowRecord(flow, slot: slot, endReason: reason))
        switch reason {
        case .idle: statistics.endedIdle += 1
        case .closed: statistics.endedClosed += 1
        case .reused: statistics.endedReused += 1
        case .evicted: statistics.evicted += 1
        case .captureEnd: statistics.endedAtCaptureEnd += 1
        }
        index[flow.key] = nil
        slots[slot] = nil
        freeSlots.append(Int32(slot))
    }

    mutating func expireIdleFlows() {
        for slot in slots.indices {
            guard let flow = slots[slot] else { continue }
            let closed = flow.protocolNumber == 6 && flow.isClosed
            let timeout = closed ? configuration.closeDelay : configuration.idleTimeout(forProtocol: flow.protocolNumber)
            if now.nanoseconds &- flow.lastSeen.nanoseconds > timeout.nanoseconds {
                end(slot: slot, reason: closed ? .closed : .idle)
            }
        }
    }

    /// At capacity: first let idle flows go; if that is not enough, write out the least recently
    /// active eighth of the table, so a flood costs one sort per many new flows.
    mutating func makeRoom() {
        expireIdleFlows()
        guard index.count >= configuration.maximumFlows else { return }
        var lastSeen = slots.compactMap { $0?.lastSeen.nanoseconds }
        lastSeen.sort()
        let threshold = lastSeen[max(0, lastSeen.count / 8 - 1)]
        for slot in slots.indices {
            if let flow = slots[slot], flow.lastSeen.nanoseconds <= threshold {
                end(slot: slot, reason: .evicted)
            }
        }
    }
}

extension Flow {
    mutating func update(with packet: DecodedPacket, fromOriginator: Bool, at time: Timestamp) {
        if time > lastSeen { lastSeen = time }
        if packet.note != nil { decodeNotes &+= 1 }
        if fromOriginator {
            originatorCounters.count(packet.network)
        } else {
            responderCounters.count(packet.network)
        }
        switch packet.transport {
        case .tcp(let tcp):
            observeTCP(tcp, network: packet.network, payloadLength: packet.payloadLength, fromOriginator: fromOriginator, at: time)
        default:
            let length = max(0, packet.payloadLength)
            withCounters(fromOriginator) { c in
                c.payloadBytes &+= length
                if length > 0 {
                    if c.firstPayloadTime == nil { c.firstPayloadTime = time }
                    c.lastPayloadTime = time
                }
            }
        }
    }

    mutating func recordICMPError(_ icmp: ICMPHeader, from sender: IPAddress, at time: Timestamp) {
        icmpErrors.count += 1
        if icmp.isAdministrativelyProhibited { icmpErrors.administrativelyProhibited += 1 }
        icmpErrors.lastType = icmp.type
        icmpErrors.lastCode = icmp.code
        icmpErrors.lastSender = sender
        icmpErrors.lastTime = time
    }
}
