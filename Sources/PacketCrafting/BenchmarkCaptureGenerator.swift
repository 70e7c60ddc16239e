/// Generates a large, realistic, fully deterministic Ethernet capture for benchmarks: mostly
/// complete TLS-over-TCP conversations interleaved in time, DNS lookups, QUIC-like UDP flows,
/// some IPv6, connection failures and ARP, with a packet-size mix close to an access link's.
///
/// Frames are built in one reused buffer and handed to a sink; nothing is allocated per packet.
public struct BenchmarkCaptureGenerator: Sendable {
    /// What to generate.
    public struct Configuration: Sendable, Hashable {
        /// Exact number of packets written.
        public var packets: Int = 6_000_000
        /// Number of flows (5-tuples, plus ARP exchanges).
        public var flows: Int = 200_000
        /// Everything random derives from this.
        public var seed: UInt64 = 1
        /// Time of the first flow's start.
        public var startNanoseconds: Int64 = 1_768_471_200 * 1_000_000_000  // 2026-01-15T10:00:00Z
        /// Mean time between flow starts (uniform in [0, 2×mean]); the capture spans about
        /// `flows × meanFlowSpacingNanoseconds` plus the longest flow.
        public var meanFlowSpacingNanoseconds: Int64 = 1_500_000

        /// The defaults: 6 M packets, 200 k flows, seed 1.
        public init() {}

        /// A configuration with the given sizes.
        public init(packets: Int, flows: Int, seed: UInt64 = 1) {
            self.packets = packets
            self.flows = flows
            self.seed = seed
        }
    }

    /// Counts describing what was generated.
    public struct Summary: Sendable, CustomStringConvertible {
        public var packets = 0
        /// Sum of frame lengths.
        public var bytes = 0
        public var flows = 0
        /// Flow counts by kind: tcp4, tcp6, tcp-unanswered, tcp-refused, tcp-reset, dns, dns-unanswered, quic, arp.
        public var flowsByKind: [(kind: String, count: Int)] = []
        /// Frame counts by size bucket.
        public var frameSizes: [(range: String, count: Int)] = []
        public var firstTimestampNanoseconds: Int64 = 0
        public var lastTimestampNanoseconds: Int64 = 0

        public var description: String {
            func percent(_ count: Int) -> String {
                let tenths = packets == 0 ? 0 : (count * 1000 + packets / 2) / packets
                return "\(tenths / 10).\(tenths % 10) %"
            }
            let seconds = (lastTimestampNanoseconds - firstTimestampNanoseconds + 500_000_000) / 1_000_000_000
            var lines = ["\(packets) packets, \(bytes) bytes (mean \(packets == 0 ? 0 : bytes / packets) B), \(flows) flows, "
                         + "\(seconds) s of traffic"]
            lines.append("flows: " + flowsByKind.map { "\($0.kind) \($0.count)" }.joined(separator: ", "))
            lines.append("frame sizes: " + frameSizes.map { "\($0.range) \(percent($0.count))" }.joined(separator: ", "))
            return lines.joined(separator: "\n")
        }
    }

    /// Why a configuration cannot be generated.
    public enum ConfigurationError: Error, CustomStringConvertible {
        case tooFewPackets(packets: Int, flows: Int, needed: Int)
        case noFlows

        public var description: String {
            switch self {
            case let .tooFewPackets(packets, flows, needed):
                return "\(packets) packets are too few for \(flows) flows (at least \(needed) needed)"
            case .noFlows:
                return "at least one flow is needed"
            }
        }
    }

    public let configuration: Configuration

    /// A generator for `configuration`.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// The longest frame built (a full-size IPv6 segment would be 1534 bytes; IPv6 full segments
    /// are shortened to fit 1514 like real ones with MSS 1428).
    static let maximumFrameLength = 2048

    /// Builds every frame in time order and hands each to `sink` (time in ns since the epoch,
    /// the frame bytes valid only during the call).
    public func generate(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) throws(ConfigurationError) -> Summary {
        var state = try BenchmarkEmitter(configuration)
        return state.run(sink)
    }
}

