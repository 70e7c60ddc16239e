/// How a live capture is set up (applied between `pcap_create` and `pcap_activate`).
public struct LiveCaptureOptions: Sendable, Equatable {
    /// Bytes kept of each packet (`-s`); 262144 keeps whole packets.
    public var snapshotLength: Int
    /// Whether to put the interface into promiscuous mode.
    public var promiscuous: Bool
    /// Deliver packets as soon as they arrive instead of in batches (low latency for live verdicts).
    public var immediate: Bool
    /// Size of the kernel capture buffer in bytes; larger means fewer drops under bursts.
    public var bufferSize: Int
    /// Read timeout: how long a read waits before the loop gets control back when the link is idle.
    public var timeoutMilliseconds: Int

    public init(
        snapshotLength: Int = 262_144,
        promiscuous: Bool = true,
        immediate: Bool = true,
        bufferSize: Int = 32 << 20,
        timeoutMilliseconds: Int = 100
    ) {
        self.snapshotLength = snapshotLength
        self.promiscuous = promiscuous
        self.immediate = immediate
        self.bufferSize = bufferSize
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}
