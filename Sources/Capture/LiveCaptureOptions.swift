/// How a live capture is set up (applied between `pcap_create` and `pcap_activate`).
public struct LiveCaptureOptions: Sendable, Equatable {
    /// Bytes kept of each packet (`-s`); 262144 keeps whole packets.
    public var snapshotLength: Int
    /// Whether to put the interface into promiscuous mode.
    public var promiscuous: Bool
    /// Deliver each packet as soon as it arrives (tcpdump's `--immediate-mode`). Off by default, as
    /// in tcpdump: libpcap on Linux then reads the kernel's ring a block of packets at a time
    /// (TPACKET_V3) and the reader is woken once per block, not once per packet.
    public var immediate: Bool
    /// Size of the kernel capture buffer in bytes; larger means fewer drops under bursts.
    public var bufferSize: Int
    /// The buffer timeout (`pcap_set_timeout`): without immediate mode, the longest a packet waits
    /// in a block the kernel has not handed over yet. Also how long one wait on an idle link lasts
    /// before the loop gets control back (for periodic work and stops).
    public var timeoutMilliseconds: Int

    public init(
        snapshotLength: Int = 262_144,
        promiscuous: Bool = true,
        immediate: Bool = false,
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
