/// Generates deterministic hostile or extreme captures for the flood benchmark (issue 8): each
/// pushes one of BlockWatch's memory bounds past its limit, or stretches time or size.
///
/// - `syn`: TCP SYNs from random addresses and ports to a few servers, 100,000 per second: every
///   packet is a new one-packet flow, so the flow table (`--max-flows`) fills and evicts.
/// - `fragments`: IPv4 fragments that never complete (first and middle pieces of random
///   datagrams, never the last), so the fragment reassembler fills and gives up on the oldest.
/// - `dns`: DNS answers, each to a new client port, naming a new name with four random addresses,
///   so the DNS association table fills and evicts (and the flow table too).
/// - `hello`: TCP flows from random clients, each sending 11 segments (14,960 bytes) of a
///   ClientHello that announces 16,000 bytes and never ends, then falling silent: every flow's
///   identification keeps reassembling, so the payload buffers' budget fills and refuses.
/// - `elephant`: one TCP connection downloading for ever: 1448-byte segments and an ACK every
///   second segment; past 4 GiB the sequence numbers wrap.
/// - `month`: short DNS + HTTPS-like conversations spread over 30 days, with no packet at all
///   from day 12 to day 27.
///
/// Frames are built in one reused buffer (Ethernet, IPv4 with a correct header checksum; TCP and
/// UDP checksums are left 0, which BlockWatch does not check) and handed to a sink in time order.
/// The same kind, packet count and seed always give the same bytes.
public struct FloodCaptureGenerator: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case syn, fragments, dns, hello, elephant, month
    }

    public struct Configuration: Sendable, Hashable {
        public var kind: Kind
        /// Exact number of packets written.
        public var packets: Int
        public var seed: UInt64 = 1
        /// Time of the first packet.
        public var startNanoseconds: Int64 = 1_768_471_200 * 1_000_000_000  // 2026-01-15T10:00:00Z

        public init(kind: Kind, packets: Int, seed: UInt64 = 1) {
            self.kind = kind
            self.packets = packets
            self.seed = seed
        }
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var packets = 0
        public var bytes = 0
        public var firstTimestampNanoseconds: Int64 = 0
        public var lastTimestampNanoseconds: Int64 = 0

        public var description: String {
            let seconds = (lastTimestampNanoseconds - firstTimestampNanoseconds) / 1_000_000_000
            return "\(packets) packets, \(bytes) bytes of frames, \(seconds) s of traffic"
        }
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Builds every frame in time order and hands it to `sink` (time in ns since the epoch, the
    /// bytes valid only during the call).
    public func generate(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) -> Summary {
        var emitter = FloodEmitter(configuration)
        defer { emitter.frame.deallocate() }
        return emitter.run(sink)
    }
}

/// The generator's working state: the frame buffer, the random source, the clock.
struct FloodEmitter {
    let configuration: FloodCaptureGenerator.Configuration
    var random: DeterministicRandom
    let frame: UnsafeMutableRawBufferPointer
    var summary = FloodCaptureGenerator.Summary()
    var time: Int64

    static let clientMAC: UInt64 = 0x02_00_0A_00_00_02
    static let gatewayMAC: UInt64 = 0x02_00_0A_00_00_01
    static let server: UInt32 = 0xCB00_710A           // 203.0.113.10
    static let resolver: UInt32 = 0xC633_6435         // 198.51.100.53
    static let client: UInt32 = 0x0A00_0002           // 10.0.0.2

    init(_ configuration: FloodCaptureGenerator.Configuration) {
        self.configuration = configuration
        random = DeterministicRandom(seed: configuration.seed)
        frame = .allocate(byteCount: 2048, alignment: 16)
        frame.initializeMemory(as: UInt8.self, repeating: 0)
        time = configuration.startNanoseconds
    }

    mutating func run(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) -> FloodCaptureGenerator.Summary {
        summary.firstTimestampNanoseconds = time
        switch configuration.kind {
        case .syn: synFlood(sink)
        case .fragments: fragmentFlood(sink)
        case .dns: dnsFlood(sink)
        case .hello: helloFlood(sink)
        case .elephant: elephant(sink)
        case .month: month(sink)
        }
        return summary
    }

    mutating func deliver(_ length: Int, _ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        sink(time, UnsafeRawBufferPointer(rebasing: frame[0..<length]))
        summary.packets += 1
        summary.bytes += length
        summary.lastTimestampNanoseconds = time
    }

    /// A random unicast address outside 0/8, 10/8, 127/8 and multicast: 11.0.0.0 – 126.255.255.255.
    mutating func randomAddress() -> UInt32 {
        0x0B00_0000 &+ UInt32(random.below(0x7F00_0000 - 0x0B00_0000))
    }

    mutating func randomPort() -> UInt16 { UInt16(1024 + random.below(64_512)) }

    // MARK: Headers

    func writeEthernet(fromClient: Bool) {
        let (source, destination) = fromClient ? (Self.clientMAC, Self.gatewayMAC) : (Self.gatewayMAC, Self.clientMAC)
        frame.storeBigEndian(UInt32(truncatingIfNeeded: destination >> 16), at: 0)
        frame.storeBigEndian(UInt16(truncatingIfNeeded: destination), at: 4)
        frame.storeBigEndian(UInt32(truncatingIfNeeded: source >> 16), at: 6)
        frame.storeBigEndian(UInt16(truncatingIfNeeded: source), at: 10)
        frame.storeBigEndian(UInt16(0x0800), at: 12)
    }

    /// IPv4 at 14 with `payloadLength` bytes after it; `fragment` is the flags+offset word.
    func writeIPv4(source: UInt32, destination: UInt32, proto: UInt8, payloadLength: Int, id: UInt16,
                   fragment: UInt16 = 0x4000, ttl: UInt8 = 64) {
        frame.storeBigEndian(UInt32(0x4500_0000) | UInt32(20 + payloadLength), at: 14)
        frame.storeBigEndian(UInt32(id) << 16 | UInt32(fragment), at: 18)
        frame.storeBigEndian(UInt32(ttl) << 24 | UInt32(proto) << 16, at: 22)
        frame.storeBigEndian(source, at: 26)
        frame.storeBigEndian(destination, at: 30)
        frame.storeBigEndian(Checksum.finish(Checksum.sum(UnsafeRawBufferPointer(rebasing: frame[14..<34]))), at: 24)
    }

    /// A 20-byte TCP header at 34 (checksum 0).
    func writeTCP(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32, flags: UInt8) {
        frame.storeBigEndian(UInt32(sourcePort) << 16 | UInt32(destinationPort), at: 34)
        frame.storeBigEndian(sequence, at: 38)
        frame.storeBigEndian(acknowledgment, at: 42)
        frame.storeBigEndian(UInt32(0x5000) << 16 | UInt32(flags) << 16 | 0xFFFF, at: 46)
        frame.storeBigEndian(UInt32(0), at: 50)
    }

    /// A TCP packet client ↔ server; returns the frame length.
    func tcpPacket(client: UInt32, clientPort: UInt16, server: UInt32, serverPort: UInt16, fromClient: Bool,
                   sequence: UInt32, acknowledgment: UInt32, flags: UInt8, payload: Int, id: UInt16) -> Int {
        writeEthernet(fromClient: fromClient)
        writeIPv4(source: fromClient ? client : server, destination: fromClient ? server : client, proto: 6,
                  payloadLength: 20 + payload, id: id)
        writeTCP(sourcePort: fromClient ? clientPort : serverPort, destinationPort: fromClient ? serverPort : clientPort,
                 sequence: sequence, acknowledgment: acknowledgment, flags: flags)
        if payload > 0 { fillPayload(from: 54, count: payload, seed: sequence) }
        return 54 + payload
    }

    /// Payload bytes that are not all zeros (a cheap pattern from `seed`).
    func fillPayload(from start: Int, count: Int, seed: UInt32) {
        var value = seed | 1
        var offset = start
        while offset + 4 <= start + count {
            frame.storeBigEndian(value, at: offset)
            value = value &* 1_664_525 &+ 1_013_904_223
            offset += 4
        }
        while offset < start + count { frame.storeByte(UInt8(truncatingIfNeeded: value), at: offset); offset += 1 }
    }

    // MARK: Kinds

    mutating func synFlood(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        for _ in 0..<configuration.packets {
            let length = tcpPacket(client: randomAddress(), clientPort: randomPort(),
                                   server: Self.server &+ UInt32(random.below(4)), serverPort: 443, fromClient: true,
                                   sequence: random.nextUInt32(), acknowledgment: 0, flags: 0x02, payload: 0,
                                   id: random.nextUInt16())
            deliver(length, sink)
            time += 10_000
        }
    }

    mutating func helloFlood(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        let segments = 11, segmentBytes = 1360
        var written = 0
        while written < configuration.packets {
            let client = randomAddress(), port = randomPort(), server = Self.server &+ UInt32(random.below(4))
            let start = random.nextUInt32()
            for index in 0..<segments where written < configuration.packets {
                let sequence = start &+ UInt32(index * segmentBytes)
                let length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: true,
                                       sequence: sequence, acknowledgment: 1, flags: 0x18, payload: segmentBytes,
                                       id: random.nextUInt16())
                if index == 0 {
                    // A handshake record of 16,000 bytes holding a ClientHello of 15,996: more than is ever sent.
                    for (offset, byte) in [0x16, 0x03, 0x01, 0x3E, 0x80, 0x01, 0x00, 0x3E, 0x7C, 0x03, 0x03].enumerated() {
                        frame.storeByte(UInt8(byte), at: 54 + offset)
                    }
                }
                deliver(length, sink)
                written += 1
                time += 10_000
            }
        }
    }

    mutating func fragmentFlood(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        for index in 0..<configuration.packets {
            // First pieces and middle pieces of datagrams whose last piece never comes.
            let offsetUnits = index % 2 == 0 ? 0 : UInt16(1 + random.below(1000))
            writeEthernet(fromClient: false)
            writeIPv4(source: randomAddress(), destination: Self.client, proto: 17, payloadLength: 64,
                      id: random.nextUInt16(), fragment: 0x2000 | offsetUnits)
            fillPayload(from: 34, count: 64, seed: UInt32(truncatingIfNeeded: index))
            deliver(98, sink)
            time += 10_000
        }
    }

    mutating func dnsFlood(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        var name = Array("r0000000.flood.example".utf8)
        let hex = Array("0123456789abcdef".utf8)
        for index in 0..<configuration.packets {
            var n = index
            for position in stride(from: 7, through: 1, by: -1) {
                name[position] = hex[n & 15]
                n >>= 4
            }
            // DNS response at 42 (after Ethernet, IPv4 and UDP): header, question, 4 A answers.
            var offset = 42
            frame.storeBigEndian(UInt16(truncatingIfNeeded: index), at: offset)
            frame.storeBigEndian(UInt16(0x8180), at: offset + 2)
            frame.storeBigEndian(UInt32(0x0001_0004), at: offset + 4)
            frame.storeBigEndian(UInt32(0), at: offset + 8)
            offset += 12
            for label in name.split(separator: UInt8(ascii: ".")) {
                frame.storeByte(UInt8(label.count), at: offset)
                offset += 1
                for byte in label { frame.storeByte(byte, at: offset); offset += 1 }
            }
            frame.storeByte(0, at: offset)
            frame.storeBigEndian(UInt32(0x0001_0001), at: offset + 1)
            offset += 5
            for _ in 0..<4 {
                frame.storeBigEndian(UInt32(0xC00C_0001), at: offset)      // name pointer, type A
                frame.storeBigEndian(UInt32(0x0001_0000), at: offset + 4)  // class IN, TTL high
                frame.storeBigEndian(UInt32(300) << 16 | 4, at: offset + 8) // TTL low 300, length 4
                frame.storeBigEndian(randomAddress(), at: offset + 12)
                offset += 16
            }
            let udpLength = offset - 34
            writeEthernet(fromClient: false)
            writeIPv4(source: Self.resolver, destination: Self.client &+ UInt32(random.below(250)), proto: 17,
                      payloadLength: udpLength, id: UInt16(truncatingIfNeeded: index))
            frame.storeBigEndian(UInt32(53) << 16 | UInt32(randomPort()), at: 34)
            frame.storeBigEndian(UInt32(udpLength) << 16, at: 38)
            deliver(offset, sink)
            time += 10_000
        }
    }

    mutating func elephant(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        let clientPort: UInt16 = 50_000
        var clientSequence: UInt32 = 1_000
        var serverSequence: UInt32 = 4_000_000_000   // wraps after about 280 MB
        var id: UInt16 = 0
        func send(_ emitter: inout FloodEmitter, fromClient: Bool, flags: UInt8, payload: Int,
                  _ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
            id &+= 1
            let length = emitter.tcpPacket(client: Self.client, clientPort: clientPort, server: Self.server, serverPort: 443,
                                           fromClient: fromClient,
                                           sequence: fromClient ? clientSequence : serverSequence,
                                           acknowledgment: fromClient ? serverSequence : clientSequence,
                                           flags: flags, payload: payload, id: id)
            emitter.deliver(length, sink)
        }
        let total = configuration.packets
        guard total >= 3 else { return synFlood(sink) }
        send(&self, fromClient: true, flags: 0x02, payload: 0, sink)
        clientSequence &+= 1
        time += 20_000_000
        send(&self, fromClient: false, flags: 0x12, payload: 0, sink)
        serverSequence &+= 1
        time += 20_000_000
        send(&self, fromClient: true, flags: 0x10, payload: 0, sink)
        // Two segments, then the client's ACK, over and over.
        for sent in 3..<total {
            time += 1_200   // about 10 Gbit/s
            if (sent - 3) % 3 == 2 {
                send(&self, fromClient: true, flags: 0x10, payload: 0, sink)
            } else {
                send(&self, fromClient: false, flags: 0x10, payload: 1448, sink)
                serverSequence &+= 1448
            }
        }
    }

    mutating func month(_ sink: (Int64, UnsafeRawBufferPointer) -> Void) {
        // Ten packets per conversation: DNS query and answer, handshake, request, answer, close.
        let conversations = max(1, configuration.packets / 10)
        let day: Int64 = 86_400 * 1_000_000_000
        // Active from day 0 to 12 and from day 27 to 30: 15 days of traffic around a 15-day gap.
        let spacing = 15 * day / Int64(conversations)
        var written = 0
        var index = 0
        let start = time
        while written < configuration.packets {
            var at = start + Int64(index) * spacing
            if at >= start + 12 * day { at += 15 * day }
            time = at
            let client = Self.client &+ UInt32(index % 20)
            let server = Self.server &+ UInt32(index % 50)
            let port = UInt16(20_000 + index % 40_000)
            let steps = min(10, configuration.packets - written)
            for step in 0..<steps {
                let length: Int
                switch step {
                case 0, 1:
                    length = dnsMessage(response: step == 1, client: client, port: port, id: UInt16(truncatingIfNeeded: index),
                                        answer: server)
                case 2: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: true,
                                           sequence: 100, acknowledgment: 0, flags: 0x02, payload: 0, id: 1)
                case 3: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: false,
                                           sequence: 500, acknowledgment: 101, flags: 0x12, payload: 0, id: 1)
                case 4: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: true,
                                           sequence: 101, acknowledgment: 501, flags: 0x10, payload: 0, id: 2)
                case 5: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: true,
                                           sequence: 101, acknowledgment: 501, flags: 0x18, payload: 300, id: 3)
                case 6: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: false,
                                           sequence: 501, acknowledgment: 401, flags: 0x18, payload: 1200, id: 2)
                case 7: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: true,
                                           sequence: 401, acknowledgment: 1701, flags: 0x11, payload: 0, id: 4)
                case 8: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: false,
                                           sequence: 1701, acknowledgment: 402, flags: 0x11, payload: 0, id: 3)
                default: length = tcpPacket(client: client, clientPort: port, server: server, serverPort: 443, fromClient: true,
                                            sequence: 402, acknowledgment: 1702, flags: 0x10, payload: 0, id: 5)
                }
                deliver(length, sink)
                time += 20_000_000
            }
            written += steps
            index += 1
        }
    }

    /// A DNS query or its one-address answer for `hN.month.example`; returns the frame length.
    func dnsMessage(response: Bool, client: UInt32, port: UInt16, id: UInt16, answer: UInt32) -> Int {
        var offset = 42
        frame.storeBigEndian(id, at: offset)
        frame.storeBigEndian(UInt16(response ? 0x8180 : 0x0100), at: offset + 2)
        frame.storeBigEndian(UInt32(0x0001_0000) | (response ? 1 : 0), at: offset + 4)
        frame.storeBigEndian(UInt32(0), at: offset + 8)
        offset += 12
        let host = "h\(answer & 0xFF)"
        for label in [host, "month", "example"] {
            frame.storeByte(UInt8(label.utf8.count), at: offset)
            offset += 1
            for byte in label.utf8 { frame.storeByte(byte, at: offset); offset += 1 }
        }
        frame.storeByte(0, at: offset)
        frame.storeBigEndian(UInt32(0x0001_0001), at: offset + 1)
        offset += 5
        if response {
            frame.storeBigEndian(UInt32(0xC00C_0001), at: offset)
            frame.storeBigEndian(UInt32(0x0001_0000), at: offset + 4)
            frame.storeBigEndian(UInt32(300) << 16 | 4, at: offset + 8)
            frame.storeBigEndian(answer, at: offset + 12)
            offset += 16
        }
        let udpLength = offset - 34
        writeEthernet(fromClient: !response)
        writeIPv4(source: response ? Self.resolver : client, destination: response ? client : Self.resolver, proto: 17,
                  payloadLength: udpLength, id: id)
        frame.storeBigEndian(response ? UInt32(53) << 16 | UInt32(port) : UInt32(port) << 16 | 53, at: 34)
        frame.storeBigEndian(UInt32(udpLength) << 16, at: 38)
        return offset
    }
}
