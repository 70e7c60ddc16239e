import Foundation
import PacketCrafting

/// The activity switch the scenario runner writes (`active`, `idle` or `stop`): the apps read it
/// before every action, so idle stretches and the end come from the runner's timeline.
public final class ActivityGate: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var cached = "active"
    private var checked = Date.distantPast

    public init(path: String) { self.path = path }

    public var state: String {
        lock.lock()
        defer { lock.unlock() }
        if Date().timeIntervalSince(checked) > 0.2 {
            checked = Date()
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                cached = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return cached
    }

    public var isStopped: Bool { state == "stop" }

    /// Waits while idle; false once stopped.
    public func waitUntilActive() -> Bool {
        while true {
            switch state {
            case "stop": return false
            case "idle": usleep(200_000)
            default: return true
            }
        }
    }

    /// Sleeps `seconds` unless stopped (true) — idle time does not count down.
    public func sleep(_ seconds: Double) -> Bool {
        var left = seconds
        while left > 0 {
            guard waitUntilActive() else { return false }
            let step = min(left, 0.2)
            usleep(UInt32(step * 1_000_000))
            left -= step
        }
        return !isStopped
    }
}

/// The user's phone: apps that behave like Telegram, WhatsApp, Signal, a browser on control and
/// domestic sites, YouTube and Twitter, each on its own thread with its own seeded randomness.
public final class TrafficClient: @unchecked Sendable {
    let profile: ClientProfile
    let gate: ActivityGate
    let resolver: HostAddress
    let dns: DNSStub
    /// When the WhatsApp chat connection last completed its handshake: calls need it (the relay
    /// addresses come over the chat connection).
    private var whatsAppChatUp = Date.distantPast
    private let lock = NSLock()

    public init(profile: ClientProfile, gate: ActivityGate) {
        self.profile = profile
        self.gate = gate
        resolver = profile.ipv6 ? LabPlan.ispResolverV6 : LabPlan.ispResolverV4
        dns = DNSStub(server: resolver)
    }

    /// Starts every app of the profile and returns when the gate says stop.
    public func run() {
        var workers: [(String, (inout DeterministicRandom) -> Double)] = []
        if profile.telegram {
            workers.append(("telegram-main", { self.telegramSession(&$0, dcs: ["tg-dc2", "tg-dc4", "tg-dc1"]) }))
            workers.append(("telegram-media", { self.telegramSession(&$0, dcs: ["tg-dc5", "tg-dc3", "tg-dc2"]) }))
            workers.append(("telegram-web", { self.curl(&$0, name: "web.telegram.org", path: "/", maxTime: 15) ; return 18 }))
        }
        if profile.whatsApp {
            workers.append(("whatsapp-chat", { self.whatsAppSession(&$0) }))
            if profile.mediaEvery > 0 {
                workers.append(("whatsapp-media", {
                    self.curl(&$0, name: "mmg.whatsapp.net", path: "/media/\(self.profile.mediaKB)k.bin", maxTime: 30)
                    return self.profile.mediaEvery
                }))
            }
            workers.append(("whatsapp-web", { self.curl(&$0, name: "web.whatsapp.com", path: "/", maxTime: 15); return 21 }))
            if profile.callEvery > 0 { workers.append(("whatsapp-call", { self.whatsAppCall(&$0) })) }
        }
        if profile.signal {
            workers.append(("signal-chat", { self.signalSession(&$0) }))
            if profile.mediaEvery > 0 {
                workers.append(("signal-cdn", {
                    self.curl(&$0, name: "cdn.signal.org", path: "/media/\(self.profile.mediaKB)k.bin", maxTime: 30)
                    return self.profile.mediaEvery + 5
                }))
            }
        }
        if profile.control {
            workers.append(("control-check", {
                self.curl(&$0, name: "connectivitycheck.gstatic.com", path: "/generate_204", maxTime: 10)
                return 7
            }))
            workers.append(("control-browse", { random in
                let name = random.chance(50) ? "www.google.com" : "www.wikipedia.org"
                if name == "www.google.com" { _ = self.quic(&random, name: name) }
                self.curl(&random, name: name, path: "/", maxTime: 15)
                return Double(random.within(6...10))
            }))
            if profile.controlBulkKB > 0 {
                workers.append(("control-bulk", {
                    self.curl(&$0, name: "upload.wikimedia.org", path: "/media/\(self.profile.controlBulkKB)k.bin", maxTime: 60)
                    return self.profile.controlBulkEvery
                }))
            }
        }
        if profile.domestic {
            workers.append(("domestic", { random in
                let names = ["www.nur.kz", "kaspi.kz", "www.egov.kz"]
                self.curl(&random, name: names[random.below(names.count)], path: "/", maxTime: 15)
                return Double(random.within(7...11))
            }))
        }
        if profile.youtube {
            workers.append(("youtube", { random in
                if !self.quic(&random, name: "www.youtube.com") {
                    self.curl(&random, name: "www.youtube.com", path: "/", maxTime: 15)
                }
                if random.chance(50) {
                    let video = "rr3---sn-4g5e6nsz.googlevideo.com"
                    if !self.quic(&random, name: video) {
                        self.curl(&random, name: video, path: "/media/128k.bin", maxTime: 30)
                    }
                }
                return Double(random.within(8...12))
            }))
        }
        if profile.twitter {
            workers.append(("twitter-video", {
                self.curl(&$0, name: "video.twimg.com", path: "/media/\(self.profile.twitterKB)k.bin", maxTime: 90)
                return self.profile.twitterEvery
            }))
            workers.append(("twitter-web", { self.curl(&$0, name: "twitter.com", path: "/", maxTime: 20); return 12 }))
        }

        let group = DispatchGroup()
        for (index, worker) in workers.enumerated() {
            group.enter()
            let seed = profile.seed &* 1_000_003 &+ UInt64(index) &* 7_777
            let (name, body) = worker
            let box = UncheckedBox((name, body))
            startThread {
                var random = DeterministicRandom(seed: seed)
                // Stagger the start like apps waking up.
                if self.gate.sleep(Double(random.within(0...2000)) / 1000) {
                    while self.gate.waitUntilActive() {
                        let pause = box.value.1(&random)
                        if !self.gate.sleep(pause) { break }
                    }
                }
                group.leave()
            }
        }
        group.wait()
        labLog("client: all apps stopped")
    }

