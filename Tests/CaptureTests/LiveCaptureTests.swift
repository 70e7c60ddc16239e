import Capture
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

    @Test("default options: whole packets, promiscuous, immediate, 32 MiB buffer, 100 ms timeout")
    func defaults() {
        let o = LiveCaptureOptions()
        #expect(o.snapshotLength == 262_144)
        #expect(o.promiscuous)
        #expect(o.immediate)
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
