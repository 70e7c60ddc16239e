/// One request and its response inside a TCP conversation.
public struct TCPExchange: Sendable, Hashable {
    public var request: [UInt8]
    public var response: [UInt8]

    /// A request from the client and the server's response (either may be empty).
    public init(request: [UInt8], response: [UInt8]) {
        self.request = request
        self.response = response
    }
}

/// A deterministic TCP connection as a capture next to the client sees it: handshake, data
/// both ways, close — or one of the failure shapes blocking analysis has to recognize.
public struct TCPConversation: Sendable {
    /// What happens to the connection.
    public enum Shape: Sendable, Hashable {
        /// Handshake, every exchange, FIN close.
        case complete
        /// SYN never answered: the first SYN plus `retries` retransmissions at 1 s, 3 s, 7 s, … (RTO doubling from 1 s).
        case unansweredSYN(retries: Int)
        /// SYN answered by RST/ACK (port closed).
        case refused
        /// Handshake, the first request, then a RST from the server side instead of a response.
        case resetAfterHandshake
        /// The capture starts and ends inside the connection: only the exchanges, no SYN, no FIN.
        case midstream
    }

    /// Which side sends the first FIN.
    public enum Closer: Sendable, Hashable { case client, server }

    public var client: HostPort
    public var server: HostPort
    /// The time of the first packet.
    public var startNanoseconds: Int64
    /// Round-trip time between the capture point (at the client) and the server.
    public var roundTripNanoseconds: Int64
    public var shape: Shape
    public var exchanges: [TCPExchange]
    public var closer: Closer
    /// TTL (hop limit) of the client's packets at the capture point.
    public var clientTTL: UInt8
    /// TTL (hop limit) of the server's packets at the capture point.
    public var serverTTL: UInt8
    /// TTL of the RST in `.resetAfterHandshake`; differs from `serverTTL` for an injected RST.
    public var resetTTL: UInt8?
    public var maximumSegmentSize: UInt16
    /// Whether both sides use the timestamps option (as Linux does).
    public var usesTimestamps: Bool
    /// Fixes the ISNs, IP-IDs, timestamp clocks and flow labels.
    public var seed: UInt64
    /// IPv6 extension headers put in front of every client segment (IPv6 only).
    public var clientExtensionHeaders: [IPv6Builder.ExtensionHeader]

    /// A conversation with Linux-like defaults; everything random comes from `seed`.
    public init(client: HostPort, server: HostPort, startNanoseconds: Int64, shape: Shape = .complete,
                exchanges: [TCPExchange] = [], roundTripNanoseconds: Int64 = 20_000_000, seed: UInt64 = 1) {
        precondition(client.address.isIPv6 == server.address.isIPv6, "client and server must share an address family")
        self.client = client
        self.server = server
        self.startNanoseconds = startNanoseconds
        self.roundTripNanoseconds = roundTripNanoseconds
        self.shape = shape
        self.exchanges = exchanges
        self.closer = .client
        self.clientTTL = 64
        self.serverTTL = 52
        self.resetTTL = nil
        self.maximumSegmentSize = client.address.isIPv6 ? 1440 : 1460
        self.usesTimestamps = true
        self.seed = seed
        self.clientExtensionHeaders = []
    }

    /// The packets in time order, client packets `.outbound`.
    public func packets() -> [TimedPacket] {
        var emitter = Emitter(self)
        emitter.run()
        return emitter.packets
    }

    /// Per-side state while packets are generated.
    private struct Side {
        var endpoint: HostPort
        var ttl: UInt8
        var nextSequence: UInt32
        var ipID: UInt16
        var timestampBase: UInt32
        var lastPeerTimestamp: UInt32 = 0
        var flowLabel: UInt32
        /// The window on the SYN (unscaled), then the window field once scaling is on.
        var synWindow: UInt16
        var window: UInt16
        var direction: PacketDirection
    }

    private struct Emitter {
        let conversation: TCPConversation
        var clientSide: Side
        var serverSide: Side
        var packets: [TimedPacket] = []
        var now: Int64
        let delay: Int64 = 40_000          // the client's reaction time (40 µs)
        let spacing: Int64 = 120_000       // one full segment's serialization time (~100 Mbit/s)