/// The generator's working state: plans, active flows, prebuilt payloads, the frame buffer.
struct BenchmarkEmitter {
    struct ActiveFlow {
        var plan: BenchmarkFlowPlan
        var steps: [BenchmarkStep]
        var next: Int
        var clientIPID: UInt16
        var serverIPID: UInt16
        var clientTimestampBase: UInt32
        var serverTimestampBase: UInt32
        var lastClientTimestamp: UInt32 = 0
        var lastServerTimestamp: UInt32 = 0
        var flowLabel: UInt32
        var clientConnectionID: UInt64
        var serverConnectionID: UInt64
        var clientPacketNumber: UInt32 = 0
        var serverPacketNumber: UInt32 = 0
        var dnsID: UInt16
        var name: Int
    }

    let configuration: BenchmarkCaptureGenerator.Configuration
    var plans: [BenchmarkFlowPlan] = []
    var random: DeterministicRandom
    var scripts: BenchmarkScriptBuilder
    var slots: [ActiveFlow] = []
    var freeSlots: [Int32] = []
    var heap = BenchmarkFlowHeap()
    let clientCount: Int
    let serverCount: Int

    // Prebuilt payloads and their unfolded checksum sums.
    static let nameCount = 64
    var names: [String] = []
    var clientHellos: [[UInt8]] = []
    var clientHelloSums: [UInt64] = []
    var serverHello: [UInt8] = []
    var serverHelloSum: UInt64 = 0
    var dnsQueries: [[UInt8]] = []
    var dnsResponses: [[UInt8]] = []

    // Random payload patterns with prefix sums, so a TLS record's checksum costs O(1).
    static let patternCount = 32
    static let patternLength = 1536
    // Both buffers are allocated by `run` and freed when it returns.
    var patterns = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    var prefixSums: [UInt64] = []

    var frame = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    static let gatewayMAC: UInt64 = 0x02_00_5E_00_00_01

    init(_ configuration: BenchmarkCaptureGenerator.Configuration) throws(BenchmarkCaptureGenerator.ConfigurationError) {
        guard configuration.flows > 0 else { throw .noFlows }
        self.configuration = configuration
        random = DeterministicRandom(seed: configuration.seed)
        clientCount = max(1, min(configuration.flows / 50, 200_000))
        serverCount = max(Self.nameCount, min(configuration.flows / 60, 20_000))
        scripts = BenchmarkScriptBuilder(random: DeterministicRandom(seed: configuration.seed ^ 0x5C41_9753))
        try planFlows()
    }

    // MARK: Addresses

    /// Clients: 10.x.y.2–254 (253 per /24, gateway .1); MAC 02:00:0a + index.
    func clientIPv4(_ index: Int32) -> UInt32 {
        let subnet = UInt32(index) / 253
        return 0x0A00_0000 | (subnet & 0xFFFF) << 8 | (UInt32(index) % 253 + 2)
    }

    func clientGateway(_ index: Int32) -> UInt32 { clientIPv4(index) & 0xFFFF_FF00 | 1 }

    func clientMAC(_ index: Int32) -> UInt64 { 0x02_00_0A_00_00_00 | UInt64(UInt32(index) & 0xFF_FFFF) }

    /// Servers: the three documentation /24s first (the most popular), then 172.16.0.0/12.
    func serverIPv4(_ index: Int32) -> UInt32 {
        let i = UInt32(index)
        let documentation: [UInt32] = [0xC000_0200, 0xC633_6400, 0xCB00_7100]  // 192.0.2, 198.51.100, 203.0.113
        if i < 3 * 254 { return documentation[Int(i % 3)] | (i / 3 + 1) }
        let rest = i - 3 * 254
        return 0xAC10_0000 | (rest / 254 % 4096) << 8 | (rest % 254 + 1)
    }

    /// Resolvers: 198.51.100.53 and 192.0.2.53.
    func resolverIPv4(_ index: Int32) -> UInt32 { index % 2 == 0 ? 0xC633_6435 : 0xC000_0235 }

    func clientIPv6(_ index: Int32) -> (UInt64, UInt64) { (0x2001_0DB8_0001_0000, UInt64(index) + 0x100) }
    func serverIPv6(_ index: Int32) -> (UInt64, UInt64) { (0x2001_0DB8_0002_0000, UInt64(index) + 0x100) }

    /// A per-server constant from its index.
    func serverHash(_ server: Int32) -> UInt64 {
        var mix = DeterministicRandom(seed: UInt64(UInt32(server)) &* 0x9E37_79B9 ^ configuration.seed)
        return mix.next()
    }

