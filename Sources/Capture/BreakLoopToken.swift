/// Ends a running capture loop from any thread — typically a signal handler on a dispatch queue.
///
/// A handle's token calls `pcap_breakloop` on it; a reader's token does so on every handle it reads.
/// Once requested, the request stays: the handle (or reader) delivers no more packets.
public final class BreakLoopToken: @unchecked Sendable {
    // Safety (`@unchecked Sendable`): the mutable state (`pcap`, `requested`) is only touched under
    // `lock`; `children` is immutable. `pcap` is cleared (under the lock) by the owning handle before
    // it calls pcap_close, so `pcap_breakloop` is never called on a closed handle.
    private let lock = Lock()
    private var pcap: OpaquePointer?
    private var requested = false
    private let children: [BreakLoopToken]

    init(pcap: OpaquePointer) {
        self.pcap = pcap
        self.children = []
    }

    init(children: [BreakLoopToken]) {
        self.pcap = nil
        self.children = children
    }

    /// Asks the loop to stop. It returns after the packet being delivered, or within the read
    /// timeout (`LiveCaptureOptions.timeoutMilliseconds`) when a live capture is idle.
    public func breakLoop() {
        lock.withLock {
            requested = true
            if let pcap { Libpcap.breakLoop(pcap) }
        }
        for child in children { child.breakLoop() }
    }

    /// Whether `breakLoop()` was called.
    public var isBreakRequested: Bool { lock.withLock { requested } }

    /// Called by the handle right before `pcap_close`.
    func detach() { lock.withLock { pcap = nil } }
}