        init(_ conversation: TCPConversation) {
            self.conversation = conversation
            var random = DeterministicRandom(seed: conversation.seed)
            clientSide = Side(endpoint: conversation.client, ttl: conversation.clientTTL, nextSequence: random.nextUInt32(),
                              ipID: random.nextUInt16(), timestampBase: random.nextUInt32(),
                              flowLabel: random.nextUInt32() & 0xFFFFF, synWindow: 64240, window: 502, direction: .outbound)
            serverSide = Side(endpoint: conversation.server, ttl: conversation.serverTTL, nextSequence: random.nextUInt32(),
                              ipID: random.nextUInt16(), timestampBase: random.nextUInt32(),
                              flowLabel: random.nextUInt32() & 0xFFFFF, synWindow: 65160, window: 509, direction: .inbound)
            now = conversation.startNanoseconds
        }

        var payloadPerSegment: Int {
            Int(conversation.maximumSegmentSize) - (conversation.usesTimestamps ? 12 : 0)
        }

        /// Emits one segment from `fromClient`'s side at `time`, advancing its sequence space.
        mutating func send(fromClient: Bool, flags: TCPBuilder.Flags, payload: [UInt8] = [], at time: Int64,
                           options extra: [TCPBuilder.Option]? = nil, ttl: UInt8? = nil, window: UInt16? = nil) {
            var side = fromClient ? clientSide : serverSide
            var peer = fromClient ? serverSide : clientSide
            let elapsedMilliseconds = UInt32(truncatingIfNeeded: (time - conversation.startNanoseconds) / 1_000_000)
            let timestamp = side.timestampBase &+ elapsedMilliseconds
            var options: [TCPBuilder.Option] = []
            if let extra {
                options = extra
            } else if flags.contains(.syn) {
                options = conversation.usesTimestamps
                    ? TCPBuilder.Option.linuxSYN(mss: conversation.maximumSegmentSize, timestamp: timestamp, echo: side.lastPeerTimestamp)
                    : [.maximumSegmentSize(conversation.maximumSegmentSize), .noOperation, .noOperation, .sackPermitted, .noOperation, .windowScale(7)]
            } else if conversation.usesTimestamps && !flags.contains(.rst) {
                options = TCPBuilder.Option.paddedTimestamps(value: timestamp, echo: side.lastPeerTimestamp)
            }
            let segment = TCPBuilder(sourcePort: side.endpoint.port, destinationPort: peer.endpoint.port,
                                     sequenceNumber: side.nextSequence,
                                     acknowledgmentNumber: flags.contains(.ack) ? peer.nextSequence : 0,
                                     flags: flags, window: window ?? (flags.contains(.syn) ? side.synWindow : side.window), options: options, payload: payload)
            let bytes: [UInt8]
            if side.endpoint.address.isIPv6 {
                let header = IPv6Builder(source: side.endpoint.address, destination: peer.endpoint.address,
                                         hopLimit: ttl ?? side.ttl, flowLabel: side.flowLabel,
                                         extensionHeaders: fromClient ? conversation.clientExtensionHeaders : [])
                bytes = header.packet(carrying: segment)
            } else {
                let header = IPv4Builder(source: side.endpoint.address, destination: peer.endpoint.address,
                                         ttl: ttl ?? side.ttl, identification: side.ipID, dontFragment: true)
                bytes = header.packet(carrying: segment)
            }
            packets.append(TimedPacket(timestampNanoseconds: time, bytes: bytes, direction: side.direction))
            side.ipID &+= 1
            side.nextSequence &+= UInt32(payload.count) + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)
            peer.lastPeerTimestamp = timestamp
            if fromClient { clientSide = side; serverSide = peer } else { serverSide = side; clientSide = peer }
        }