    /// The server's TTL at the capture point: an initial 64, 128 or 255 minus 4–23 hops.
    func serverTTL(_ server: Int32) -> UInt8 {
        let hash = serverHash(server)
        let initial: [UInt8] = [64, 64, 64, 128, 255]
        return initial[Int(hash % 5)] - UInt8(4 + (hash >> 8) % 20)
    }

    func roundTrip(_ server: Int32) -> Int64 {
        5_000_000 + Int64((serverHash(server) >> 16) % 195_000_000)
    }

    // MARK: Preparation

    mutating func preparePayloads() {
        let stems = ["www", "cdn", "api", "static", "img", "video", "chat", "mail", "login", "push", "media", "assets",
                     "edge", "news", "shop", "maps"]
        let domains = ["example.com", "example.net", "example.org", "example.test"]
        for k in 0..<Self.nameCount {
            let name = "\(stems[k % stems.count]).\(domains[k / stems.count % domains.count])"
            names.append(name)
            let hello = TLSHelloBuilder(serverName: name, seed: UInt64(k) &+ configuration.seed).clientHelloRecord
            clientHellos.append(hello)
            clientHelloSums.append(Checksum.sum(hello))
            dnsQueries.append(DNSMessageBuilder.query(id: 0, name: name))
            dnsResponses.append(DNSMessageBuilder.response(id: 0, name: name, answers: [.v4(serverIPv4(Int32(k)))]))
        }
        serverHello = TLSHelloBuilder(serverName: "", seed: configuration.seed).serverHelloRecords
        serverHelloSum = Checksum.sum(serverHello)

        var fill = DeterministicRandom(seed: configuration.seed ^ 0xFA77_E2A5)
        let words = patterns.bindMemory(to: UInt64.self)
        for index in words.indices { words[index] = fill.next() }
        prefixSums = [UInt64](repeating: 0, count: Self.patternCount * (Self.patternLength + 1))
        for p in 0..<Self.patternCount {
            let base = p * Self.patternLength
            let row = p * (Self.patternLength + 1)
            var total: UInt64 = 0
            for n in 1...Self.patternLength {
                let byte = UInt64(patterns[base + n - 1])
                // Byte n-1 is a word's high byte when n-1 is even; a trailing odd byte counts as
                // a high byte padded with zero, exactly as in the checksum of an odd-length payload.
                if (n - 1) % 2 == 0 {
                    prefixSums[row + n] = total &+ byte << 8
                    total &+= byte << 8
                } else {
                    total &+= byte
                    prefixSums[row + n] = total
                }
            }
        }
    }

    mutating func planFlows() throws(BenchmarkCaptureGenerator.ConfigurationError) {
        let flows = configuration.flows
        var table: [BenchmarkFlowKind] = []
        for kind in BenchmarkFlowKind.allCases { table += Array(repeating: kind, count: kind.perMille) }
        var clientPorts = (0..<clientCount).map { _ in UInt16(32768 + random.below(20_000)) }
        var start = configuration.startNanoseconds
        var weights: [Int] = []
        var fixed = 0, minimum = 0
        plans.reserveCapacity(flows)
        for index in 0..<flows {
            var kind = table[random.below(table.count)]
            if index == 0 { kind = .tcp4 }  // at least one flow absorbs the packet budget
            let client = Int32(random.below(clientCount))
            var server: Int32
            switch kind {
            case .dns, .dnsUnanswered:
                server = Int32(random.below(Self.nameCount))      // the name looked up
            case .arp:
                server = 0
            default:
                let u = random.below(1 << 16)
                server = Int32((u * u >> 16) * u >> 16) * Int32(serverCount) >> 16  // skewed: popular servers first
            }
            var port = clientPorts[Int(client)]
            port = port >= 60999 ? 32768 : port + 1
            clientPorts[Int(client)] = port
            let packets = kind.fixedPackets ?? kind.minimumPackets
            if kind.fixedPackets != nil {
                fixed += packets
                weights.append(0)
            } else {
                minimum += packets
                var doublings = 0
                while doublings < (kind == .quic ? 4 : 9) && random.chance(50) { doublings += 1 }
                weights.append((1 << doublings) * (256 + random.below(256)))
            }
            plans.append(BenchmarkFlowPlan(kind: kind, start: start, packets: Int32(packets), client: client, server: server,
                                           clientPort: port, seed: random.next()))
            start += Int64(random.below(Int(2 * configuration.meanFlowSpacingNanoseconds) + 1))
        }
        guard configuration.packets >= fixed + minimum else {
            throw .tooFewPackets(packets: configuration.packets, flows: flows, needed: fixed + minimum)
        }
        // Share the remaining packets among the budget-sized flows in proportion to their weights.
        let extra = configuration.packets - fixed - minimum
        let totalWeight = weights.reduce(0, +)
        var assigned = 0
        for index in plans.indices where weights[index] > 0 {
            let share = Int((Int64(extra) * Int64(weights[index])) / Int64(totalWeight))
            plans[index].packets += Int32(share)
            assigned += share
        }
        var leftover = extra - assigned
        var index = 0
        while leftover > 0 {
            if weights[index] > 0 {
                plans[index].packets += 1
                leftover -= 1
            }
            index = (index + 1) % plans.count
        }
    }

