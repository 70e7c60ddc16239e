// The C funnel: every `pcap_*` call of the project is in this file, and nowhere else.
//
// Each function is a thin, typed wrapper. Pointers returned by libpcap (`pcap_t *`, packet headers and
// data) are only ever used while the owning `CaptureHandle` / `CaptureWriter` is alive; the comments at
// each call say why a given use is safe.

import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `pcap_init(PCAP_CHAR_ENC_UTF_8)` exactly once per process (a global `let` is initialised
/// lazily and atomically by the Swift runtime). UTF-8 makes error texts and device names UTF-8.
private let libpcapInitialised: Bool = {
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
    // Safety: `errbuf` is PCAP_ERRBUF_SIZE bytes as pcap_init requires, and lives across the call.
    return errbuf.withUnsafeMutableBufferPointer { pcap_init(PCAP_CHAR_ENC_UTF_8, $0.baseAddress) } == 0
}()

@usableFromInline
enum Libpcap {
    @usableFromInline typealias Handle = OpaquePointer   // pcap_t *

    /// Return codes of `pcap_next_ex` and `pcap_activate` the callers need by name.
    @usableFromInline static let packetRead: Int32 = 1
    @usableFromInline static let timedOut: Int32 = 0
    @usableFromInline static let loopBroken: Int32 = PCAP_ERROR_BREAK   // end of file, or pcap_breakloop
    static let nanosecondPrecision = Int32(PCAP_TSTAMP_PRECISION_NANO)
    static let noSuchDevice: Int32 = PCAP_ERROR_NO_SUCH_DEVICE
    static let interfaceNotUp: Int32 = PCAP_ERROR_IFACE_NOT_UP
    static let permissionDenied: Int32 = PCAP_ERROR_PERM_DENIED
    static let promiscuousPermissionDenied: Int32 = PCAP_ERROR_PROMISC_PERM_DENIED

    static func initialise() { _ = libpcapInitialised }

    // MARK: Opening

    /// `pcap_open_offline_with_tstamp_precision(path, NANO)`: pcap and pcapng, µs or ns, all delivered in ns.
    static func openOffline(_ path: String) -> Result<Handle, LibpcapFailure> {
        initialise()
        return withErrorBuffer { errbuf in
            pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), errbuf)
        }
    }

    static func create(_ device: String) -> Result<Handle, LibpcapFailure> {
        initialise()
        return withErrorBuffer { errbuf in pcap_create(device, errbuf) }
    }

    /// Applies the options to a created, not yet activated handle. Returns the option that failed, if any.
    static func configure(_ p: Handle, _ o: LiveCaptureOptions) -> String? {
        if pcap_set_snaplen(p, Int32(clamping: o.snapshotLength)) != 0 { return "snapshot length \(o.snapshotLength)" }
        if pcap_set_promisc(p, o.promiscuous ? 1 : 0) != 0 { return "promiscuous mode" }
        if pcap_set_immediate_mode(p, o.immediate ? 1 : 0) != 0 { return "immediate mode" }
        if pcap_set_buffer_size(p, Int32(clamping: o.bufferSize)) != 0 { return "buffer size \(o.bufferSize)" }
        if pcap_set_timeout(p, Int32(clamping: o.timeoutMilliseconds)) != 0 { return "timeout \(o.timeoutMilliseconds) ms" }
        // Not every platform/device offers ns; if refused we keep µs and scale (see `nanosecondsPerTick`).
        _ = pcap_set_tstamp_precision(p, nanosecondPrecision)
        return nil
    }

    /// `pcap_activate`: 0 = fine, > 0 = activated with a warning, < 0 = failed (a PCAP_ERROR_* code).
    static func activate(_ p: Handle) -> Int32 { pcap_activate(p) }

    /// How many nanoseconds one unit of `ts.tv_usec` is on this handle: 1 (ns precision) or 1000 (µs).
    static func nanosecondsPerTick(_ p: Handle) -> Int64 {
        pcap_get_tstamp_precision(p) == nanosecondPrecision ? 1 : 1000
    }

    /// Text for a `pcap_activate`/`pcap_next_ex` status code, e.g. "No such device exists".
    static func statusText(_ code: Int32) -> String { String(cString: pcap_statustostr(code)) }

    /// The handle's last error text (`pcap_geterr`).
    static func lastError(_ p: Handle) -> String { String(cString: pcap_geterr(p)) }

    /// Names of all capture devices libpcap knows (network interfaces plus pseudo-devices like `any`).
    static func deviceNames() -> [String] {
        initialise()
        var list: UnsafeMutablePointer<pcap_if_t>? = nil
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        // Safety: errbuf is PCAP_ERRBUF_SIZE bytes; the list is walked before pcap_freealldevs frees it.
        let rc = errbuf.withUnsafeMutableBufferPointer { pcap_findalldevs(&list, $0.baseAddress) }
        guard rc == 0 else { return [] }
        defer { pcap_freealldevs(list) }
        var names: [String] = []
        var node = list
        while let n = node {
            if let name = n.pointee.name { names.append(String(cString: name)) }
            node = n.pointee.next
        }
        return names
    }

    /// `pcap_setnonblock(p, 1)`: reads return 0 at once when nothing is waiting (see `waitForPackets`).
    static func setNonBlocking(_ p: Handle) -> String? {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        // Safety: errbuf is PCAP_ERRBUF_SIZE bytes and outlives the call.
        return errbuf.withUnsafeMutableBufferPointer { buffer -> String? in
            pcap_setnonblock(p, 1, buffer.baseAddress) == 0 ? nil : String(cString: buffer.baseAddress!)
        }
    }

    /// Waits until the live handle has packets (true) or `milliseconds` pass (false), by polling its
    /// selectable descriptor. With libpcap 1.10 on Linux a *blocking* read never returns on the read
    /// timeout, so live handles are non-blocking and wait here instead, which gives the loop control
    /// back while the link is idle. Returns true when there is no descriptor to wait on.
    static func waitForPackets(_ p: Handle, milliseconds: Int32) -> Bool {
        let fd = pcap_get_selectable_fd(p)
        guard fd >= 0 else { return true }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) != 0   // readable, error or hang-up: let the read report it
    }

    static func close(_ p: Handle) { pcap_close(p) }

    // MARK: Properties

    static func datalink(_ p: Handle) -> Int32 { pcap_datalink(p) }
    static func snapshot(_ p: Handle) -> Int32 { pcap_snapshot(p) }

    /// `pcap_datalink_val_to_name`, e.g. "EN10MB"; nil for values libpcap has no name for.
    static func linkTypeName(_ dlt: Int32) -> String? {
        pcap_datalink_val_to_name(dlt).map { String(cString: $0) }
    }

    /// `pcap_datalink_val_to_description`, e.g. "Ethernet"; nil for values libpcap has no name for.
    static func linkTypeDescription(_ dlt: Int32) -> String? {
        pcap_datalink_val_to_description(dlt).map { String(cString: $0) }
    }

    /// Bytes of the capture file read so far (`ftell(pcap_file(p))`); nil for live handles and pipes.
    static func fileOffset(_ p: Handle) -> Int64? {
        guard let file = pcap_file(p) else { return nil }
        let offset = ftello(file)
        return offset < 0 ? nil : Int64(offset)
    }

    /// The descriptor of a capture file's FILE (`fileno(pcap_file(p))`); nil for live handles.
    static func fileDescriptor(_ p: Handle) -> Int32? {
        guard let file = pcap_file(p) else { return nil }
        let descriptor = fileno(file)
        return descriptor < 0 ? nil : descriptor
    }

    /// Positions a capture file's FILE at `offset` (`fseeko`), so the next `pcap_next_ex` reads the
    /// record there. libpcap keeps no other read state for classic pcap files. Returns the
    /// system's error text on failure.
    static func seekFile(_ p: Handle, to offset: Int64) -> String? {
        guard let file = pcap_file(p) else { return "not a capture file" }
        return fseeko(file, off_t(offset), SEEK_SET) == 0 ? nil : systemErrorText(errno)
    }

    /// `pcap_stats`; nil where libpcap has none (capture files).
    static func statistics(_ p: Handle) -> pcap_stat? {
        var stats = pcap_stat()
        return pcap_stats(p, &stats) == 0 ? stats : nil
    }

    /// Safe to call from any thread or a signal handler while the handle is open (libpcap documents
    /// this; on Linux it also wakes a blocked poll through an eventfd). `BreakLoopToken` guarantees the
    /// handle is still open.
    static func breakLoop(_ p: Handle) { pcap_breakloop(p) }

    // MARK: Filter

    /// `pcap_compile` (optimised, netmask unknown) + `pcap_setfilter` + `pcap_freecode`.
    /// Returns libpcap's error text on failure.
    static func setFilter(_ p: Handle, _ expression: String) -> String? {
        var program = bpf_program()
        guard pcap_compile(p, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else { return lastError(p) }
        // Safety: `program` was filled by pcap_compile; pcap_setfilter copies it, so freeing right after is fine.
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(p, &program) == 0 else { return lastError(p) }
        return nil
    }

    /// Compiles `expression` for packets of `linkType` without a capture (`pcap_open_dead`,
    /// `pcap_compile`, `pcap_close`), for `pcap_offline_filter`. The program is the caller's to free
    /// with `freeProgram`. Returns libpcap's error text on failure.
    static func compileProgram(_ expression: String, linkType: Int32) -> Result<UnsafeMutablePointer<bpf_program>, LibpcapFailure> {
        initialise()
        guard let dead = pcap_open_dead(linkType, 262_144) else { return .failure(LibpcapFailure(text: "cannot compile filters")) }
        defer { pcap_close(dead) }
        let program = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
        program.initialize(to: bpf_program())
        guard pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            program.deallocate()
            return .failure(LibpcapFailure(text: lastError(dead)))
        }
        return .success(program)
    }

    /// `pcap_freecode` and the program's memory.
    static func freeProgram(_ program: UnsafeMutablePointer<bpf_program>) {
        pcap_freecode(program)
        program.deallocate()
    }

    /// `pcap_offline_filter`: whether the packet (`capturedLength` bytes at `data`) matches.
    @inlinable @inline(__always)
    static func matches(_ program: UnsafePointer<bpf_program>, capturedLength: Int, originalLength: Int,
                        data: UnsafePointer<UInt8>) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(truncatingIfNeeded: capturedLength)
        header.len = UInt32(truncatingIfNeeded: originalLength)
        // Safety: the filter reads at most `caplen` bytes of `data`, which the caller guarantees.
        return pcap_offline_filter(program, &header, data) != 0
    }

    // MARK: Reading (hot path)

    /// `pcap_next_ex`. On 1 the two out-pointers point into libpcap's buffer for this handle, valid
    /// until the next read on it (or its close).
    @inlinable @inline(__always)
    static func next(
        _ p: Handle,
        _ header: inout UnsafeMutablePointer<pcap_pkthdr>?,
        _ data: inout UnsafePointer<UInt8>?
    ) -> Int32 {
        pcap_next_ex(p, &header, &data)
    }

    // MARK: Writing

    static func openDead(linkType: Int32, snapshotLength: Int32) -> Handle? {
        initialise()
        return pcap_open_dead_with_tstamp_precision(linkType, snapshotLength, UInt32(PCAP_TSTAMP_PRECISION_NANO))
    }

    /// `pcap_dump_fopen`: writes the file header to `file`; on success the dumper owns `file`.
    static func dumpOpen(_ dead: Handle, _ file: UnsafeMutablePointer<FILE>) -> Result<OpaquePointer, LibpcapFailure> {
        if let dumper = pcap_dump_fopen(dead, file) { return .success(dumper) }
        return .failure(LibpcapFailure(text: lastError(dead)))
    }

    /// Writes one record. `header.ts.tv_usec` carries nanoseconds because the dead handle is ns-precision.
    static func dump(_ dumper: OpaquePointer, _ header: inout pcap_pkthdr, _ bytes: UnsafePointer<UInt8>) {
        // Safety: pcap_dump takes the dumper as its `u_char *user` argument by design; `bytes` holds
        // at least `header.caplen` bytes (the caller guarantees it).
        pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, bytes)
    }

    /// `pcap_dump_flush`; false if stdio reported an error.
    static func dumpFlush(_ dumper: OpaquePointer) -> Bool {
        guard pcap_dump_flush(dumper) == 0 else { return false }
        guard let file = pcap_dump_file(dumper) else { return true }
        return ferror(file) == 0
    }

    /// `pcap_dump_close`: flushes and fcloses the dumper's FILE.
    static func dumpClose(_ dumper: OpaquePointer) { pcap_dump_close(dumper) }

    // MARK: Helpers

    private static func withErrorBuffer(
        _ body: (UnsafeMutablePointer<CChar>) -> Handle?
    ) -> Result<Handle, LibpcapFailure> {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        // Safety: errbuf is PCAP_ERRBUF_SIZE bytes, as every libpcap errbuf parameter requires,
        // and outlives the call; it is NUL-terminated by libpcap (and zero-filled beforehand).
        return errbuf.withUnsafeMutableBufferPointer { buffer -> Result<Handle, LibpcapFailure> in
            let base = buffer.baseAddress!
            if let handle = body(base) { return .success(handle) }
            return .failure(LibpcapFailure(text: String(cString: base)))
        }
    }
}

/// A libpcap failure before it is turned into a `CaptureError`.
struct LibpcapFailure: Error {
    var text: String
}
