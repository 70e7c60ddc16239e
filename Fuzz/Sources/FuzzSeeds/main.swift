#if canImport(Glibc)
import Glibc
#endif
import Capture
import FuzzSupport
import Wire

// Not a fuzz target: the seed extractor. fuzz.sh runs it as `FuzzSeeds -runs=1 capture...`
// (libFuzzer then calls the entry point once per file) with FUZZ_SEED_DIR set, and it writes,
// for every fuzz target, seeds cut at that target's layer out of the capture's packets, in the
// format the target reads (see each target's header comment and FuzzInput.withPieces).
let outputDirectory = getenv("FUZZ_SEED_DIR").map { String(cString: $0) }
let path = "\(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp")/blockwatch-fuzz-seeds-\(getpid()).pcap"
/// Seeds written per target per capture: enough variety, small enough to load fast.
let perCapture = 48

/// Link layers in FuzzLinkLayers's order.
let layers: [LinkLayer] = [.ethernet, .linuxCooked, .linuxCookedV2, .rawIP, .ipv4, .ipv6, .null, .loop]

struct Seeds {
    var written: [String: Int] = [:]

    mutating func add(_ target: String, _ bytes: [UInt8]) {
        guard let outputDirectory, !bytes.isEmpty, written[target, default: 0] < perCapture else { return }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let directory = "\(outputDirectory)/\(target)"
        mkdir(directory, 0o755)
        let file = "\(directory)/seed-\(String(hash, radix: 16))"
        guard access(file, F_OK) != 0 else { return }
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        written[target, default: 0] += 1
    }
}

/// A 2-byte length before each piece (FuzzInput.withPieces).
func pieces(_ list: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    for piece in list.prefix(24) {
        let piece = Array(piece.prefix(0xFFFF))
        out += [UInt8(piece.count >> 8), UInt8(piece.count & 0xFF)] + piece
    }
    return out
}

func varint(_ value: Int) -> [UInt8] {
    value < 64 ? [UInt8(value)] : [UInt8(0x40 | (value >> 8) & 0x3F), UInt8(value & 0xFF)]
}

/// Where the IP header starts in a frame of `layer` (VLAN tags peeled), or nil.
func networkOffset(_ frame: UnsafeRawBufferPointer, _ layer: LinkLayer) -> Int? {
    switch layer {
    case .ethernet:
        var offset = 12
        while offset + 2 <= frame.count {
            let type = UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
            if type == 0x8100 || type == 0x88A8 || type == 0x9100 { offset += 4; continue }
            return type == 0x0800 || type == 0x86DD ? offset + 2 : nil
        }
        return nil
    case .linuxCooked: return 16
    case .linuxCookedV2: return 20
    case .rawIP, .ipv4, .ipv6: return 0
    case .null, .loop: return 4
    }
}

struct FlowState {
    var client: String
    var clientSegments: [[UInt8]] = []
    var serverFirst: [UInt8] = []
    var firstSequence: UInt32 = 0
    var udpClient: [[UInt8]] = []
}

