#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpcap handle: a capture file (pcap or pcapng) or a live interface.
///
/// Not `Sendable`: a handle is read on one thread. To stop a loop from elsewhere, hand over its
/// `breakLoopToken`, which is.
public final class CaptureHandle {
    /// The `pcap_t *`. Safety: owned by this object; closed exactly once, in deinit, after the
    /// break-loop token was detached. Readers keep the handle alive while they use the pointer.
    @usableFromInline let pcap: OpaquePointer
    /// The file path, or the interface name.
    public let source: String
    /// Whether this is a live interface rather than a file.
    public let isLive: Bool
    /// The file's size in bytes when opened; nil for live captures, pipes and standard input.
    public let fileSize: Int64?
    /// 1 when `ts.tv_usec` holds ns (always for files), 1000 when a live device only offers µs.
    @usableFromInline let nanosecondsPerTick: Int64
    /// The BPF expression set with `setFilter`, if any.
    public private(set) var filter: String?
    /// Ends a loop reading this handle, from any thread.
    public let breakLoopToken: BreakLoopToken
    /// Live handles: how long one idle wait lasts (the read timeout) before the loop's `whenIdle`.
    private let idleWaitMilliseconds: Int32
    /// Live handles: the options it was opened with; nil for files.
    public let liveOptions: LiveCaptureOptions?

    private init(pcap: OpaquePointer, source: String, isLive: Bool, fileSize: Int64?,
                 idleWaitMilliseconds: Int32 = 0, liveOptions: LiveCaptureOptions? = nil) {
        self.pcap = pcap
        self.source = source
        self.isLive = isLive
        self.fileSize = fileSize
        self.idleWaitMilliseconds = idleWaitMilliseconds
        self.liveOptions = liveOptions
        self.nanosecondsPerTick = Libpcap.nanosecondsPerTick(pcap)
        self.breakLoopToken = BreakLoopToken(pcap: pcap)
    }

    deinit {
        breakLoopToken.detach()
        Libpcap.close(pcap)
    }

    // MARK: Opening

