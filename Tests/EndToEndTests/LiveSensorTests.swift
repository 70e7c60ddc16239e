import BlockWatch
import Capture
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `blockwatch live` on real interfaces: needs root (namespaces, capture), so it runs only with
/// `BLOCKWATCH_LIVE_TESTS=1`, as CI sets it. Namespaces and veths are the test's own
/// (`bwlive-…`), never the lab's `bwlab-…`, and are deleted even when a test fails.
@Suite("blockwatch live", .serialized, .enabled(if: ProcessInfo.processInfo.environment["BLOCKWATCH_LIVE_TESTS"] == "1"))
struct LiveSensorTests {
    /// A running `blockwatch live`, its output collected as it comes.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var out = Data(), err = Data()
        init(_ arguments: [String], prefix: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: prefix.isEmpty ? CommandLineTests.executable : prefix[0])
            process.arguments = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [CommandLineTests.executable] + arguments
            let o = Pipe(), e = Pipe()
            process.standardOutput = o
            process.standardError = e
            o.fileHandleForReading.readabilityHandler = { [weak self] h in let d = h.availableData; self?.lock.withLock { self?.out.append(d) } }
            e.fileHandleForReading.readabilityHandler = { [weak self] h in let d = h.availableData; self?.lock.withLock { self?.err.append(d) } }
            try process.run()
        }
        var standardOutput: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
        var standardError: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
        func interrupt() { kill(process.processIdentifier, SIGINT) }
        /// Waits up to `seconds` for the exit; kills it if it does not come.
        func wait(_ seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate(); process.waitUntilExit(); return nil }
            usleep(100_000)   // the last output
            return process.terminationStatus
        }
        var jsonLines: [[String: Any]] {
            standardOutput.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    @discardableResult
    static func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func expectOneLineError(_ run: Running, status: Int32?, containing text: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 1, sourceLocation: sourceLocation)
        let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "\(run.standardError)", sourceLocation: sourceLocation)
        #expect(run.standardError.hasPrefix("blockwatch: "), sourceLocation: sourceLocation)
        #expect(run.standardError.contains(text), "\(run.standardError)", sourceLocation: sourceLocation)
    }

    // MARK: Errors

    @Test("no such interface, interface down, bad filter, no permission: one line each, exit 1")
    func errors() throws {
        let missing = try Running(["live", "-i", "nosuch0"])
        Self.expectOneLineError(missing, status: missing.wait(10), containing: "no such interface 'nosuch0'")

        let tag = String(UInt16.random(in: 0...0xFFF), radix: 16)
        let down = "bwlive\(tag)d"
        defer { Self.sh("ip link del \(down)") }
        #expect(Self.sh("ip link add \(down) type veth peer name bwlive\(tag)e") == 0)
        let isDown = try Running(["live", "-i", down])
        Self.expectOneLineError(isDown, status: isDown.wait(10), containing: "interface '\(down)' is down")

        let badFilter = try Running(["live", "-i", "lo", "tcp", "port", "and"])
        Self.expectOneLineError(badFilter, status: badFilter.wait(10), containing: "bad filter expression 'tcp port and'")

        let unprivileged = try Running(["live", "-i", "lo"], prefix: ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        Self.expectOneLineError(unprivileged, status: unprivileged.wait(10), containing: "no permission to capture on 'lo'")
        #expect(unprivileged.standardError.contains("CAP_NET_RAW"))

        let noUser = try Running(["live", "-i", "lo", "-Z", "no-such-user-bw"])
        Self.expectOneLineError(noUser, status: noUser.wait(10), containing: "no such user 'no-such-user-bw'")

        // A zone the library cannot read is a usage error, found before the capture is opened.
        let badZone = try Running(["live", "-i", "nosuch0", "--tz", "Mars/Olympus"])
        #expect(badZone.wait(10) == 64)
        #expect(badZone.standardError.contains("unknown time zone 'Mars/Olympus'"), "\(badZone.standardError)")
        #expect(!badZone.standardError.contains("no such interface"))
    }

    // MARK: Stopping

    @Test("SIGINT: exit 0, the final report written, capture statistics on stderr; root dropped to nobody")
    func sigint() throws {
        let dir = NSTemporaryDirectory() + "bwlive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Running(["live", "-i", "lo", "--format", "jsonl", "--report", dir + "/report.json", "--report-format", "json",
                               "--html", dir + "/report.html"])
        usleep(1_500_000)
        #expect(run.process.isRunning)
        // Privileges dropped: the capture runs as nobody (no -Z as root).
        let status = (try? String(contentsOfFile: "/proc/\(run.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(whereSeparator: { $0 == "\t" || $0 == " " })
        #expect(uid?.dropFirst().allSatisfy { $0 == "65534" } == true, "\(uid ?? [])")
        let sent = Date()
        run.interrupt()
        let code = run.wait(5)
        #expect(code == 0)
        #expect(Date().timeIntervalSince(sent) < 3)
        let last = run.standardError.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.range(of: #"^\d+ packets received, \d+ dropped by kernel, \d+ dropped by interface$"#, options: .regularExpression) != nil,
                "\(run.standardError)")
        let report = try Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any])
        #expect(json["schema"] as? String == "blockwatch.report/1")
        #expect(run.jsonLines.last?["type"] as? String == "stop")
        // The HTML report too, written after root was given up.
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(html.contains("<html") && html.contains("</html>"))
    }

    @Test("-c N stops after N packets and -w saves exactly those; pcapng by extension")
    func countAndWrite() throws {
        let dir = NSTemporaryDirectory() + "bwlive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = UInt16.random(in: 20_000...60_000)
        let run = try Running(["live", "-i", "lo", "-c", "5", "-Z", "root", "-w", dir + "/c.pcapng", "udp", "port", "\(port)"])
        usleep(700_000)
        for _ in 0..<20 { Self.sh("bash -c 'printf x > /dev/udp/127.0.0.1/\(port)'") }
        #expect(run.wait(10) == 0)
        #expect(run.standardError.contains("packets received"))
        let reader = try CaptureReaderForTests.count(dir + "/c.pcapng")
        #expect(reader.packets == 5)
        #expect(reader.format == "pcapng")
    }

    @Test("a rotated file the dropped user cannot create: a warning, the analysis goes on, the final report, exit 1")
    func rotationAfterDrop() throws {
        let dir = NSTemporaryDirectory() + "bwlive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])   // root's only
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = UInt16.random(in: 20_000...60_000)
        let run = try Running(["live", "-i", "lo", "-Z", "nobody", "-w", dir + "/r-%H%M%S.pcap", "-G", "1", "--duration", "4",
                               "--format", "jsonl", "udp", "port", "\(port)"])
        for _ in 0..<30 {
            Self.sh("bash -c 'printf x > /dev/udp/127.0.0.1/\(port)'")
            usleep(150_000)
        }
        #expect(run.wait(15) == 1)
        #expect(run.standardError.contains("warning: cannot write capture"))
        #expect(run.standardError.contains("saving stopped, the analysis goes on"))
        #expect(run.standardError.split(separator: "\n").last?.hasPrefix("blockwatch: cannot write capture") == true)
        let stop = try #require(run.jsonLines.last { $0["type"] as? String == "stop" })
        #expect((stop["packets"] as? Int ?? 0) > 10)   // packets after the failure were still analysed
        #expect((stop["files"] as? [String])?.count == 1)
    }
}