/// A few hand-made seeds for protocols the captures lack: a STUN success response with an
/// XOR-MAPPED-ADDRESS and a SOFTWARE attribute, WhatsApp prefaces (current and legacy), MTProto's
/// plain abridged and intermediate transports.
func synthetic(_ seeds: inout Seeds) {
    let transaction: [UInt8] = Array(1...12)
    let stun: [UInt8] = [0x01, 0x01, 0x00, 0x14, 0x21, 0x12, 0xA4, 0x42] + transaction
        + [0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xA1, 0x47, 0x5E, 0x12, 0xA4, 0x43]
        + [0x80, 0x22, 0x00, 0x04] + Array("WA12".utf8)
    seeds.add("FuzzSTUN", stun)
    seeds.add("FuzzSTUN", [0x40, 0x01, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8])   // TURN ChannelData
    let preface: [UInt8] = Array("ED".utf8) + [0, 1, 0, 0, 2, 0x08, 0x00] + Array("WA".utf8) + [6, 5, 0, 0, 0x10]
    seeds.add("FuzzWhatsApp", [UInt8(preface.count)] + preface)
    seeds.add("FuzzWhatsApp", [8] + Array("WA".utf8) + [5, 2, 0, 0, 0x20, 0xF8])
    seeds.add("FuzzMTProto", [0xEF, 0x0A] + [UInt8](repeating: 0, count: 20) + [UInt8](repeating: 0x41, count: 20))
    seeds.add("FuzzMTProto", [0xEE, 0xEE, 0xEE, 0xEE, 0x28, 0, 0, 0] + [UInt8](repeating: 0, count: 40))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func extract(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return 0 }
    _ = write(descriptor, data, size)
    close(descriptor)
    defer { unlink(path) }
    guard let reader = try? CaptureReader(paths: [path]) else { return 0 }

    var seeds = Seeds()
    synthetic(&seeds)
    var flows: [String: FlowState] = [:]
    var flowOrder: [String] = []
    var fragments: [[UInt8]] = []
    var ipPackets: [[UInt8]] = []
    _ = try? reader.forEachPacket { packet in
        // Each packet by its own link type: a pcapng's interfaces may differ.
        guard let layer = LinkLayer(dataLinkType: packet.linkType.rawValue),
              let layerIndex = layers.firstIndex(of: layer) else { return }
        let frame = packet.bytes
        seeds.add("FuzzLinkLayers", [UInt8(layerIndex), UInt8(min(packet.originalLength - frame.count, 15))] + Array(frame))
        guard let offset = networkOffset(frame, layer), offset < frame.count else { return }
        let ip = UnsafeRawBufferPointer(rebasing: frame[offset...])
        seeds.add("FuzzIP", Array(ip))
        if ipPackets.count < 24 { ipPackets.append(Array(ip)) }
        var protocolNumber: UInt8 = 0
        var transport = UnsafeRawBufferPointer(start: nil, count: 0)
        var source = "", destination = ""
        if let v4 = try? IPv4Packet(validating: ip) {
            if v4.isFragment { fragments.append(Array(ip)); return }
            protocolNumber = v4.protocolNumber
            transport = v4.payload
            source = v4.source.description
            destination = v4.destination.description
        } else if let v6 = try? IPv6Packet(validating: ip) {
            if v6.fragment != nil { fragments.append(Array(ip)); return }
            protocolNumber = v6.upperLayerProtocol
            transport = v6.upperLayer
            source = v6.source.description
            destination = v6.destination.description
        } else {
            return
        }
        switch protocolNumber {
        case 1, 58:
            seeds.add("FuzzICMP", [protocolNumber == 58 ? 1 : 0] + Array(transport))
        case 6:
            guard let tcp = try? TCPSegment(validating: transport) else { return }
            seeds.add("FuzzTCPOptions", Array(transport.prefix(tcp.headerLength)))
            let payload = Array(tcp.payload)
            guard !payload.isEmpty else { return }
            let forward = "\(source):\(tcp.sourcePort)>\(destination):\(tcp.destinationPort)/6"
            let backward = "\(destination):\(tcp.destinationPort)>\(source):\(tcp.sourcePort)/6"
            if tcp.sourcePort == 53 || tcp.destinationPort == 53 {
                let message: [UInt8]? = payload.withUnsafeBytes { stream in
                    if case .complete(let message, _) = DNSMessage.tcpFrame(in: stream) { return Array(message) }
                    return nil
                }
                if let message { seeds.add("FuzzDNS", message) }
            }
            if var flow = flows[backward] {
                if flow.serverFirst.isEmpty { flow.serverFirst = payload }
                flows[backward] = flow
            } else {
                var flow = flows[forward] ?? FlowState(client: forward, firstSequence: tcp.sequenceNumber)
                if flows[forward] == nil { flowOrder.append(forward) }
                if flow.clientSegments.count < 8 {
                    let delta = tcp.sequenceNumber &- flow.firstSequence
                    flow.clientSegments.append([UInt8(delta >> 8 & 0xFF), UInt8(delta & 0xFF)] + payload)
                }
                flows[forward] = flow
            }
        case 17:
            guard let udp = try? UDPDatagram(validating: transport) else { return }
            let payload = Array(udp.payload)
            guard !payload.isEmpty else { return }
            let ports = [udp.sourcePort, udp.destinationPort]
            if ports.contains(53) || ports.contains(5353) { seeds.add("FuzzDNS", payload) }
            if payload.count >= 20, payload[4] == 0x21, payload[5] == 0x12, payload[6] == 0xA4, payload[7] == 0x42 {
                seeds.add("FuzzSTUN", payload)
            }
            if ports.contains(3478) || ports.contains(19302) || ports.contains(3480) { seeds.add("FuzzSTUN", payload) }
            let forward = "\(source):\(udp.sourcePort)>\(destination):\(udp.destinationPort)/17"
            let backward = "\(destination):\(udp.destinationPort)>\(source):\(udp.sourcePort)/17"
            if flows[backward] == nil {
                var flow = flows[forward] ?? FlowState(client: forward)
                if flows[forward] == nil { flowOrder.append(forward) }
                if flow.udpClient.count < 4 { flow.udpClient.append(payload) }
                flows[forward] = flow
            }
        default:
            break
        }
    }
    if !fragments.isEmpty {
        for start in stride(from: 0, to: fragments.count, by: 6) {
            seeds.add("FuzzFragments", [1] + pieces(Array(fragments[start..<min(start + 6, fragments.count)])))
        }
    }
    seeds.add("FuzzFragments", [1] + pieces(ipPackets))
    for key in flowOrder {
        guard let flow = flows[key] else { continue }
        if let datagram = flow.udpClient.first, datagram.count >= 20, datagram[0] & 0x80 != 0 {
            seeds.add("FuzzQUICInitial", pieces(flow.udpClient))   // a long header: maybe an Initial
        }
        guard let first = flow.clientSegments.first.map({ Array($0.dropFirst(2)) }) else { continue }
        let stream = flow.clientSegments.flatMap { $0.dropFirst(2) }
        if first.count >= 3, first[0] == 0x16, first[1] == 0x03 {
            seeds.add("FuzzTLS", pieces(flow.clientSegments))
            // The ClientHello's handshake message, as CRYPTO frames for FuzzQUICCrypto: two
            // pieces, the second half first (out of order, as Chrome sends them).
            if stream.count > 9 {
                let length = Int(stream[3]) << 8 | Int(stream[4])
                let message = Array(stream[5..<min(5 + length, stream.count)])
                let half = message.count / 2
                let second = [0x06] + varint(half) + varint(message.count - half) + Array(message[half...])
                let firstPart = [0x06, 0x00] + varint(half) + Array(message[..<half])
                seeds.add("FuzzQUICCrypto", pieces([second + [0x01], firstPart + [0, 0, 0]]))
                seeds.add("FuzzQUICCrypto", pieces([[0x06, 0x00] + varint(message.count) + message]))
            }
        }
        let methods = ["GET ", "POST", "HEAD", "PUT ", "CONN", "OPTI"]
        if first.count >= 4, methods.contains(String(decoding: first.prefix(4), as: UTF8.self)) {
            seeds.add("FuzzHTTP", [0xFF] + Array(stream.prefix(1020)) + flow.serverFirst)
        }
        seeds.add("FuzzMTProto", Array(stream.prefix(128)))
        seeds.add("FuzzWhatsApp", [UInt8(min(first.count, 255))] + Array(first.prefix(255)) + flow.serverFirst)
    }
    return 0
}

FuzzInput.run(extract)
