/// Reassembles fragmented IP datagrams (RFC 791, RFC 8200) with bounded memory and time.
///
/// This is the one decoding path that copies bytes: a fragment's bytes must outlive the capture
/// callback until the datagram is whole. Buffers are recycled, so a steady stream of fragments
/// does not allocate per packet. Every fragment ends up counted exactly once: in the datagram it
/// completed (`fragmentsMerged` counts the others), or as a `fragment_*` decode issue.
public struct FragmentReassembler {
    public let maximumDatagrams: Int
    public let timeout: Timestamp.Duration

    /// Fragments absorbed into a reassembled datagram, other than the one that completed it.
    public private(set) var fragmentsMerged = 0
    public private(set) var issues = DecodeIssueCounts()

    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var protocolNumber: UInt8
        var version: UInt8
    }

    struct Pending {
        var buffer: [UInt8]
        /// Byte ranges received so far, kept sorted and merged.
        var received: [Range<Int>] = []
        /// Known once the last fragment (no "more fragments") arrives.
        var totalLength: Int? = nil
        var firstSeen: Timestamp
        var fragments = 0
        /// The header of the fragment at offset 0, which the datagram is reported with.
        var firstHeader: NetworkHeader? = nil
        var snaplenCut = false
    }

    var pending: [Key: Pending] = [:]
    /// Datagrams in the order they were started, so a full table finds its oldest in O(1) (a
    /// scan of the table per fragment made a fragment flood 3× slower than a SYN flood). Entries
    /// whose datagram is gone are skipped, and dropped when they pile up.
    var started: [(key: Key, firstSeen: Timestamp)] = []
    var startedHead = 0
    var spareBuffers: [[UInt8]] = []
    static let maximumDatagramLength = 65_535

    public init(maximumDatagrams: Int = 1024, timeout: Timestamp.Duration = .seconds(30)) {
        self.maximumDatagrams = maximumDatagrams
        self.timeout = timeout
    }

    /// Fragments waiting for the rest of their datagram.
    public var heldFragments: Int { pending.values.reduce(0) { $0 + $1.fragments } }

    /// Adds a fragment. When it completes its datagram, returns it; hand it back with
    /// `recycle(_:)` once decoded so its buffer is reused.
    public mutating func add(_ fragment: IPFragment, at time: Timestamp) -> ReassembledDatagram? {
        let key = Key(source: fragment.network.source, destination: fragment.network.destination,
                      identification: fragment.network.identification,
                      protocolNumber: fragment.network.version == 4 ? fragment.network.protocolNumber : 0,
                      version: fragment.network.version)
        let end = fragment.offset + fragment.payloadLength
        guard end <= FragmentReassembler.maximumDatagramLength else {
            issues.record(.fragmentTooLarge)
            return nil
        }
        // RFC 791 and RFC 8200: every fragment but the last carries a multiple of 8 bytes.
        if fragment.moreFragments && fragment.payloadLength % 8 != 0 {
            issues.record(.nonFirstFragmentTooShort)
            return nil
        }
        if pending[key] == nil {
            if pending.count >= maximumDatagrams { evictOldest() }
            let buffer = spareBuffers.popLast() ?? [UInt8](repeating: 0, count: FragmentReassembler.maximumDatagramLength)
            pending[key] = Pending(buffer: buffer, firstSeen: time)
            noteStarted(key, at: time)
        }
        var entry = pending.removeValue(forKey: key)!
        entry.fragments += 1
        let captured = min(fragment.payload.count, fragment.payloadLength)
        if captured < fragment.payloadLength { entry.snaplenCut = true }
        if captured > 0 {
            entry.buffer.withUnsafeMutableBytes { target in
                // Safe: offset + captured <= end <= maximumDatagramLength == target.count (checked above).
                target.baseAddress!.advanced(by: fragment.offset)
                    .copyMemory(from: fragment.payload.baseAddress!, byteCount: captured)
            }
        }
        let range = fragment.offset..<end
        if entry.received.contains(where: { $0.overlaps(range) }) { issues.record(.fragmentOverlap) }
        entry.received = FragmentReassembler.merge(entry.received, range)
        if !fragment.moreFragments { entry.totalLength = end }
        if fragment.offset == 0 { entry.firstHeader = fragment.network }

        guard let total = entry.totalLength, let header = entry.firstHeader,
              entry.received.count == 1, entry.received[0] == 0..<total else {
            pending[key] = entry
            return nil
        }
        fragmentsMerged += entry.fragments - 1
        var datagramHeader = header
        // The header is the first fragment's; the datagram's length is rebuilt from its parts.
        datagramHeader.totalLength = (header.version == 6 ? 40 : 20) + total
        return ReassembledDatagram(header: datagramHeader, buffer: entry.buffer, length: total,
                                   snaplenCut: entry.snaplenCut)
    }

    /// Returns a decoded datagram's buffer for reuse.
    public mutating func recycle(_ datagram: ReassembledDatagram) {
        recycle(datagram.buffer)
    }

    /// Gives up on datagrams whose first fragment is older than the timeout.
    public mutating func expire(now: Timestamp) {
        let stale = pending.filter { now - $0.value.firstSeen > timeout }
        for (key, entry) in stale {
            issues.record(.fragmentIncomplete, count: entry.fragments)
            pending[key] = nil
            recycle(entry.buffer)
        }
    }

    /// At the end of the capture every datagram still waiting is incomplete.
    public mutating func finish() {
        for entry in pending.values { issues.record(.fragmentIncomplete, count: entry.fragments) }
        pending.removeAll()
        started.removeAll()
        startedHead = 0
    }

    /// Gives up the datagram started first (in capture order) that is still waiting.
    mutating func evictOldest() {
        while startedHead < started.count {
            let (key, firstSeen) = started[startedHead]
            startedHead += 1
            guard let entry = pending[key], entry.firstSeen == firstSeen else { continue }
            issues.record(.fragmentTableFull, count: entry.fragments)
            pending[key] = nil
            recycle(entry.buffer)
            return
        }
    }

    mutating func noteStarted(_ key: Key, at time: Timestamp) {
        started.append((key, time))
        // Keep the queue near the table's size: drop what was consumed and datagrams already gone.
        if started.count > 2 * maximumDatagrams + 1024 {
            started = started[startedHead...].filter { pending[$0.key]?.firstSeen == $0.firstSeen }
            startedHead = 0
        }
    }

    mutating func recycle(_ buffer: [UInt8]) {
        if spareBuffers.count < 8 { spareBuffers.append(buffer) }
    }

    static func merge(_ ranges: [Range<Int>], _ new: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var current = new
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if r.upperBound < current.lowerBound || r.lowerBound > current.upperBound {
                result.append(r)
            } else {
                current = min(r.lowerBound, current.lowerBound)..<max(r.upperBound, current.upperBound)
            }
        }
        result.append(current)
        return result.sorted { $0.lowerBound < $1.lowerBound }
    }
}

/// A datagram put back together from its fragments.
public struct ReassembledDatagram {
    /// The first fragment's IP header fields, with the whole datagram's length.
    public let header: NetworkHeader
    let buffer: [UInt8]
    /// The upper-layer payload length.
    public let length: Int
    /// Some fragment was cut by the snaplen, so parts of the payload are zeros.
    public let snaplenCut: Bool

    /// Calls `body` with the reassembled upper-layer bytes.
    public func withPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }
}