    /// Opens a pcap or pcapng file (µs or ns; timestamps are always delivered in ns). `-` reads
    /// standard input, as in tcpdump.
    public static func openFile(_ path: String) throws(CaptureError) -> CaptureHandle {
        var fileSize: Int64? = nil
        if path != "-" {
            // Checked here, before libpcap, so each situation gets its own clear message.
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw .cannotRead(path: path, reason: systemErrorText(errno))
            }
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR { throw .isDirectory(path: path) }
            if type == S_IFREG {
                if info.st_size == 0 { throw .emptyFile(path: path) }
                fileSize = Int64(info.st_size)
            }
        }
        switch Libpcap.openOffline(path) {
        case .success(let pcap):
            return CaptureHandle(pcap: pcap, source: path, isLive: false, fileSize: fileSize)
        case .failure(let failure):
            throw openError(path: path, libpcapText: failure.text)
        }
    }

    /// Opens a network interface for live capture (`pcap_create`, the options, `pcap_activate`).
    /// Returns libpcap's warning, if activation succeeded with one (e.g. promiscuous mode unsupported).
    public static func openInterface(
        _ name: String,
        options: LiveCaptureOptions = LiveCaptureOptions()
    ) throws(CaptureError) -> (CaptureHandle, warning: String?) {
        let pcap: OpaquePointer
        switch Libpcap.create(name) {
        case .success(let p): pcap = p
        case .failure(let failure): throw .liveCaptureFailed(interface: name, detail: failure.text)
        }
        if let option = Libpcap.configure(pcap, options) {
            let text = Libpcap.lastError(pcap)
            Libpcap.close(pcap)
            throw .liveCaptureFailed(interface: name, detail: "cannot set \(option)\(text.isEmpty ? "" : ": \(text)")")
        }
        let status = Libpcap.activate(pcap)
        if status < 0 {
            let error = activationError(name: name, status: status, text: Libpcap.lastError(pcap))
            Libpcap.close(pcap)
            throw error
        }
        var warning: String? = nil
        if status > 0 {
            let text = Libpcap.lastError(pcap)
            warning = "capture on '\(name)': " + (text.isEmpty ? Libpcap.statusText(status) : text)
        }
        // Non-blocking, so an idle link hands control back to the loop (see Libpcap.waitForPackets).
        if let text = Libpcap.setNonBlocking(pcap) {
            Libpcap.close(pcap)
            throw .liveCaptureFailed(interface: name, detail: "cannot set non-blocking mode: \(text)")
        }
        let wait = Int32(clamping: max(1, options.timeoutMilliseconds))
        let handle = CaptureHandle(pcap: pcap, source: name, isLive: true, fileSize: nil,
                                   idleWaitMilliseconds: wait, liveOptions: options)
        return (handle, warning)
    }

    // MARK: Using

    /// Keeps only packets matching the BPF `expression` (tcpdump syntax). libpcap applies it inside
    /// the read, so filtered-out packets cost no callback.
    public func setFilter(_ expression: String) throws(CaptureError) {
        if let text = Libpcap.setFilter(pcap, expression) {
            throw .badFilter(expression: expression, detail: Self.filterDetail(text))
        }
        filter = expression
    }

    /// The link-layer type of the packets (`pcap_datalink`, a DLT_ value).
    public var linkType: LinkType { LinkType(rawValue: Libpcap.datalink(pcap)) }

    /// The snapshot length: the most bytes kept of any packet.
    public var snapshotLength: Int { Int(Libpcap.snapshot(pcap)) }

    /// `pcap_stats` for live captures; nil for files.
    public func statistics() -> CaptureStatistics? {
        guard isLive, let s = Libpcap.statistics(pcap) else { return nil }
        return CaptureStatistics(
            received: Int(s.ps_recv), droppedByKernel: Int(s.ps_drop), droppedByInterface: Int(s.ps_ifdrop))
    }

    /// Linux live handles: the kernel packet ring libpcap reads, 3 (TPACKET_V3: packets handed over
    /// in blocks, one wakeup per block) or 2 (TPACKET_V2: one per packet, as in immediate mode).
    /// nil for files and elsewhere.
    public var packetRingVersion: Int? { isLive ? Libpcap.packetRingVersion(pcap) : nil }

    /// For files: how many bytes of the file were read so far (for progress). nil for live/pipes.
    public var bytesConsumed: Int64? { Libpcap.fileOffset(pcap) }

    /// Live handles: waits up to the read timeout for packets; false if none came (the link is idle).
    @usableFromInline
    func waitForPackets() -> Bool {
        Libpcap.waitForPackets(pcap, milliseconds: idleWaitMilliseconds)
    }

    /// libpcap's text for the last error on this handle.
    var lastErrorText: String { Libpcap.lastError(pcap) }

    // MARK: Error mapping

    private static func openError(path: String, libpcapText text: String) -> CaptureError {
        if text.contains("unknown file format") { return .notACapture(path: path, detail: text) }
        if text.contains("different from the type of the first interface") {
            return .mixedLinkTypes(path: path, detail: text)
        }
        if text.hasPrefix("\(path): ") { return .cannotRead(path: path, reason: String(text.dropFirst(path.count + 2))) }
        return .damaged(path: path, detail: text)
    }

    private static func activationError(name: String, status: Int32, text: String) -> CaptureError {
        let detail = text.isEmpty ? Libpcap.statusText(status) : text
        switch status {
        case Libpcap.noSuchDevice:
            return .noSuchInterface(name: name)
        case Libpcap.interfaceNotUp:
            return .interfaceDown(name: name)
        case Libpcap.permissionDenied, Libpcap.promiscuousPermissionDenied:
            // Without privileges Linux refuses before looking at the name, so check it exists.
            if !interfaceExists(name) { return .noSuchInterface(name: name) }
            return .permissionDenied(interface: name, detail: detail)
        default:
            return .liveCaptureFailed(interface: name, detail: detail)
        }
    }

    private static func interfaceExists(_ name: String) -> Bool {
        if if_nametoindex(name) != 0 { return true }
        return Libpcap.deviceNames().contains(name)
    }

    /// "can't parse filter expression: syntax error" → "syntax error".
    static func filterDetail(_ text: String) -> String {
        let prefix = "can't parse filter expression: "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}

/// `strerror(code)`, e.g. "No such file or directory".
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
