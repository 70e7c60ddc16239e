// The per-flow plans and packet scripts behind `BenchmarkCaptureGenerator`.
//
// Every flow is planned up front (kind, start time, exact packet count) so the capture holds
// exactly the configured number of packets. When a flow starts, its whole script (one `Step`
// per packet, with times, sequence numbers and payload kinds) is built in one small array;
// steps are turned into frame bytes only when they are written.

/// What a benchmark flow is.
enum BenchmarkFlowKind: UInt8, CaseIterable {
    case tcp4, tcp6, tcpUnanswered, tcpRefused, tcpReset, dns, dnsUnanswered, quic, arp

    /// Share of flows, in per-mille.
    var perMille: Int {
        switch self {
        case .tcp4: return 615
        case .tcp6: return 35
        case .tcpUnanswered: return 15
        case .tcpRefused: return 15
        case .tcpReset: return 5
        case .dns: return 210
        case .dnsUnanswered: return 10
        case .quic: return 50
        case .arp: return 45
        }
    }

    /// The packet count of a fixed-size kind, nil for kinds sized from the packet budget.
    var fixedPackets: Int? {
        switch self {
        case .tcp4, .tcp6, .quic: return nil
        case .tcpUnanswered: return 3
        case .tcpRefused: return 2
        case .tcpReset: return 5
        case .dns, .dnsUnanswered, .arp: return 2
        }
    }

    /// The smallest packet count of a budget-sized kind.
    var minimumPackets: Int {
        switch self {
        case .tcp4, .tcp6: return 9
        case .quic: return 4
        default: return fixedPackets ?? 1
        }
    }

    var isTCP: Bool {
        switch self {
        case .tcp4, .tcp6, .tcpUnanswered, .tcpRefused, .tcpReset: return true
        default: return false
        }
    }

    var isIPv6: Bool { self == .tcp6 }
}

/// One flow of the benchmark capture, before it starts.
struct BenchmarkFlowPlan {
    var kind: BenchmarkFlowKind
    var start: Int64
    var packets: Int32
    var client: Int32
    var server: Int32
    var clientPort: UInt16
    var seed: UInt64
}

/// What a step's payload is made of.
enum BenchmarkPayload: UInt8 {
    case none
    /// A TLS application-data record filling the payload: header then pattern bytes.
    case tlsRecord
    case clientHello
    case serverHello
    case dnsQuery
    case dnsResponse
    case quicClientInitial
    case quicServerLong
    case quicShort
    case arpRequest
    case arpReply
}

/// One packet of a flow's script.
struct BenchmarkStep {
    /// Nanoseconds after the flow's start.
    var time: Int64
    var sequence: UInt32
    var acknowledgment: UInt32
    /// Transport payload length (the UDP payload for DNS/QUIC).
    var length: UInt16
    var flags: UInt8
    var fromClient: Bool
    var payload: BenchmarkPayload
}

/// Frame-size targets, as transport payload lengths for an IPv4 TCP segment with timestamps
/// (66 bytes of headers): 100–300 B, 500–900 B and full 1514 B frames.
enum BenchmarkSizes {
    static let smallPayload = 34...234
    static let mediumPayload = 434...834
    static let fullPayload = 1448
}

/// Builds the script of one flow with exactly `plan.packets` steps.
struct BenchmarkScriptBuilder {
    var random: DeterministicRandom
    var steps: [BenchmarkStep] = []

    init(random: DeterministicRandom) {
        self.random = random
    }
    var clientHelloLength = 0
    var serverHelloLength = 0
    var dnsQueryLength = 0
    var dnsResponseLength = 0
    /// A full segment's payload: 1448 bytes over IPv4, 1428 over IPv6 (both make 1514-byte frames).
    var fullPayload = BenchmarkSizes.fullPayload

    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10

    mutating func add(_ time: Int64, _ fromClient: Bool, _ flags: UInt8, _ sequence: UInt32, _ acknowledgment: UInt32,
                      _ length: Int = 0, _ payload: BenchmarkPayload = .none) {
        steps.append(BenchmarkStep(time: time, sequence: sequence, acknowledgment: acknowledgment, length: UInt16(length),
                                   flags: flags, fromClient: fromClient, payload: payload))
    }