extension LiveSensorTests {
    // MARK: Delivery: blocks by default, --immediate-mode

    @Test("--duration 1 on an idle link stops promptly, exit 0, with blocks (the default) and with --immediate-mode",
          arguments: [[], ["--immediate-mode"], ["--buffer-timeout", "250"]])
    func idleDuration(extra: [String]) throws {
        let tag = String(UInt16.random(in: 0...0xFFF), radix: 16)
        let namespace = "bwlive-idle-\(tag)", link = "bwlive\(tag)i"
        defer { Self.sh("ip netns del \(namespace)") }   // takes the veth with it
        for command in ["ip netns add \(namespace)", "ip -n \(namespace) link add \(link) type veth peer name \(link)p",
                        "ip -n \(namespace) link set \(link) up", "ip -n \(namespace) link set \(link)p up"] {
            try #require(Self.sh(command) == 0, "\(command)")
        }
        // Only the start-up time of the process is outside the measured second.
        let run = try Running(["live", "-i", link, "-Z", "root", "--format", "jsonl", "--duration", "1",
                               "udp", "port", "9"] + extra,
                              prefix: ["/usr/sbin/ip", "netns", "exec", namespace])
        let start = Date()
        let code = run.wait(10)
        let elapsed = Date().timeIntervalSince(start)
        #expect(code == 0, "\(run.standardError)")
        #expect(elapsed < 3, "stopped after \(elapsed) s")   // about 1.1 s plus start-up; generous
        #expect(run.jsonLines.last?["type"] as? String == "stop")
    }
}

