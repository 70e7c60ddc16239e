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
///
/// Flows live in `slots` (a slot is stable while its flow lives); `index` finds a key's slot.
/// The index is an open-addressing table of its own rather than a `Dictionary`: one seeded
/// multiply-mix of the key's five words instead of five `Hasher.combine` calls, and no generic
/// dictionary machinery on a path every packet takes.
public struct FlowTable {
    public let configuration: FlowTableConfiguration
    public private(set) var statistics = FlowTableStatistics()

    var index = FlowIndex()
    /// Flows by slot; a slot whose `live` flag is false holds a finished flow's leftovers.
    var slots: ContiguousArray<Flow> = []
    var live: [Bool] = []
    var freeSlots: [Int32] = []
    /// The latest packet time seen; packets that go back in time do not move it.
    var now = Timestamp(nanoseconds: .min)
    var lastSweep = Timestamp(nanoseconds: .min)

    /// Slots reserved when the table is made. Reserving the bound itself means the slot array is
    /// never copied to grow and never holds more slots than the bound (doubling took 262,144 for
    /// 250,000); untouched pages of the reservation cost address space, not memory. Bounds past
    /// this grow from it, by doubling but never beyond the bound.
    static let slotsReservedUpFront = 1 << 20

    public init(configuration: FlowTableConfiguration = FlowTableConfiguration()) {
        self.configuration = configuration
        index.reserveCapacity(min(configuration.maximumFlows, 65_536))
        let reserved = min(configuration.maximumFlows, FlowTable.slotsReservedUpFront)
        slots.reserveCapacity(reserved)
        live.reserveCapacity(reserved)
    }

    public var activeFlows: Int { index.count }

    public func flow(at slot: Int) -> Flow? { live[slot] ? slots[slot] : nil }

    /// The endpoints and protocol of the live flow at `slot`, without copying the flow.
    public func endpoints(at slot: Int) -> (originator: Endpoint, responder: Endpoint, protocolNumber: UInt8)? {
        guard live[slot] else { return nil }
        return (slots[slot].originator, slots[slot].responder, slots[slot].key.protocolNumber)
    }

    /// Records of flows that ended (idle, closed, reused, evicted) and were not taken yet.
    public private(set) var ended: [FlowRecord] = []

    /// Hands over the records of flows that ended, oldest first.
    public mutating func takeEnded() -> [FlowRecord] {
        defer { ended = [] }
        return ended
    }

    /// Passes the records of flows that ended to `body`, oldest first, and forgets them; the
    /// storage is kept for the next ones (`takeEnded` starts a new array each time).
    public mutating func drainEnded(_ body: (FlowRecord) -> Void) {
        for index in ended.indices { body(ended[index]) }
        ended.removeAll(keepingCapacity: true)
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

        // An ICMP error joins the flow of the packet it quotes, when that flow exists.
        if case .icmp(let icmp) = packet.transport, icmp.isError, let quoted = icmp.quoted, quoted.hasPorts {
            let key = FlowKey(protocolNumber: quoted.protocolNumber,
                              Endpoint(address: quoted.source, port: quoted.sourcePort),
                              Endpoint(address: quoted.destination, port: quoted.destinationPort))
            if let slot = find(key) {
                slots[slot].recordICMPError(icmp, from: packet.network.source, at: time)
                if time > slots[slot].lastSeen { slots[slot].lastSeen = time }
                statistics.icmpErrorsAttributed += 1
                let fromOriginator = slots[slot].originator.address == quoted.source
                return FlowObservation(slot: slot, fromOriginator: fromOriginator, isNewFlow: false, isICMPError: true)
            }
        }

        let source = Endpoint(address: packet.network.source, port: packet.sourcePort)
        let destination = Endpoint(address: packet.network.destination, port: packet.destinationPort)
        let key = FlowKey(protocolNumber: packet.network.protocolNumber, source, destination)
        let hash = index.hash(key)
        var isNew = false
        var slot: Int
        if let existing = find(key, hash: hash) {
            slot = existing
            if case .tcp(let tcp) = packet.transport, startsNewConnection(tcp, slot: slot) {
                end(slot: slot, reason: .reused)
                slot = insert(key: key, hash: hash, packet: packet, source: source, destination: destination, at: time)
                isNew = true
            }
        } else {
            slot = insert(key: key, hash: hash, packet: packet, source: source, destination: destination, at: time)
            isNew = true
        }

        let fromOriginator = slots[slot].originator == source && slots[slot].responder == destination
        slots[slot].update(with: packet, fromOriginator: fromOriginator, at: time)
        return FlowObservation(slot: slot, fromOriginator: fromOriginator, isNewFlow: isNew, isICMPError: false)
    }

