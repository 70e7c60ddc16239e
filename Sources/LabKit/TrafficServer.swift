import Foundation
import PacketCrafting

/// The lab's own servers "on the Internet" and "in the country": MTProto data centres, WhatsApp
/// chat edges and call relays, TLS-shaped long-lived sessions and QUIC responders, on each host's
/// lab addresses. Real TLS web servers are nginx's job (see lab/setup.sh).
public enum TrafficServer {
    /// Binds every server of `region` and serves until killed.
    public static func serve(region: LabRegion, seed: UInt64) throws {
        var bound = 0
        for host in LabPlan.hosts where host.region == region {
            for (index, address) in host.labAddresses.enumerated() {
                let hostSeed = seed &+ UInt64(bound) &* 7919 &+ UInt64(index)
                switch host.role {
                case .mtproto:
                    for port: UInt16 in [443, 80, 5222] {
                        try listenTCP(address, port, seed: hostSeed &+ UInt64(port), handler: mtprotoSession)
                    }
                case .whatsappChat:
                    for port: UInt16 in [5222, 443] {
                        try listenTCP(address, port, seed: hostSeed &+ UInt64(port), handler: whatsAppSession)
                    }
                case .tlsSession:
                    try listenTCP(address, 443, seed: hostSeed, handler: tlsSession)
                case .stun:
                    try serveSTUN(address)
                case .webQUIC:
                    try serveQUIC(address, seed: hostSeed)
                case .web, .resolver:
                    break
                }
                bound += 1
            }
        }
        print("lab-traffic serve: \(region.rawValue) servers up")
        while true { sleep(3600) }
    }

    typealias Handler = @Sendable (TCPConnection, inout DeterministicRandom) -> Void

    static func listenTCP(_ address: HostAddress, _ port: UInt16, seed: UInt64, handler: @escaping Handler) throws {
        let socket = try BoundSocket(tcp: address, port: port)
        startThread {
            var counter: UInt64 = 0
            while true {
                guard let connection = socket.accept() else { continue }
                counter += 1
                let connectionSeed = seed &* 31 &+ counter
                startThread {
                    var random = DeterministicRandom(seed: connectionSeed)
                    handler(connection, &random)
                    connection.close()
                }
            }
        }
    }

    /// Idle connections are dropped after this long without client data.
    static let idleTimeout = 180.0

    /// Obfuscated2: the init block and first frame in, a resPQ-sized encrypted reply out; then one
    /// reply per client frame (pings get pongs, requests get answers).
    static let mtprotoSession: Handler = { connection, random in
        guard let first = try? connection.receive(atLeast: 64, timeout: 30) else { return }
        _ = first
        try? connection.send(random.bytes(92))
        while let data = try? connection.receive(timeout: idleTimeout) {
            try? connection.send(random.bytes(data.count < 64 ? 48 : min(1400, data.count * 2 + 24)))
        }
    }

    /// WhatsApp: the preface, routing header and Noise ClientHello in; ServerHello out; then the
    /// ClientFinish and encrypted frames, each answered.
    static let whatsAppSession: Handler = { connection, random in
        guard (try? connection.receive(atLeast: 4 + 11 + 39, timeout: 30)) != nil else { return }
        try? connection.send(WhatsAppChat.serverHello(random: &random))
        while let data = try? connection.receive(timeout: idleTimeout) {
            try? connection.send(WhatsAppChat.encryptedFrame(random: &random, length: data.count > 200 ? 120 : 12))
        }
    }

    /// TLS-shaped: the ClientHello record in; ServerHello, ChangeCipherSpec and encrypted
    /// handshake records out; then an application-data record per client record.
    static let tlsSession: Handler = { connection, random in
        guard let hello = try? connection.receive(atLeast: 5, timeout: 30), hello.first == 0x16 else { return }
        var flight = TLSHelloBuilder(serverName: "", alpn: [], seed: random.next()).serverHelloRecords
        for size in [32, 2900, 280, 68] {   // EncryptedExtensions, Certificate, CertificateVerify, Finished
            flight += TLSHelloBuilder.record(contentType: 0x17, fragment: random.bytes(size))
        }
        try? connection.send(flight)
        while let data = try? connection.receive(timeout: idleTimeout) {
            let size = data.count > 400 ? 1200 : 40
            try? connection.send(TLSHelloBuilder.record(contentType: 0x17, fragment: random.bytes(size)))
        }
    }

    static func serveSTUN(_ address: HostAddress) throws {
        let socket = try BoundSocket(udp: address, port: 3478)
        startThread {
            while true {
                guard let (datagram, peer, port) = socket.receiveFrom() else { continue }
                if let reply = STUNLab.successResponse(to: datagram, mapped: peer, port: port) {
                    socket.send(reply, to: peer, port: port)
                }
            }
        }
    }

    static func serveQUIC(_ address: HostAddress, seed: UInt64) throws {
        let socket = try BoundSocket(udp: address, port: 443)
        startThread {
            var random = DeterministicRandom(seed: seed)
            while true {
                guard let (datagram, peer, port) = socket.receiveFrom() else { continue }
                if let ids = QUICInitialBuilder.parseInitial(datagram) {
                    let reply = QUICInitialBuilder.serverResponse(clientDCID: ids.dcid, clientSCID: ids.scid, random: &random)
                    socket.send(reply, to: peer, port: port)
                }
            }
        }
    }
}