/// Options that need no capture: checked before anything is opened.
@Suite("blockwatch live: options")
struct LiveOptionTests {
    @Test("--buffer-timeout takes 1 to 1000 ms; --immediate-mode and --buffer-timeout are in the help")
    func bufferTimeout() throws {
        #expect(try CommandLineTests.blockwatch("live", "-i", "lo", "--buffer-timeout", "0").status == 64)
        #expect(try CommandLineTests.blockwatch("live", "-i", "lo", "--buffer-timeout", "1001").status == 64)
        let help = try CommandLineTests.blockwatch("live", "--help").standardOutput
        #expect(help.contains("--immediate-mode") && help.contains("--buffer-timeout"))
    }

    @Test("a request captures in blocks with a 100 ms buffer timeout unless immediate mode is asked for")
    func requestOptions() {
        var request = LiveRequest(interface: "eth0")
        #expect(!request.options.immediate)
        #expect(request.options.timeoutMilliseconds == 100)
        request.immediateMode = true
        request.bufferTimeoutMilliseconds = 250
        #expect(request.options.immediate)
        #expect(request.options.timeoutMilliseconds == 250)
    }
}

/// Counting packets of a saved file through the library, and telling pcapng by its magic.
enum CaptureReaderForTests {
    static func count(_ path: String) throws -> (packets: Int, format: String) {
        let reader = try CaptureReader(paths: [path])
        var packets = 0
        _ = try reader.forEachPacket { _ in packets += 1 }
        let magic = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).readData(ofLength: 4)
        return (packets, magic == Data([0x0A, 0x0D, 0x0D, 0x0A]) ? "pcapng" : "pcap")
    }
}

// MARK: - The scenario: block one service, restore it, cut everything

/// setns(2): Glibc's module map leaves it out (it is a _GNU_SOURCE function).
@_silgen_name("setns") func bw_setns(_ fd: Int32, _ type: Int32) -> Int32

/// Two namespaces joined by a veth: a client, and a "network" whose loopback holds the public
/// addresses of a few services (in the test's own namespace: nothing leaves the machine).
/// The censor is iptables in the network namespace.
final class LiveNetwork: @unchecked Sendable {
    let client: String, server: String, clientLink: String, serverLink: String
    static let telegram = ["149.154.167.51", "149.154.175.50", "91.108.56.130"]
    static let control = ["91.198.174.192", "91.198.174.208", "173.245.48.10", "141.101.64.10"]
    static let other = ["104.244.42.65"]
    static var all: [String] { telegram + control + other }

    private let lock = NSLock()
    private var stopping = false
    private var threads: [Thread] = []
    var isStopping: Bool { lock.withLock { stopping } }