    // MARK: Scheduling

    mutating func activate(_ plan: BenchmarkFlowPlan) {
        var flowRandom = DeterministicRandom(seed: plan.seed)
        let name = plan.kind == .dns || plan.kind == .dnsUnanswered ? Int(plan.server) : Int(plan.server) % Self.nameCount
        scripts.random = DeterministicRandom(seed: flowRandom.next())
        scripts.clientHelloLength = clientHellos[name].count
        scripts.serverHelloLength = serverHello.count
        scripts.dnsQueryLength = dnsQueries[name].count
        scripts.dnsResponseLength = dnsResponses[name].count
        scripts.fullPayload = plan.kind.isIPv6 ? 1428 : BenchmarkSizes.fullPayload
        let rtt: Int64
        switch plan.kind {
        case .dns, .dnsUnanswered: rtt = 2_000_000 + Int64(flowRandom.below(60_000_000))
        default: rtt = roundTrip(plan.server) * Int64(90 + flowRandom.below(21)) / 100
        }
        let steps = scripts.build(plan, rtt: rtt)
        let flow = ActiveFlow(plan: plan, steps: steps, next: 0, clientIPID: flowRandom.nextUInt16(), serverIPID: flowRandom.nextUInt16(),
                              clientTimestampBase: flowRandom.nextUInt32(), serverTimestampBase: flowRandom.nextUInt32(),
                              flowLabel: flowRandom.nextUInt32() & 0xFFFFF, clientConnectionID: flowRandom.next(),
                              serverConnectionID: flowRandom.next(), dnsID: flowRandom.nextUInt16(), name: name)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = flow
        } else {
            slot = Int32(slots.count)
            slots.append(flow)
        }
        heap.push(time: plan.start + steps[0].time, slot: slot)
    }

    mutating func run(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) -> BenchmarkCaptureGenerator.Summary {
        patterns = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.patternCount * Self.patternLength, alignment: 16)
        frame = UnsafeMutableRawBufferPointer.allocate(byteCount: BenchmarkCaptureGenerator.maximumFrameLength, alignment: 16)
        frame.initializeMemory(as: UInt8.self, repeating: 0)
        defer {
            patterns.deallocate()
            frame.deallocate()
            patterns = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            frame = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        }
        preparePayloads()
        var summary = BenchmarkCaptureGenerator.Summary()
        summary.flows = plans.count
        var kindCounts = [Int](repeating: 0, count: BenchmarkFlowKind.allCases.count)
        let bucketBounds = [53, 66, 99, 300, 499, 900, 1399, 1514, Int.max]
        let bucketNames = ["<54", "54-66", "67-99", "100-300", "301-499", "500-900", "901-1399", "1400-1514", ">1514"]
        var buckets = [Int](repeating: 0, count: bucketBounds.count)
        var nextPlan = 0
        summary.firstTimestampNanoseconds = plans.first?.start ?? 0
        while true {
            let pendingStart = nextPlan < plans.count ? plans[nextPlan].start : Int64.max
            if heap.isEmpty && pendingStart == .max { break }
            if pendingStart <= heap.minimumTime {
                kindCounts[Int(plans[nextPlan].kind.rawValue)] += 1
                activate(plans[nextPlan])
                nextPlan += 1
                continue
            }
            let time = heap.minimumTime
            let slot = Int(heap.minimumSlot)
            let length = emit(slot: slot, time: time)
            sink(time, UnsafeRawBufferPointer(rebasing: frame[0..<length]))
            summary.packets += 1
            summary.bytes += length
            summary.lastTimestampNanoseconds = time
            var bucket = 0
            while length > bucketBounds[bucket] { bucket += 1 }
            buckets[bucket] += 1
            slots[slot].next += 1
            if slots[slot].next < slots[slot].steps.count {
                heap.replaceMinimumTime(slots[slot].plan.start + slots[slot].steps[slots[slot].next].time)
            } else {
                heap.removeMinimum()
                slots[slot].steps = []
                freeSlots.append(Int32(slot))
            }
        }
        let kindNames = ["tcp4", "tcp6", "tcp-unanswered", "tcp-refused", "tcp-reset", "dns", "dns-unanswered", "quic", "arp"]
        summary.flowsByKind = zip(kindNames, kindCounts).map { ($0, $1) }
        summary.frameSizes = zip(bucketNames, buckets).filter { $1 > 0 }.map { ($0, $1) }
        return summary
    }

    // MARK: Frames

    /// Writes the flow's current step into `frame`; returns the frame length.
    mutating func emit(slot: Int, time: Int64) -> Int {
        let step = slots[slot].steps[slots[slot].next]
        switch slots[slot].plan.kind {
        case .tcp4, .tcp6, .tcpUnanswered, .tcpRefused, .tcpReset:
            return emitTCP(slot: slot, step: step, time: time)
        case .dns, .dnsUnanswered, .quic:
            return emitUDP(slot: slot, step: step)
        case .arp:
            return emitARP(slot: slot, step: step)
        }
    }

    /// Ethernet header: the client's MAC one side, the gateway's the other.
    func writeEthernet(client: Int32, fromClient: Bool, etherType: UInt16, destination: UInt64? = nil) {
        let clientAddress = clientMAC(client)
        let (source, target) = fromClient ? (clientAddress, Self.gatewayMAC) : (Self.gatewayMAC, clientAddress)
        writeMAC(destination ?? target, at: 0)
        writeMAC(source, at: 6)
        frame.storeBigEndian(etherType, at: 12)
    }

    func writeMAC(_ address: UInt64, at offset: Int) {
        frame.storeBigEndian(UInt32(truncatingIfNeeded: address >> 16), at: offset)
        frame.storeBigEndian(UInt16(truncatingIfNeeded: address), at: offset + 4)
    }

    /// An IPv4 header at 14; returns the pseudo-header sum for `payloadLength` bytes of `proto`.
    func writeIPv4(source: UInt32, destination: UInt32, proto: UInt8, payloadLength: Int, id: UInt16, ttl: UInt8,
                   dontFragment: Bool) -> UInt64 {
        frame.storeBigEndian(UInt32(0x4500_0000) | UInt32(20 + payloadLength), at: 14)
        frame.storeBigEndian(UInt32(id) << 16 | (dontFragment ? 0x4000 : 0), at: 18)
        frame.storeBigEndian(UInt32(ttl) << 24 | UInt32(proto) << 16, at: 22)
        frame.storeBigEndian(source, at: 26)
        frame.storeBigEndian(destination, at: 30)
        let checksum = Checksum.finish(Checksum.sum(UnsafeRawBufferPointer(rebasing: frame[14..<34])))
        frame.storeBigEndian(checksum, at: 24)
        return UInt64(source >> 16) &+ UInt64(source & 0xFFFF) &+ UInt64(destination >> 16) &+ UInt64(destination & 0xFFFF)
            &+ UInt64(proto) &+ UInt64(payloadLength)
    }

    /// An IPv6 header at 14; returns the pseudo-header sum.
    func writeIPv6(source: (UInt64, UInt64), destination: (UInt64, UInt64), next: UInt8, payloadLength: Int, hopLimit: UInt8,
                   flowLabel: UInt32) -> UInt64 {
        frame.storeBigEndian(0x6000_0000 | flowLabel, at: 14)
        frame.storeBigEndian(UInt32(payloadLength) << 16 | UInt32(next) << 8 | UInt32(hopLimit), at: 18)
        var total: UInt64 = UInt64(next) &+ UInt64(payloadLength)
        for (index, word) in [source.0, source.1, destination.0, destination.1].enumerated() {
            frame.storeBigEndian(UInt32(truncatingIfNeeded: word >> 32), at: 22 + 8 * index)
            frame.storeBigEndian(UInt32(truncatingIfNeeded: word), at: 26 + 8 * index)
            total &+= (word >> 48) &+ (word >> 32 & 0xFFFF) &+ (word >> 16 & 0xFFFF) &+ (word & 0xFFFF)
        }
        return total
    }

    /// A TLS application-data record of `length` bytes at `offset`; returns its unfolded sum
    /// (`offset` is even relative to the checksummed unit's start).
    func writeRecord(length: Int, at offset: Int, pattern: Int) -> UInt64 {
        let source = pattern * Self.patternLength
        frame.storeByte(0x17, at: offset)
        frame.storeBigEndian(UInt16(0x0303), at: offset + 1)
        frame.storeBigEndian(UInt16(length - 5), at: offset + 3)
        // Safety: both ranges lie inside their buffers (length ≤ patternLength, offset + length ≤ frame count).
        UnsafeMutableRawBufferPointer(rebasing: frame[(offset + 5)..<(offset + length)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: patterns[(source + 5)..<(source + length)]))
        let row = pattern * (Self.patternLength + 1)
        return 0x1703 &+ (0x0300 | UInt64((length - 5) >> 8)) &+ (UInt64((length - 5) & 0xFF) << 8 | UInt64(patterns[source + 5]))
            &+ (prefixSums[row + length] &- prefixSums[row + 6])
    }

    func copy(_ bytes: [UInt8], at offset: Int) {
        bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: frame[offset..<(offset + $0.count)]).copyMemory(from: $0) }
    }

    mutating func emitTCP(slot: Int, step: BenchmarkStep, time: Int64) -> Int {
        let plan = slots[slot].plan
        let ipv6 = plan.kind.isIPv6
        let syn = step.flags & BenchmarkScriptBuilder.syn != 0
        let reset = step.flags & BenchmarkScriptBuilder.rst != 0
        let optionLength = syn ? 20 : (reset ? 0 : 12)
        let headerLength = 20 + optionLength
        let payloadLength = Int(step.length)
        let segmentLength = headerLength + payloadLength
        let l4 = ipv6 ? 54 : 34
        writeEthernet(client: plan.client, fromClient: step.fromClient, etherType: ipv6 ? EtherTypeNumber.ipv6 : EtherTypeNumber.ipv4)

        var pseudo: UInt64
        var ttl: UInt8 = step.fromClient ? 64 : serverTTL(plan.server)
        if plan.kind == .tcpReset && reset { ttl = ttl == 62 ? 63 : 62 }  // injected: not the server's TTL
        if ipv6 {
            let client = clientIPv6(plan.client), server = serverIPv6(plan.server)
            pseudo = writeIPv6(source: step.fromClient ? client : server, destination: step.fromClient ? server : client,
                               next: 6, payloadLength: segmentLength, hopLimit: ttl, flowLabel: slots[slot].flowLabel ^ (step.fromClient ? 0 : 0x5A5A5))
        } else {
            let client = clientIPv4(plan.client), server = serverIPv4(plan.server)
            let id: UInt16
            if step.fromClient {
                id = slots[slot].clientIPID
                slots[slot].clientIPID &+= 1
            } else {
                id = slots[slot].serverIPID
                slots[slot].serverIPID &+= 1
            }
            pseudo = writeIPv4(source: step.fromClient ? client : server, destination: step.fromClient ? server : client,
                               proto: 6, payloadLength: segmentLength, id: id, ttl: ttl,
                               dontFragment: !reset || plan.kind != .tcpReset)  // injected RSTs often lack DF
        }

        let (sourcePort, destinationPort) = step.fromClient ? (plan.clientPort, UInt16(443)) : (UInt16(443), plan.clientPort)
        frame.storeBigEndian(UInt32(sourcePort) << 16 | UInt32(destinationPort), at: l4)
        frame.storeBigEndian(step.sequence, at: l4 + 4)
        frame.storeBigEndian(step.acknowledgment, at: l4 + 8)
        let window: UInt16 = syn ? (step.fromClient ? 64240 : 65160) : (reset ? 0 : (step.fromClient ? 502 : 501))
        frame.storeBigEndian(UInt32(headerLength / 4) << 28 | UInt32(step.flags) << 16 | UInt32(window), at: l4 + 12)
        frame.storeBigEndian(UInt32(0), at: l4 + 16)
        if optionLength > 0 {
            let elapsed = UInt32(truncatingIfNeeded: (time - configuration.startNanoseconds) / 1_000_000)
            let value: UInt32
            let echo: UInt32
            if step.fromClient {
                value = slots[slot].clientTimestampBase &+ elapsed
                echo = slots[slot].lastServerTimestamp
                slots[slot].lastClientTimestamp = value
            } else {
                value = slots[slot].serverTimestampBase &+ elapsed
                echo = slots[slot].lastClientTimestamp
                slots[slot].lastServerTimestamp = value
            }
            var at = l4 + 20
            if syn {
                frame.storeBigEndian(UInt32(0x0204_0000) | UInt32(ipv6 ? 1440 : 1460), at: at)  // MSS
                frame.storeBigEndian(UInt16(0x0402), at: at + 4)                             // SACK permitted
                at += 6
            } else {
                frame.storeBigEndian(UInt16(0x0101), at: at)                                 // NOP NOP
                at += 2
            }
            frame.storeBigEndian(UInt16(0x080A), at: at)                                     // timestamps
            frame.storeBigEndian(value, at: at + 2)
            frame.storeBigEndian(echo, at: at + 6)
            if syn { frame.storeBigEndian(UInt32(0x0103_0307), at: at + 10) }                // NOP, window scale 7
        }
        let payloadOffset = l4 + headerLength
        var payloadSum: UInt64 = 0
        switch step.payload {
        case .tlsRecord:
            payloadSum = writeRecord(length: payloadLength, at: payloadOffset, pattern: Int(step.sequence >> 7) % Self.patternCount)
        case .clientHello:
            copy(clientHellos[slots[slot].name], at: payloadOffset)
            payloadSum = clientHelloSums[slots[slot].name]
        case .serverHello:
            copy(serverHello, at: payloadOffset)
            payloadSum = serverHelloSum
        default:
            break
        }
        let headerSum = Checksum.sum(UnsafeRawBufferPointer(rebasing: frame[l4..<payloadOffset]))
        frame.storeBigEndian(Checksum.finish(pseudo &+ headerSum &+ payloadSum), at: l4 + 16)
        let length = payloadOffset + payloadLength
        if length < 60 && !step.fromClient {
            // A received RST (54 bytes) carries the sender's padding up to Ethernet's minimum.
            UnsafeMutableRawBufferPointer(rebasing: frame[length..<60]).initializeMemory(as: UInt8.self, repeating: 0)
            return 60
        }
        return length
    }

    mutating func emitUDP(slot: Int, step: BenchmarkStep) -> Int {
        let plan = slots[slot].plan
        let dns = plan.kind != .quic
        let payloadOffset = 42
        var payloadLength = Int(step.length)
        let name = slots[slot].name
        switch step.payload {
        case .dnsQuery:
            copy(dnsQueries[name], at: payloadOffset)
            frame.storeBigEndian(slots[slot].dnsID, at: payloadOffset)
        case .dnsResponse:
            copy(dnsResponses[name], at: payloadOffset)
            frame.storeBigEndian(slots[slot].dnsID, at: payloadOffset)
        case .quicClientInitial, .quicServerLong:
            let fromClient = step.fromClient
            frame.storeByte(0xC3, at: payloadOffset)                   // long header, Initial, 4-byte packet number
            frame.storeBigEndian(UInt32(1), at: payloadOffset + 1)     // QUIC v1
            frame.storeByte(8, at: payloadOffset + 5)
            let (destinationID, sourceID) = fromClient
                ? (slots[slot].serverConnectionID, slots[slot].clientConnectionID)
                : (slots[slot].clientConnectionID, slots[slot].serverConnectionID)
            frame.storeBigEndian(UInt32(truncatingIfNeeded: destinationID >> 32), at: payloadOffset + 6)
            frame.storeBigEndian(UInt32(truncatingIfNeeded: destinationID), at: payloadOffset + 10)
            frame.storeByte(8, at: payloadOffset + 14)
            frame.storeBigEndian(UInt32(truncatingIfNeeded: sourceID >> 32), at: payloadOffset + 15)
            frame.storeBigEndian(UInt32(truncatingIfNeeded: sourceID), at: payloadOffset + 19)
            frame.storeByte(0, at: payloadOffset + 23)                 // token length
            frame.storeBigEndian(UInt16(0x4000 | (payloadLength - 26)), at: payloadOffset + 24)  // length: packet number + payload
            frame.storeBigEndian(nextPacketNumber(slot: slot, fromClient: fromClient), at: payloadOffset + 26)
            fillPattern(from: payloadOffset + 30, to: payloadOffset + payloadLength, pattern: Int(plan.seed % UInt64(Self.patternCount)))
        case .quicShort:
            frame.storeByte(0x43, at: payloadOffset)                   // short header, 4-byte packet number
            let destinationID = step.fromClient ? slots[slot].serverConnectionID : slots[slot].clientConnectionID
            frame.storeBigEndian(UInt32(truncatingIfNeeded: destinationID >> 32), at: payloadOffset + 1)
            frame.storeBigEndian(UInt32(truncatingIfNeeded: destinationID), at: payloadOffset + 5)
            frame.storeBigEndian(nextPacketNumber(slot: slot, fromClient: step.fromClient), at: payloadOffset + 9)
            fillPattern(from: payloadOffset + 13, to: payloadOffset + payloadLength, pattern: Int(plan.seed % UInt64(Self.patternCount)))
        default:
            payloadLength = 0
        }
        writeEthernet(client: plan.client, fromClient: step.fromClient, etherType: EtherTypeNumber.ipv4)
        let client = clientIPv4(plan.client)
        let server = dns ? resolverIPv4(plan.client) : serverIPv4(plan.server)
        let udpLength = 8 + payloadLength
        let id: UInt16
        if step.fromClient {
            id = slots[slot].clientIPID
            slots[slot].clientIPID &+= 1
        } else {
            id = slots[slot].serverIPID
            slots[slot].serverIPID &+= 1
        }
        let ttl: UInt8 = step.fromClient ? 64 : (dns ? 60 : serverTTL(plan.server))
        let pseudo = writeIPv4(source: step.fromClient ? client : server, destination: step.fromClient ? server : client,
                               proto: 17, payloadLength: udpLength, id: id, ttl: ttl, dontFragment: !dns)
        let serverPort: UInt16 = dns ? 53 : 443
        let (sourcePort, destinationPort) = step.fromClient ? (plan.clientPort, serverPort) : (serverPort, plan.clientPort)
        frame.storeBigEndian(UInt32(sourcePort) << 16 | UInt32(destinationPort), at: 34)
        frame.storeBigEndian(UInt32(udpLength) << 16, at: 38)
        var checksum = Checksum.finish(pseudo &+ Checksum.sum(UnsafeRawBufferPointer(rebasing: frame[34..<(34 + udpLength)])))
        if checksum == 0 { checksum = 0xFFFF }
        frame.storeBigEndian(checksum, at: 40)
        return 34 + udpLength
    }

    mutating func nextPacketNumber(slot: Int, fromClient: Bool) -> UInt32 {
        if fromClient {
            defer { slots[slot].clientPacketNumber &+= 1 }
            return slots[slot].clientPacketNumber
        }
        defer { slots[slot].serverPacketNumber &+= 1 }
        return slots[slot].serverPacketNumber
    }

    func fillPattern(from start: Int, to end: Int, pattern: Int) {
        guard end > start else { return }
        let source = pattern * Self.patternLength
        UnsafeMutableRawBufferPointer(rebasing: frame[start..<end])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: patterns[source..<(source + end - start)]))
    }

    func emitARP(slot: Int, step: BenchmarkStep) -> Int {
        let plan = slots[slot].plan
        let request = step.payload == .arpRequest
        writeEthernet(client: plan.client, fromClient: step.fromClient, etherType: EtherTypeNumber.arp,
                      destination: request ? 0xFFFF_FFFF_FFFF : nil)
        let client = clientIPv4(plan.client), gateway = clientGateway(plan.client)
        frame.storeBigEndian(UInt32(0x0001_0800), at: 14)   // Ethernet, IPv4
        frame.storeBigEndian(UInt32(0x0604_0000) | (request ? 1 : 2), at: 18)
        let (senderMAC, sender, targetMAC, target) = request
            ? (clientMAC(plan.client), client, UInt64(0), gateway)
            : (Self.gatewayMAC, gateway, clientMAC(plan.client), client)
        writeMAC(senderMAC, at: 22)
        frame.storeBigEndian(sender, at: 28)
        writeMAC(targetMAC, at: 32)
        frame.storeBigEndian(target, at: 38)
        if request { return 42 }
        // Received frames carry the padding up to Ethernet's 60-byte minimum.
        UnsafeMutableRawBufferPointer(rebasing: frame[42..<60]).initializeMemory(as: UInt8.self, repeating: 0)
        return 60
    }
}
