import CPcap

extension CaptureHandle {
    /// Live handles: calls `body` for each packet as the kernel hands it over, until `limit`
    /// packets were delivered or the handle's `breakLoopToken` asks for a stop.
    ///
    /// Packets are read a batch at a time (`pcap_dispatch`: every packet the kernel has handed
    /// over, straight from its ring, without the copy `pcap_next_ex` makes of each). While the
    /// link is idle, `whenIdle` runs about once per read timeout (`timeoutMilliseconds`), so
    /// periodic work and stops need no packets. A failure after packets were delivered (the
    /// interface went away) ends the loop with a warning; before any, it is thrown.
    public func readLive(
        limit: Int? = nil,
        whenIdle: () -> Void = {},
        _ body: (borrowing CapturedPacket) -> Void
    ) throws(CaptureError) -> ReadOutcome {
        precondition(isLive, "readLive reads live handles; files are read by CaptureReader")
        let unlimited = limit == nil
        var remaining = Swift.max(0, limit ?? 0)
        var delivered = 0
        let token = breakLoopToken
        let ending: ReadOutcome.Ending? = withoutActuallyEscaping(body) { deliver in
            var context = LiveDispatchContext(deliver: deliver, linkType: linkType, nanosecondsPerTick: nanosecondsPerTick)
            return withUnsafeMutablePointer(to: &context) { context -> ReadOutcome.Ending? in
                while true {
                    if token.isBreakRequested { return .stopped }
                    if !unlimited && remaining == 0 { return .limitReached }
                    // Safety: `context` outlives the call; the callback reads it only during the call.
                    let status = Libpcap.dispatch(pcap, count: unlimited ? -1 : Int32(clamping: remaining),
                                                  liveDispatchCallback, UnsafeMutableRawPointer(context))
                    if status > 0 {
                        delivered &+= Int(status)
                        if !unlimited { remaining -= Int(status) }
                    } else if status == 0 {
                        // Nothing handed over yet. A non-blocking libpcap 1.10 handle notices
                        // pcap_breakloop only in a read that has packets, so check here too.
                        if token.isBreakRequested { return .stopped }
                        if !waitForPackets() { whenIdle() }
                    } else if status == Libpcap.loopBroken {
                        return .stopped
                    } else {
                        return nil   // a read error: see below
                    }
                }
            }
        }
        if let ending { return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: ending) }
        let text = lastErrorText
        if delivered == 0 { throw .liveCaptureFailed(interface: source, detail: text) }
        let warning = CaptureWarning(kind: .liveCaptureFailed, source: source, packetsRead: delivered, byteOffset: nil, detail: text)
        return ReadOutcome(packetsDelivered: delivered, warnings: [warning], endedBy: .endOfInput)
    }
}

/// What the `pcap_dispatch` callback needs, passed to it as its `user` pointer.
struct LiveDispatchContext {
    let deliver: (borrowing CapturedPacket) -> Void
    let linkType: LinkType
    let nanosecondsPerTick: Int64
}

/// Hands one packet from the ring to the loop's body. Safety: `user` is the `LiveDispatchContext`
/// of the `readLive` call under way; `header` and `bytes` are libpcap's, valid during the call,
/// and the body gets them as a borrowed `CapturedPacket` that it cannot keep.
private let liveDispatchCallback: pcap_handler = { user, header, bytes in
    let context = UnsafeRawPointer(user.unsafelyUnwrapped).assumingMemoryBound(to: LiveDispatchContext.self)
    let h = header.unsafelyUnwrapped.pointee
    let length = Int(h.caplen)
    let time = Int64(h.ts.tv_sec) &* 1_000_000_000 &+ Int64(h.ts.tv_usec) &* context.pointee.nanosecondsPerTick
    context.pointee.deliver(CapturedPacket(
        timestampNanoseconds: time, capturedLength: length, originalLength: Int(h.len),
        linkType: context.pointee.linkType, sourceIndex: 0, bytes: UnsafeRawBufferPointer(start: bytes, count: length)))
}