    init() throws {
        let tag = String(UInt16.random(in: 0...0xFFF), radix: 16)
        client = "bwlive-c-\(tag)"; server = "bwlive-s-\(tag)"
        clientLink = "bwlive\(tag)c"; serverLink = "bwlive\(tag)s"
        let setup = [
            "ip netns add \(client)", "ip netns add \(server)",
            "ip link add \(clientLink) type veth peer name \(serverLink)",
            "ip link set \(clientLink) netns \(client)", "ip link set \(serverLink) netns \(server)",
            "ip -n \(client) addr add 10.77.0.2/24 dev \(clientLink)", "ip -n \(client) link set \(clientLink) up",
            "ip -n \(client) link set lo up", "ip -n \(client) route add default via 10.77.0.1",
            "ip -n \(server) addr add 10.77.0.1/24 dev \(serverLink)", "ip -n \(server) link set \(serverLink) up",
            "ip -n \(server) link set lo up",
        ] + Self.all.map { "ip -n \(server) addr add \($0)/32 dev lo" }
        for command in setup where LiveSensorTests.sh(command) != 0 {
            tearDown()
            throw CocoaError(.featureUnsupported, userInfo: [NSDebugDescriptionErrorKey: "lab setup failed: \(command)"])
        }
    }

    func tearDown() {
        lock.withLock { stopping = true }
        while threads.contains(where: { !$0.isFinished }) { usleep(20_000) }
        LiveSensorTests.sh("ip netns del \(client)")
        LiveSensorTests.sh("ip netns del \(server)")
    }

    func censor(_ rules: [String]) {
        LiveSensorTests.sh("ip netns exec \(server) iptables -F INPUT")
        for rule in rules { LiveSensorTests.sh("ip netns exec \(server) iptables -A INPUT \(rule)") }
    }

    /// Moves the calling thread into a namespace (setns is per thread).
    static func enter(_ namespace: String) -> Bool {
        let fd = open("/run/netns/\(namespace)", O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bw_setns(fd, 0x4000_0000) == 0   // CLONE_NEWNET
    }

    static func address(_ text: String, port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        inet_pton(AF_INET, text, &a.sin_addr)
        return a
    }

    /// The servers: accept on port 443 of every address, send 300 bytes, close.
    func startServer() {
        let thread = Thread { [self] in
            guard LiveNetwork.enter(server) else { return }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var any = LiveNetwork.address("0.0.0.0", port: 443)
            _ = withUnsafePointer(to: &any) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            listen(fd, 128)
            let reply = [UInt8](repeating: 0x42, count: 300)
            while !isStopping {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 200) > 0 else { continue }
                let c = accept(fd, nil, nil)
                if c >= 0 { _ = reply.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }; close(c) }
            }
            close(fd)
        }
        threads.append(thread)
        thread.start()
    }

    /// One client per server address: connect (2 s timeout), read the reply, close, pause 1 s.
    func startClients() {
        for target in Self.all {
            let thread = Thread { [self] in
                guard LiveNetwork.enter(client) else { return }
                while !isStopping {
                    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                    var a = LiveNetwork.address(target, port: 443)
                    _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&p, 1, 2000) > 0 {
                        var buffer = [UInt8](repeating: 0, count: 512)
                        var r = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                        if poll(&r, 1, 1000) > 0 { _ = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
                    }
                    close(fd)
                    usleep(1_000_000)
                }
            }
            threads.append(thread)
            thread.start()
        }
    }
}