    func log(_ line: String) { labLog(line) }

    func address(_ host: LabHost) -> HostAddress {
        profile.ipv6 ? (host.labV6 ?? host.labV4) : host.labV4
    }

    /// A lookup through the ISP resolver; the addresses, or nil (logged) when it failed.
    func resolve(_ random: inout DeterministicRandom, _ name: String) -> [HostAddress]? {
        var result = dns.lookup(name, ipv6: profile.ipv6, random: &random)
        if profile.ipv6, case .noData = result {
            result = dns.lookup(name, ipv6: false, random: &random)   // no AAAA: fall back to A
        }
        guard case .addresses(let list) = result else {
            log("dns \(name): \(result)")
            return nil
        }
        return list
    }

    // MARK: Telegram

    /// One MTProto obfuscated2 connection straight to a DC (no DNS, no SNI): the init block and
    /// req_pq_multi, the server's answer, then pings and requests until it is rotated or fails.
    func telegramSession(_ random: inout DeterministicRandom, dcs: [String]) -> Double {
        let id = dcs[random.below(dcs.count)]
        let host = LabPlan.host(id)
        let port: UInt16 = random.chance(80) ? 443 : (random.chance(50) ? 80 : 5222)
        let target = address(host)
        let connection: TCPConnection
        do {
            connection = try TCPConnection.connect(to: target, port: port, timeout: 8)
        } catch {
            log("telegram \(id) \(target):\(port) connect: \(error)")
            return Double(random.within(1000...2500)) / 1000
        }
        defer { connection.close() }
        let dcNumber = Int16(id.last!.wholeNumberValue ?? 2)
        var client = MTProtoObfuscatedClient(random: &random, dc: dcNumber)
        let now = UInt32(Date().timeIntervalSince1970)
        do {
            try connection.send(client.initBlock + client.frame(MTProtoObfuscatedClient.requestPQ(random: &random, unixTime: now)))
            _ = try connection.receive(timeout: 8)
        } catch {
            log("telegram \(id) handshake: \(error)")
            return Double(random.within(1000...2500)) / 1000
        }
        let rounds = random.within(3...6)
        for _ in 0..<rounds {
            guard gate.sleep(Double(random.within(4000...8000)) / 1000) else { return 0 }
            let size = random.chance(30) ? 4 * random.within(40...120) : 4 * random.within(6...12)
            do {
                try connection.send(client.frame(random.bytes(size)))
                _ = try connection.receive(timeout: 8)
            } catch {
                log("telegram \(id) keepalive: \(error)")
                return 1
            }
        }
        return Double(random.within(500...1500)) / 1000
    }

    // MARK: WhatsApp

    func whatsAppSession(_ random: inout DeterministicRandom) -> Double {
        let names = ["g.whatsapp.net", "e1.whatsapp.net", "e3.whatsapp.net", "e4.whatsapp.net"]
        let name = names[random.below(names.count)]
        guard let addresses = resolve(&random, name) else { return 3 }
        let target = addresses[random.below(addresses.count)]
        for port: UInt16 in [5222, 443] {
            guard gate.waitUntilActive() else { return 0 }
            let connection: TCPConnection
            do {
                connection = try TCPConnection.connect(to: target, port: port, timeout: 7)
            } catch {
                log("whatsapp \(name) \(target):\(port) connect: \(error)")
                continue
            }
            defer { connection.close() }
            do {
                try connection.send(WhatsAppChat.preface)
                usleep(2000)
                try connection.send(WhatsAppChat.routingAndVersion + WhatsAppChat.clientHello(random: &random))
                _ = try connection.receive(timeout: 8)
                try connection.send(WhatsAppChat.clientFinish(random: &random))
                _ = try connection.receive(timeout: 8)
            } catch {
                log("whatsapp \(name) \(target):\(port) handshake: \(error)")
                continue
            }
            lock.lock()
            whatsAppChatUp = Date()
            lock.unlock()
            for _ in 0..<random.within(3...6) {
                guard gate.sleep(Double(random.within(4000...9000)) / 1000) else { return 0 }
                do {
                    try connection.send(WhatsAppChat.encryptedFrame(random: &random, length: random.chance(25) ? 300 : 8))
                    _ = try connection.receive(timeout: 8)
                } catch {
                    log("whatsapp \(name) keepalive: \(error)")
                    return 1
                }
            }
            return 1
        }
        return 2
    }