    /// How many records `finish(batchSize:_:)` makes before handing them over.
    public static let finishBatchSize = 1024

    /// Ends every flow still open at the end of the capture, oldest first, and hands the records
    /// to `body` in batches of at most `batchSize`, each made just before it is handed over (with
    /// the records that ended earlier and were not taken first). So at most one batch of records
    /// exists at a time, not one per open flow: a full table of 250,000 made 117 MB of records at once.
    public mutating func finish(batchSize: Int = FlowTable.finishBatchSize, _ body: ([FlowRecord]) -> Void) {
        precondition(batchSize > 0, "a batch holds at least one record")
        var open = slots.indices.compactMap { i in live[i] ? (i, slots[i].firstSeen) : nil }
        open.sort { $0.1 < $1.1 }
        var batch: [FlowRecord] = []
        swap(&batch, &ended)
        batch.reserveCapacity(min(batchSize, batch.count + open.count))
        var next = 0
        while !batch.isEmpty || next < open.count {
            if batch.count > batchSize {
                // Records that ended earlier and were not taken: in batches too.
                var rest = Array(batch[batchSize...])
                batch.removeSubrange(batchSize...)
                body(batch)
                swap(&batch, &rest)
                continue
            }
            while batch.count < batchSize, next < open.count {
                if let record = retire(slot: open[next].0, reason: .captureEnd) { batch.append(record) }
                next += 1
            }
            body(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Ends every flow still open, oldest first, at the end of the capture, and keeps all their
    /// records in `ended` at once (`finish(batchSize:_:)` hands them over in batches instead).
    public mutating func finish() {
        var records: [FlowRecord] = []
        finish { records.append(contentsOf: $0) }
        ended = records
    }

    /// Live captures: moves the table's clock to `time` without a packet and ends the flows idle
    /// by then, so flows on a quiet link still end (files never need this: every packet moves it).
    public mutating func advance(to time: Timestamp) {
        if time > now { now = time }
        expireIdleFlows()
        lastSweep = now
    }

    /// Records of flows still open that began in `range`, oldest first, without ending them
    /// (`endReason` is `.captureEnd`, as if the capture ended now). A live sensor judges an
    /// attempt once its judge window has passed; an unanswered SYN keeps retrying and would
    /// otherwise stay open until the TCP idle timeout.
    public func openRecords(startedIn range: Range<Timestamp>) -> [(slot: Int, record: FlowRecord)] {
        slots.indices.filter { live[$0] && range.contains(slots[$0].firstSeen) }
            .sorted { slots[$0].firstSeen < slots[$1].firstSeen }
            .map { ($0, FlowRecord(slots[$0], slot: $0, endReason: .captureEnd)) }
    }

    // MARK: - Internals

    /// The slot of the live flow with `key`.
    @inline(__always)
    func find(_ key: FlowKey) -> Int? { find(key, hash: index.hash(key)) }

    @inline(__always)
    func find(_ key: FlowKey, hash: UInt64) -> Int? {
        index.find(hash: hash) { slots[$0].key == key }
    }

    /// A SYN from the originator on a connection that has closed is a new connection on the same
    /// 5-tuple (port reuse), not part of the old one. (Inlined: a call would copy the table's
    /// 216-byte struct for `self` on every TCP packet.)
    @inline(__always)
    func startsNewConnection(_ tcp: TCPHeader, slot: Int) -> Bool {
        guard tcp.flags.contains(.syn), !tcp.flags.contains(.ack), slots[slot].isClosed else { return false }
        let counters = slots[slot].originatorCounters
        return !(counters.sequenceKnown && counters.initialSequence == tcp.sequenceNumber)
    }

    mutating func insert(key: FlowKey, hash: UInt64, packet: DecodedPacket, source: Endpoint, destination: Endpoint,
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
            live[slot] = true
        } else {
            slot = slots.count
            if slots.count == slots.capacity {
                // Past the up-front reservation: grow, but never beyond the bound.
                let capacity = min(configuration.maximumFlows, max(16, 2 * slots.capacity))
                slots.reserveCapacity(capacity)
                live.reserveCapacity(capacity)
            }
            slots.append(flow)
            live.append(true)
        }
        index.insert(hash: hash, slot: slot)
        statistics.flowsCreated += 1
        if index.count > statistics.peakFlows { statistics.peakFlows = index.count }
        return slot
    }

    mutating func end(slot: Int, reason: FlowEndReason) {
        if let record = retire(slot: slot, reason: reason) { ended.append(record) }
    }

    /// Ends the live flow at `slot` and returns its record (nil if the slot holds no live flow).
    mutating func retire(slot: Int, reason: FlowEndReason) -> FlowRecord? {
        guard live[slot] else { return nil }
        let record = FlowRecord(slots[slot], slot: slot, endReason: reason)
        switch reason {
        case .idle: statistics.endedIdle += 1
        case .closed: statistics.endedClosed += 1
        case .reused: statistics.endedReused += 1
        case .evicted: statistics.evicted += 1
        case .captureEnd: statistics.endedAtCaptureEnd += 1
        }
        index.remove(hash: index.hash(slots[slot].key), slot: slot)
        live[slot] = false
        freeSlots.append(Int32(slot))
        return record
    }

    mutating func expireIdleFlows() {
        for slot in slots.indices where live[slot] {
            let closed = slots[slot].protocolNumber == 6 && slots[slot].isClosed
            let timeout = closed ? configuration.closeDelay : configuration.idleTimeout(forProtocol: slots[slot].protocolNumber)
            if now.nanoseconds &- slots[slot].lastSeen.nanoseconds > timeout.nanoseconds {
                end(slot: slot, reason: closed ? .closed : .idle)
            }
        }
    }

    /// At capacity: first let idle flows go; if that is not enough, write out the least recently
    /// active eighth of the table, so a flood costs one sort per many new flows.
    mutating func makeRoom() {
        expireIdleFlows()
        guard index.count >= configuration.maximumFlows else { return }
        var lastSeen = slots.indices.compactMap { live[$0] ? slots[$0].lastSeen.nanoseconds : nil }
        lastSeen.sort()
        let threshold = lastSeen[max(0, lastSeen.count / 8 - 1)]
        for slot in slots.indices where live[slot] && slots[slot].lastSeen.nanoseconds <= threshold {
            end(slot: slot, reason: .evicted)
        }
    }
}

/// The flow table's index: hash of a flow key → slot. Open addressing with linear probing and
/// backward-shift deletion (no tombstones), at most half full. Each bucket holds the low 32 bits
/// of the key's hash (which also give its home bucket) and the slot + 1 (0: empty), so probing
/// compares flows' keys only when their hashes agree.
struct FlowIndex {
    private(set) var buckets: [UInt64]
    private var mask: Int
    private(set) var count = 0
    /// Per process, like `Hasher`'s seed (and fixed when SWIFT_DETERMINISTIC_HASHING is set), so
    /// crafted traffic cannot aim many flows at one bucket.
    private let seed: (UInt64, UInt64, UInt64)

    init() {
        buckets = [UInt64](repeating: 0, count: 16)
        mask = 15
        var hasher = Hasher()
        hasher.combine(0x424C_4F43_4B57_4154 as UInt64)
        let a = UInt64(UInt(bitPattern: hasher.finalize()))
        hasher = Hasher()
        hasher.combine(a)
        let b = UInt64(UInt(bitPattern: hasher.finalize()))
        seed = (a | 1, b | 1, (a ^ b).byteSwapped | 1)
    }

    mutating func reserveCapacity(_ minimumCount: Int) {
        var capacity = 16
        while capacity < 2 * minimumCount { capacity <<= 1 }
        if capacity > buckets.count { resize(to: capacity) }
    }

    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// A seeded mix of the key's five words (wyhash's multiply-fold).
    @inline(__always)
    func hash(_ key: FlowKey) -> UInt64 {
        let lower = FlowIndex.mix(key.lower.address.high ^ seed.0, key.lower.address.low ^ 0xA076_1D64_78BD_642F)
        let upper = FlowIndex.mix(key.upper.address.high ^ seed.1, key.upper.address.low ^ 0xE703_7ED1_A0B4_28DB)
        let ports = UInt64(key.lower.port) << 32 | UInt64(key.upper.port) << 8 | UInt64(key.protocolNumber)
        return FlowIndex.mix(lower ^ ports ^ seed.2, upper ^ 0x8EBC_6AF0_9C88_C6E3)
    }

    /// The slot of the entry with `hash` for which `matches(slot)` holds.
    @inline(__always)
    func find(hash: UInt64, matches: (Int) -> Bool) -> Int? {
        let tag = hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: tag) & mask
        return buckets.withUnsafeBufferPointer { table in
            while true {
                let bucket = table[position]
                if bucket == 0 { return nil }
                if bucket >> 32 == tag {
                    let slot = Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1
                    if matches(slot) { return slot }
                }
                position = (position + 1) & mask
            }
        }
    }

    /// Adds `slot` under `hash` (the caller knows the key is not there yet).
    mutating func insert(hash: UInt64, slot: Int) {
        if 2 * (count + 1) > buckets.count { resize(to: 2 * buckets.count) }
        place(tag: hash & 0xFFFF_FFFF, slot: slot)
        count += 1
    }

    private mutating func place(tag: UInt64, slot: Int) {
        var position = Int(truncatingIfNeeded: tag) & mask
        while buckets[position] != 0 { position = (position + 1) & mask }
        buckets[position] = tag << 32 | UInt64(slot + 1)
    }

    /// Removes the entry of `slot`, stored under `hash`.
    mutating func remove(hash: UInt64, slot: Int) {
        let entry = (hash & 0xFFFF_FFFF) << 32 | UInt64(slot + 1)
        var hole = Int(truncatingIfNeeded: hash & 0xFFFF_FFFF) & mask
        while buckets[hole] != entry {
            if buckets[hole] == 0 { return }
            hole = (hole + 1) & mask
        }
        count -= 1
        // Backward-shift: move later entries of the run into the hole when their home allows it.
        var position = hole
        while true {
            position = (position + 1) & mask
            let bucket = buckets[position]
            if bucket == 0 { break }
            let home = Int(truncatingIfNeeded: bucket >> 32) & mask
            // The entry may move to the hole if its home is not cyclically in (hole, position].
            let distanceFromHome = (position - home) & mask
            let distanceFromHole = (position - hole) & mask
            if distanceFromHome >= distanceFromHole {
                buckets[hole] = bucket
                hole = position
            }
        }
        buckets[hole] = 0
    }

    private mutating func resize(to capacity: Int) {
        let old = buckets
        buckets = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for bucket in old where bucket != 0 {
            place(tag: bucket >> 32, slot: Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1)
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