extension LiveSensorTests {
    @Test("block telegram, restore it, cut everything: an alert within two bins of each change; the final report agrees",
          .timeLimit(.minutes(5)))
    func scenario() throws {
        let bin = 20.0
        // The censor is iptables (lab/deps.sh installs it, as CI's lab self-test does).
        try #require(Self.sh("command -v iptables") == 0, "iptables is needed for the censor (apt-get install iptables)")
        let net = try LiveNetwork()
        defer { net.tearDown() }
        let dir = NSTemporaryDirectory() + "bwlive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        net.censor([])
        net.startServer()
        net.startClients()
        let run = try Running(["live", "-i", net.clientLink, "--bin", "\(Int(bin))s", "--format", "jsonl",
                               "--report", dir + "/report.json", "--report-format", "json", "-w", dir + "/live.pcap", "tcp"],
                              prefix: ["/usr/sbin/ip", "netns", "exec", net.client])
        defer { if run.process.isRunning { run.process.terminate() } }

        func changes() -> [(time: Double, subject: String, to: String, mechanism: String?)] {
            run.jsonLines.filter { $0["type"] as? String == "change" }.map {
                ($0["time"] as? Double ?? 0, $0["subject"] as? String ?? "", $0["to"] as? String ?? "", $0["mechanism"] as? String)
            }
        }
        /// Waits (at most two bins and the judge window) for a change after `since`; returns it.
        func awaitChange(after since: Double, _ match: (String, String) -> Bool) -> (time: Double, subject: String, to: String, mechanism: String?)? {
            let deadline = Date(timeIntervalSince1970: since + 2 * bin + 2)
            while Date() < deadline {
                if let c = changes().first(where: { $0.time > since && match($0.subject, $0.to) }) { return c }
                usleep(250_000)
            }
            return changes().first { $0.time > since && match($0.subject, $0.to) }
        }

        usleep(UInt32(2 * bin * 1_000_000))   // a baseline: everything answers
        let blockAt = Date().timeIntervalSince1970
        net.censor(LiveNetwork.telegram.map { "-d \($0) -j DROP" })
        let blocked = try #require(awaitChange(after: blockAt) { $0 == "telegram" && ($1 == "blocked" || $1 == "partially-blocked") },
                                   "no telegram alert: \(run.standardOutput)")
        #expect(blocked.time - blockAt <= 2 * bin)
        usleep(UInt32(max(0, blockAt + 2.5 * bin - Date().timeIntervalSince1970) * 1_000_000))

        let restoreAt = Date().timeIntervalSince1970
        net.censor([])
        let restored = try #require(awaitChange(after: restoreAt) { $0 == "telegram" && $1 == "ok" }, "no restore alert: \(run.standardOutput)")
        #expect(restored.time - restoreAt <= 2 * bin)
        usleep(UInt32(max(0, restoreAt + 2 * bin - Date().timeIntervalSince1970) * 1_000_000))

        let cutAt = Date().timeIntervalSince1970
        net.censor(["-i \(net.serverLink) -j DROP"])
        let cut = try #require(awaitChange(after: cutAt) { $0 == "network" && $1 == "cutoff" }, "no cutoff alert: \(run.standardOutput)")
        #expect(cut.time - cutAt <= 2 * bin)
        #expect(cut.mechanism == "total-cutoff")

        // For the CI log: how long each alert took.
        print("live scenario, \(Int(bin)) s bins: alerts \(Int(blocked.time - blockAt)) s after the block, "
              + "\(Int(restored.time - restoreAt)) s after the restore, \(Int(cut.time - cutAt)) s after the cutoff")
        run.interrupt()
        #expect(run.wait(10) == 0)
        #expect(run.standardError.contains("dropped by kernel"))
        // Nothing but telegram was called blocked, and telegram only while it was.
        let all = changes()
        #expect(!all.contains { $0.subject != "telegram" && $0.subject != "network" && ($0.to == "blocked" || $0.to == "partially-blocked") },
                "\(all)")
        #expect(!all.contains { $0.subject == "network" && $0.to == "cutoff" && $0.time < cutAt })
        #expect(run.jsonLines.contains { $0["type"] as? String == "bin" && ($0["packets"] as? Int ?? 0) > 0 })

        // The final report agrees: telegram blocked by ip-blackhole, a total cutoff.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as? [String: Any])
        let services = report["services"] as? [[String: Any]] ?? []
        let telegram = try #require(services.first { $0["service"] as? String == "telegram" })
        #expect(telegram["verdict"] as? String == "blocked")
        let events = telegram["events"] as? [[String: Any]] ?? []
        #expect(events.contains { $0["mechanism"] as? String == "ip-blackhole" })
        for control in ["wikipedia", "cloudflare"] {
            let verdict = services.first { $0["service"] as? String == control }?["verdict"] as? String
            #expect(verdict == "ok", "\(control): \(verdict ?? "none")")
        }
        let network = (report["network"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
        #expect(network.contains { $0["state"] as? String == "cutoff" })
        // And the packets were saved.
        #expect(try CaptureReaderForTests.count(dir + "/live.pcap").packets > 100)
    }
}