    /// A call: STUN to the relay, a burst at set-up and a few keepalives.
    func whatsAppCall(_ random: inout DeterministicRandom) -> Double {
        guard gate.sleep(profile.callEvery * Double(random.within(60...100)) / 100) else { return 0 }
        lock.lock()
        let chatAge = Date().timeIntervalSince(whatsAppChatUp)
        lock.unlock()
        guard chatAge < 90 else {
            log("whatsapp call: no chat connection, no call")
            return 1
        }
        let relay = address(LabPlan.host("wa-relay"))
        guard let socket = try? UDPSocket(to: relay, port: 3478) else { return 5 }
        var answered = 0
        for round in 0..<8 {
            let message = round % 2 == 0 ? STUNLab.whatsAppAllocate(random: &random) : STUNLab.whatsAppBindingRequest(random: &random)
            try? socket.send(message)
            if (try? socket.receive(timeout: 0.5)) != nil { answered += 1 }
        }
        log("whatsapp call via \(relay): \(answered)/8 STUN answers")
        return 1
    }

    // MARK: Signal

    func signalSession(_ random: inout DeterministicRandom) -> Double {
        let name = "chat.signal.org"
        guard let addresses = resolve(&random, name) else { return 3 }
        let target = addresses[random.below(addresses.count)]
        let connection: TCPConnection
        do {
            connection = try TCPConnection.connect(to: target, port: 443, timeout: 8)
        } catch {
            log("signal \(target) connect: \(error)")
            return Double(random.within(1000...3000)) / 1000
        }
        defer { connection.close() }
        do {
            try connection.send(TLSHelloBuilder(serverName: name, alpn: ["http/1.1"], seed: random.next()).clientHelloRecord)
            _ = try connection.receive(atLeast: 100, timeout: 8)
            // ChangeCipherSpec + Finished, then the WebSocket upgrade.
            try connection.send(TLSHelloBuilder.record(contentType: 0x14, fragment: [1])
                                + TLSHelloBuilder.record(contentType: 0x17, fragment: random.bytes(53))
                                + TLSHelloBuilder.record(contentType: 0x17, fragment: random.bytes(480)))
            _ = try connection.receive(timeout: 8)
        } catch {
            log("signal \(target) tls: \(error)")
            return Double(random.within(1000...3000)) / 1000
        }
        for _ in 0..<random.within(3...6) {
            guard gate.sleep(Double(random.within(5000...9000)) / 1000) else { return 0 }
            do {
                try connection.send(TLSHelloBuilder.record(contentType: 0x17, fragment: random.bytes(random.chance(20) ? 700 : 30)))
                _ = try connection.receive(timeout: 8)
            } catch {
                log("signal keepalive: \(error)")
                return 1
            }
        }
        return 1
    }

    // MARK: QUIC

    /// A QUIC v1 Initial to `name` on UDP 443, retransmitted on the usual timer; true when the
    /// server answered.
    func quic(_ random: inout DeterministicRandom, name: String) -> Bool {
        guard let addresses = resolve(&random, name) else { return false }
        let target = addresses[0]
        guard let socket = try? UDPSocket(to: target, port: 443) else { return false }
        let initial = QUICInitialBuilder.clientInitial(serverName: name, random: &random)
        for wait in [0.3, 0.6, 1.2] {
            try? socket.send(initial.datagram)
            if (try? socket.receive(timeout: wait)) != nil {
                log("quic \(name) \(target): answered")
                return true
            }
        }
        log("quic \(name) \(target): no answer")
        return false
    }

    // MARK: curl (a real TLS stack)

    /// A real HTTPS fetch with curl (its own DNS lookup through the namespace's resolv.conf).
    func curl(_ random: inout DeterministicRandom, name: String, path: String, maxTime: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        var arguments = ["-sk", "--connect-timeout", "8", "--max-time", String(maxTime), "-o", "/dev/null",
                         "-w", "%{http_code} %{size_download} %{time_total} %{remote_ip}"]
        // IPv4 scenarios: A lookups and IPv4 only; the IPv6 scenario is dual-stack (curl prefers IPv6).
        if !profile.ipv6 { arguments.append("-4") }
        arguments.append("https://\(name)\(path)")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            log("curl \(name): \(error)")
            return
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        log("curl https://\(name)\(path): exit \(process.terminationStatus) " + String(decoding: output, as: UTF8.self))
    }
}

/// Carries a non-Sendable closure to the one thread that uses it.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
