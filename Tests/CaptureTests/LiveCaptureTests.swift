import Capture
import Foundation
import Testing

@Suite("Live capture: opening interfaces")
struct LiveCaptureTests {
    @Test("opening an interface that does not exist says so, with or without privileges")
    func noSuchInterface() throws {
        let error = #expect(throws: CaptureError.self) {
            _ = try CaptureHandle.openInterface("nosuch0", options: LiveCaptureOptions())
        }
        #expect(error == .noSuchInterface(name: "nosuch0"))
        #expect(error?.description == "no such interface 'nosuch0'")
    }

    @Test("default options: whole packets, promiscuous, not immediate (as tcpdump), 32 MiB buffer, 100 ms timeout")
    func defaults() {
        let o = LiveCaptureOptions()
        #expect(o.snapshotLength == 262_144)
        #expect(o.promiscuous)
        #expect(!o.immediate)
        #expect(o.bufferSize == 32 * 1024 * 1024)
        #expect(o.timeoutMilliseconds == 100)
    }

    @Test("live errors read as one line with a hint where one helps")
    func messages() {
        #expect(CaptureError.interfaceDown(name: "eth9").description
            == "interface 'eth9' is down: bring it up first (ip link set eth9 up)")
        #expect(CaptureError.permissionDenied(interface: "eth0", detail: "socket: Operation not permitted").description
            == "no permission to capture on 'eth0' (socket: Operation not permitted): run as root or grant CAP_NET_RAW: "
            + "sudo setcap cap_net_raw,cap_net_admin+eip $(command -v blockwatch)")
        #expect(CaptureError.liveCaptureFailed(interface: "eth0", detail: "boom").description == "cannot capture on 'eth0': boom")
    }
}

/// Captures on the loopback interface: needs root or CAP_NET_RAW, so it runs only with
/// `BLOCKWATCH_LIVE_TESTS=1` and `swift test` stays hermetic by default.
@Suite("Live capture on loopback", .enabled(if: ProcessInfo.processInfo.environment["BLOCKWATCH_LIVE_TESTS"] == "1"))
struct LoopbackCaptureTests {
    @Test("packets sent to a loopback port are captured with ns timestamps; an idle link calls whenIdle; stop ends the loop",
          arguments: [false, true])
    func loopback(immediate: Bool) throws {
        let port = UInt16.random(in: 20_000...60_000)
        let (handle, _) = try CaptureHandle.openInterface("lo", options: LiveCaptureOptions(immediate: immediate, timeoutMilliseconds: 20))
        try handle.setFilter("udp dst port \(port)")
        #expect(handle.liveOptions?.immediate == immediate)
        let reader = CaptureReader(handle: handle)
        #expect(reader.files.isEmpty)
        #expect(reader.sources == ["lo"])
        let token = reader.stopToken
        let sender = Thread {
            usleep(100_000)
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            for _ in 0..<3 {
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, "ping", 4, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            close(fd)
            usleep(300_000)
            token.breakLoop()
        }
        let before = Int64(Date().timeIntervalSince1970 * 1e9)
        sender.start()
        var times: [Int64] = []
        var idle = 0
        let outcome = try reader.forEachPacket(whenIdle: { idle += 1 }) { packet in
            times.append(packet.timestampNanoseconds)
        }
        #expect(outcome.endedBy == .stopped)
        #expect(times.count == 3)
        #expect(times.allSatisfy { $0 >= before - 1_000_000_000 && $0 <= before + 5_000_000_000 })
        #expect(idle > 0)
        #expect(reader.statistics() != nil)
    }

    @Test("the kernel ring libpcap reads: blocks (TPACKET_V3) by default, one packet at a time (TPACKET_V2) in immediate mode")
    func ringVersion() throws {
        let (blocks, _) = try CaptureHandle.openInterface("lo", options: LiveCaptureOptions())
        #expect(blocks.packetRingVersion == 3)
        let (immediate, _) = try CaptureHandle.openInterface("lo", options: LiveCaptureOptions(immediate: true))
        #expect(immediate.packetRingVersion == 2)
    }

    @Test("without immediate mode an idle link still gives control back: whenIdle runs and a stop ends the loop promptly")
    func idleStop() throws {
        let (handle, _) = try CaptureHandle.openInterface("lo", options: LiveCaptureOptions(timeoutMilliseconds: 100))
        try handle.setFilter("udp dst port 9")   // nothing is sent there: the ring stays empty
        let reader = CaptureReader(handle: handle)
        let token = reader.stopToken
        Thread { usleep(500_000); token.breakLoop() }.start()
        let start = Date()
        var idle = 0
        let outcome = try reader.forEachPacket(whenIdle: { idle += 1 }) { _ in }
        #expect(outcome.endedBy == .stopped)
        #expect(idle >= 2)   // about every 100 ms
        #expect(Date().timeIntervalSince(start) < 3)   // generous: 0.5 s plus one wait
    }
}
