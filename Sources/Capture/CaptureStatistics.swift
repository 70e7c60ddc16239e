/// What the capture itself saw and lost (`pcap_stats`), for live captures.
///
/// Drops counted here are the *observer's* loss: they lower confidence, they are never evidence of
/// blocking. libpcap's counters are 32-bit on most platforms and may wrap on long captures.
public struct CaptureStatistics: Sendable, Equatable {
    /// Packets the capture received (on Linux: that passed the filter and reached the buffer).
    public var received: Int
    /// Packets dropped because libpcap's buffer was full (`ps_drop`).
    public var droppedByKernel: Int
    /// Packets dropped by the interface or its driver (`ps_ifdrop`), where the platform reports it.
    public var droppedByInterface: Int

    public init(received: Int, droppedByKernel: Int, droppedByInterface: Int) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }
}