    mutating func build(_ plan: BenchmarkFlowPlan, rtt: Int64) -> [BenchmarkStep] {
        steps.removeAll(keepingCapacity: true)
        steps.reserveCapacity(Int(plan.packets))
        switch plan.kind {
        case .tcp4, .tcp6: buildTCP(packets: Int(plan.packets), rtt: rtt)
        case .tcpUnanswered:
            let isn = random.nextUInt32()
            for time in [Int64(0), 1_000_000_000, 3_000_000_000] { add(time, true, Self.syn, isn, 0) }
        case .tcpRefused:
            let isn = random.nextUInt32()
            add(0, true, Self.syn, isn, 0)
            add(rtt, false, Self.rst | Self.ack, 0, isn &+ 1)
        case .tcpReset:
            let (c, s) = (random.nextUInt32(), random.nextUInt32())
            add(0, true, Self.syn, c, 0)
            add(rtt, false, Self.syn | Self.ack, s, c &+ 1)
            add(rtt + 50_000, true, Self.ack, c &+ 1, s &+ 1)
            add(rtt + 100_000, true, Self.ack | Self.psh, c &+ 1, s &+ 1, clientHelloLength, .clientHello)
            // Injected close to the client: it races ahead of any real answer.
            add(rtt + 100_000 + rtt / 4, false, Self.rst | Self.ack, s &+ 1, c &+ 1 &+ UInt32(clientHelloLength))
        case .dns:
            add(0, true, 0, 0, 0, dnsQueryLength, .dnsQuery)
            add(rtt, false, 0, 0, 0, dnsResponseLength, .dnsResponse)
        case .dnsUnanswered:
            add(0, true, 0, 0, 0, dnsQueryLength, .dnsQuery)
            add(1_000_000_000, true, 0, 0, 0, dnsQueryLength, .dnsQuery)
        case .quic: buildQUIC(packets: Int(plan.packets), rtt: rtt)
        case .arp:
            add(0, true, 0, 0, 0, 28, .arpRequest)
            add(250_000 + Int64(random.below(500_000)), false, 0, 0, 0, 28, .arpReply)
        }
        return steps
    }

    /// Handshake, a TLS hello exchange, request/response exchanges until the budget is spent, FIN close.
    mutating func buildTCP(packets: Int, rtt: Int64) {
        let delay = Int64(random.within(20_000...80_000))                    // client reaction
        let gap = [Int64(12_000), 30_000, 60_000, 120_000, 250_000][random.below(5)]  // per full segment
        let elephant = packets > 400
        let maximumThink: Int64 = elephant ? 20_000_000 : 1_500_000_000
        let maximumBurst = elephant ? 64 : 28
        var clientSequence = random.nextUInt32()
        var serverSequence = random.nextUInt32()
        var t: Int64 = 0
        add(t, true, Self.syn, clientSequence, 0)
        t += rtt
        add(t, false, Self.syn | Self.ack, serverSequence, clientSequence &+ 1)
        clientSequence &+= 1
        serverSequence &+= 1
        t += delay
        add(t, true, Self.ack, clientSequence, serverSequence)

        func send(_ time: Int64, fromClient: Bool, length: Int, payload: BenchmarkPayload, push: Bool) {
            let flags = Self.ack | (push ? Self.psh : 0)
            if fromClient {
                add(time, true, flags, clientSequence, serverSequence, length, payload)
                clientSequence &+= UInt32(length)
            } else {
                add(time, false, flags, serverSequence, clientSequence, length, payload)
                serverSequence &+= UInt32(length)
            }
        }

        var remaining = packets - 6
        var first = true
        while remaining > 0 {
            t += first ? delay : Int64(random.below(Int(maximumThink))) + 1_000
            let processing = Int64(random.within(100_000...15_000_000))
            if remaining == 1 {
                break  // spent by the four-packet close below
            } else if remaining == 2 {
                send(t, fromClient: true, length: random.within(BenchmarkSizes.smallPayload), payload: .tlsRecord, push: true)
                t += rtt
                add(t, false, Self.ack, serverSequence, clientSequence)
                remaining = 0
            } else if first {
                send(t, fromClient: true, length: clientHelloLength, payload: .clientHello, push: true)
                t += rtt + processing
                send(t, fromClient: false, length: serverHelloLength, payload: .serverHello, push: true)
                t += delay
                add(t, true, Self.ack, clientSequence, serverSequence)
                remaining -= 3
                first = false
            } else if remaining >= 4 && random.chance(42) {
                // A bulk response: full segments (the last one possibly shorter), acknowledged every
                // `ackEvery` segments and at the end.
                let ackEvery = random.chance(40) ? 1 : 2
                var segments = random.within(2...maximumBurst)
                while segments > 1 && 1 + segments + (segments + ackEvery - 1) / ackEvery > remaining { segments -= 1 }
                let request = random.chance(65) ? random.within(BenchmarkSizes.smallPayload) : random.within(BenchmarkSizes.mediumPayload)
                send(t, fromClient: true, length: request, payload: .tlsRecord, push: true)
                t += rtt + processing
                for index in 1...segments {
                    let last = index == segments
                    let length = last && random.chance(50) ? random.within(BenchmarkSizes.mediumPayload) : fullPayload
                    send(t, fromClient: false, length: length, payload: .tlsRecord, push: last)
                    if index % ackEvery == 0 || last {
                        add(t + min(delay, gap / 2), true, Self.ack, clientSequence, serverSequence)
                    }
                    t += gap
                }
                remaining -= 1 + segments + (segments + ackEvery - 1) / ackEvery
            } else {
                // An interactive exchange: a request, one to four smaller segments, one ACK.
                let request = random.chance(65) ? random.within(BenchmarkSizes.smallPayload) : random.within(BenchmarkSizes.mediumPayload)
                send(t, fromClient: true, length: request, payload: .tlsRecord, push: true)
                t += rtt + processing
                let segments = min(random.within(1...4), remaining - 2)
                for index in 1...segments {
                    let length = random.chance(50) ? random.within(BenchmarkSizes.smallPayload) : random.within(BenchmarkSizes.mediumPayload)
                    send(t, fromClient: false, length: length, payload: .tlsRecord, push: index == segments)
                    t += gap / 2
                }
                t += delay
                add(t, true, Self.ack, clientSequence, serverSequence)
                remaining -= 2 + segments
            }
        }
        t += Int64(random.below(Int(maximumThink))) + 1_000
        add(t, true, Self.fin | Self.ack, clientSequence, serverSequence)
        clientSequence &+= 1
        t += rtt
        if remaining == 1 {
            // The server acknowledges the FIN before sending its own.
            add(t, false, Self.ack, serverSequence, clientSequence)
            t += Int64(random.within(50_000...5_000_000))
        }
        add(t, false, Self.fin | Self.ack, serverSequence, clientSequence)
        serverSequence &+= 1
        t += delay
        add(t, true, Self.ack, clientSequence, serverSequence)
    }