        /// Sends `data` from one side as full segments, PSH on the last; returns the last time used.
        /// The receiver acknowledges every second segment and the last one.
        mutating func transfer(fromClient: Bool, _ data: [UInt8], startingAt start: Int64, receiverLag: Int64) -> Int64 {
            var time = start
            var offset = 0
            var segmentIndex = 0
            while offset < data.count {
                let end = min(offset + payloadPerSegment, data.count)
                let last = end == data.count
                send(fromClient: fromClient, flags: last ? [.ack, .psh] : [.ack], payload: Array(data[offset..<end]), at: time)
                segmentIndex += 1
                if segmentIndex % 2 == 0 || last {
                    send(fromClient: !fromClient, flags: [.ack], at: time + receiverLag)
                }
                offset = end
                time += spacing
            }
            return time - spacing + receiverLag
        }

        mutating func handshake() {
            send(fromClient: true, flags: [.syn], at: now)
            now += conversation.roundTripNanoseconds
            send(fromClient: false, flags: [.syn, .ack], at: now)
            now += delay
            send(fromClient: true, flags: [.ack], at: now)
        }

        /// One exchange: the request (acknowledged by the server after a round trip when there
        /// is no response) and the response (acknowledged by the client at once).
        mutating func exchange(_ exchange: TCPExchange) {
            now += delay
            var requestEnd = now
            if !exchange.request.isEmpty {
                // Requests are small; the server's acknowledgment rides on its response.
                var time = now
                var offset = 0
                while offset < exchange.request.count {
                    let end = min(offset + payloadPerSegment, exchange.request.count)
                    send(fromClient: true, flags: end == exchange.request.count ? [.ack, .psh] : [.ack],
                         payload: Array(exchange.request[offset..<end]), at: time)
                    requestEnd = time
                    offset = end
                    time += spacing
                }
            }
            let responseStart = requestEnd + conversation.roundTripNanoseconds
            if exchange.response.isEmpty {
                if !exchange.request.isEmpty { send(fromClient: false, flags: [.ack], at: responseStart) }
                now = responseStart
            } else {
                now = transfer(fromClient: false, exchange.response, startingAt: responseStart, receiverLag: delay)
            }
        }

        mutating func close() {
            now += 5 * delay
            switch conversation.closer {
            case .client:
                send(fromClient: true, flags: [.fin, .ack], at: now)
                now += conversation.roundTripNanoseconds
                send(fromClient: false, flags: [.fin, .ack], at: now)
                now += delay
                send(fromClient: true, flags: [.ack], at: now)
            case .server:
                send(fromClient: false, flags: [.fin, .ack], at: now)
                now += delay
                send(fromClient: true, flags: [.fin, .ack], at: now)
                now += conversation.roundTripNanoseconds
                send(fromClient: false, flags: [.ack], at: now)
            }
        }

        mutating func run() {
            switch conversation.shape {
            case .complete:
                handshake()
                for item in conversation.exchanges { exchange(item) }
                close()
            case .unansweredSYN(let retries):
                let first = now
                send(fromClient: true, flags: [.syn], at: now)
                var timeout: Int64 = 1_000_000_000
                var elapsed: Int64 = 0
                for _ in 0..<retries {
                    elapsed += timeout
                    timeout *= 2
                    clientSide.nextSequence &-= 1  // a retransmission reuses the ISN
                    send(fromClient: true, flags: [.syn], at: first + elapsed)
                }
            case .refused:
                send(fromClient: true, flags: [.syn], at: now)
                now += conversation.roundTripNanoseconds
                serverSide.nextSequence = 0
                send(fromClient: false, flags: [.rst, .ack], at: now, options: [], window: 0)
            case .resetAfterHandshake:
                handshake()
                now += delay
                if let first = conversation.exchanges.first, !first.request.isEmpty {
                    send(fromClient: true, flags: [.ack, .psh], payload: Array(first.request.prefix(payloadPerSegment)), at: now)
                }
                now += conversation.roundTripNanoseconds / 2
                send(fromClient: false, flags: [.rst, .ack], at: now, options: [], ttl: conversation.resetTTL, window: 0)
            case .midstream:
                for item in conversation.exchanges { exchange(item) }
            }
        }
    }
}
