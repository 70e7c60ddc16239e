import CPcap

/// Ends a running capture loop from any thread — typically a signal handler on a dispatch queue.
///
/// A handle's token calls `pcap_breakloop` on it; a reader's token does so on every handle it reads.
/// Once requested, the request stays: the handle (or reader) delivers no more packets.
public final class BreakLoopToken: @unchecked Sendable {
    // Safety (`@unchecked Sendable`): the mutable state (`pcap`, and `flag`'s writes) is only touched
    // under `lock`; `flag` is read with an atomic load; `children` is immutable. `pcap` is cleared (under the lock) by the owning handle before
    // it calls pcap_close, so `pcap_breakloop` is never called on a closed handle.
    private let lock = Lock()
    private var pcap: OpaquePointer?
    private let children: [BreakLoopToken]
    /// Whether a break was requested: written (atomically) under `lock`, read without it (an atomic
    /// load) by loops that check it per packet. Safety: allocated in init, freed in deinit.
    private let flag: UnsafeMutablePointer<Bool>

    init(pcap: OpaquePointer) {
        self.pcap = pcap
        self.children = []
        flag = .allocate(capacity: 1)
        flag.initialize(to: false)
    }

    init(children: [BreakLoopToken]) {
        self.pcap = nil
        self.children = children
        flag = .allocate(capacity: 1)
        flag.initialize(to: false)
    }

    deinit {
        flag.deinitialize(count: 1)
        flag.deallocate()
    }

    /// Asks the loop to stop. It returns after the packet being delivered, or within the read
    /// timeout (`LiveCaptureOptions.timeoutMilliseconds`) when a live capture is idle.
    public func breakLoop() {
        lock.withLock {
            blockwatch_flag_store(flag, true)
            if let pcap { Libpcap.breakLoop(pcap) }
        }
        for child in children { child.breakLoop() }
    }

    /// Whether `breakLoop()` was called.
    public var isBreakRequested: Bool { blockwatch_flag_load(flag) }

    /// Called by the handle right before `pcap_close`.
    func detach() { lock.withLock { pcap = nil } }
}