    /// QUIC-like: Initial/Handshake-sized long-header datagrams (1200-byte payloads), then
    /// short-header data from the server with small client acknowledgments.
    mutating func buildQUIC(packets: Int, rtt: Int64) {
        let gap = Int64(random.within(15_000...150_000))
        var t: Int64 = 0
        add(t, true, 0, 0, 0, 1200, .quicClientInitial)
        t += rtt
        add(t, false, 0, 0, 0, 1200, .quicServerLong)
        t += gap
        add(t, false, 0, 0, 0, 1200, .quicServerLong)
        t += 60_000
        add(t, true, 0, 0, 0, 1200, .quicClientInitial)
        var remaining = packets - 4
        while remaining > 0 {
            t += Int64(random.below(200_000_000)) + 1_000
            if remaining == 1 {
                add(t, true, 0, 0, 0, random.within(40...70), .quicShort)
                remaining = 0
                break
            }
            t += rtt
            let burst = min(random.within(1...8), remaining - 1)
            for _ in 0..<burst {
                add(t, false, 0, 0, 0, random.chance(80) ? 1200 : random.within(60...900), .quicShort)
                t += gap
            }
            add(t + 30_000, true, 0, 0, 0, random.within(40...70), .quicShort)
            remaining -= burst + 1
        }
    }
}

/// A binary min-heap of (time, slot) pairs: the next packet time of every active flow.
struct BenchmarkFlowHeap {
    private(set) var times: [Int64] = []
    private(set) var slots: [Int32] = []

    var isEmpty: Bool { times.isEmpty }
    var minimumTime: Int64 { times.isEmpty ? .max : times[0] }
    var minimumSlot: Int32 { slots[0] }

    mutating func push(time: Int64, slot: Int32) {
        times.append(time)
        slots.append(slot)
        var child = times.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard times[parent] > times[child] || (times[parent] == times[child] && slots[parent] > slots[child]) else { break }
            times.swapAt(parent, child)
            slots.swapAt(parent, child)
            child = parent
        }
    }

    /// Replaces the minimum's time (its flow moved on) and restores the heap order.
    mutating func replaceMinimumTime(_ time: Int64) {
        times[0] = time
        siftDown(0)
    }

    mutating func removeMinimum() {
        let last = times.count - 1
        times.swapAt(0, last)
        slots.swapAt(0, last)
        times.removeLast()
        slots.removeLast()
        if !times.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = times.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            let right = left + 1
            if right < count && (times[right] < times[left] || (times[right] == times[left] && slots[right] < slots[left])) {
                smallest = right
            }
            guard times[smallest] < times[parent] || (times[smallest] == times[parent] && slots[smallest] < slots[parent]) else { return }
            times.swapAt(parent, smallest)
            slots.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
