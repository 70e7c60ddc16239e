import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one or more captures as one stream of packets in time order.
///
/// Several files are merged by timestamp (a k-way merge over each file's current packet; ties go to
/// the earlier file). The merge copies nothing: a file's current packet stays in libpcap's buffer
/// for that handle until the packet is delivered, and the handle is read again only after that.
///
/// Not `Sendable`; read it on one thread. `stop()` (or `stopToken`, which is `Sendable`) may be
/// called from any thread.
public final class CaptureReader {
    @usableFromInline let handles: [CaptureHandle]
    /// Per-handle read state, kept between calls so a second `forEachPacket` continues exactly
    /// where the first ended (after a limit, nothing is lost or repeated).
    ///
    /// Safety: allocated and initialised in init, freed in deinit; one element per handle. Only the
    /// reading thread touches it (the reader is not `Sendable`), and `isReading` rules out a nested
    /// `forEachPacket` from inside the callback. Raw storage rather than an array keeps the merge
    /// loop free of uniqueness and exclusivity checks (measured: about 150 instructions per packet).
    @usableFromInline let cursors: UnsafeMutableBufferPointer<SourceCursor>
    @usableFromInline var isReading = false
    /// Whether a BPF filter is set (then "no packet read yet" does not mean "damaged at the start").
    @usableFromInline let isFiltered: Bool
    /// Per source: the filter applied packet by packet when BlockWatch reads the file itself
    /// (pcapng: libpcap's filter on the handle only knows the first interface's link type).
    @usableFromInline let packetFilters: [LinkTypeFilter?]

    /// The files read (paths as given); empty for a live handle.
    public let files: [String]
    /// The name of each source: the file paths, or the interface name.
    public var sources: [String] { handles.map(\.source) }
    /// The link type of each source, in the order of `sources` (a pcapng's: its first interface's).
    public var linkTypes: [LinkType] { handles.map(\.linkType) }
    /// Every link type known for each source when it was opened: for a pcapng, those of the
    /// interfaces described before its first packet (later ones may add others); else `linkTypes`'.
    public let describedLinkTypes: [[LinkType]]
    /// Sum of the file sizes (for progress); 0 for live captures, pipes and standard input.
    public let totalFileBytes: Int64
    /// Ends the loop from any thread (`Sendable`); the same as calling `stop()`.
    public let stopToken: BreakLoopToken

    /// Opens every file up front, so a bad file is reported before any work starts; the error
    /// names the file. The optional BPF `filter` is applied to every file; a bad expression
    /// throws `.badFilter` naming it.
    public convenience init(paths: [String], filter: String? = nil) throws(CaptureError) {
        var handles: [CaptureHandle] = []
        for path in paths {
            let handle = try CaptureHandle.openFile(path)
            if let filter {
                do {
                    try handle.setFilter(filter)
                } catch {
                    guard paths.count > 1, case let .badFilter(expression, detail) = error else { throw error }
                    // The same expression can suit one link type and not another: say which file.
                    throw .badFilter(expression: expression, detail: "\(detail) (for '\(path)', link type \(handle.linkType.name))")
                }
            }
            handles.append(handle)
        }
        self.init(handles: handles, isFiltered: filter != nil)
        // A pcapng's filter is compiled for every link type described up front: say which one fails.
        for (index, packetFilter) in packetFilters.enumerated() {
            if let packetFilter, let (linkType, reason) = packetFilter.firstRefusal {
                throw .badFilter(expression: packetFilter.expression,
                                 detail: "\(reason) (for '\(handles[index].source)', link type \(linkType.name))")
            }
        }
    }

    /// Reads a single already-open handle — a live interface, or a file — with the same loop.
    /// A filter, if wanted, is set on the handle first.
    public convenience init(handle: CaptureHandle) {
        self.init(handles: [handle], isFiltered: handle.filter != nil)
    }

    private init(handles: [CaptureHandle], isFiltered: Bool) {
        // pcapng files are read from memory by BlockWatch, whatever their link types (see MappedPcapng).
        var pcapngReaders: [MappedPcapng?] = []
        var filters: [LinkTypeFilter?] = []
        var described: [[LinkType]] = []
        for handle in handles {
            let pcapng = CaptureReader.usesLibpcapForPcapng ? nil : MappedPcapng.open(handle)
            let linkTypes = pcapng?.linkTypes ?? []
            var filter: LinkTypeFilter? = nil
            if pcapng != nil, let expression = handle.filter {
                filter = LinkTypeFilter(expression: expression, linkTypes: linkTypes.isEmpty ? [handle.linkType] : linkTypes)
            }
            pcapngReaders.append(pcapng)
            filters.append(filter)
            described.append(linkTypes.isEmpty ? [handle.linkType] : linkTypes)
        }
        self.handles = handles
        self.packetFilters = filters
        self.describedLinkTypes = described
        self.cursors = .allocate(capacity: handles.count)
        _ = self.cursors.initialize(from: handles.map(SourceCursor.init(handle:)))
        // Classic pcap files are read from memory where they can be (see MappedPcap).
        for index in handles.indices {
            self.cursors[index].pcapng = pcapngReaders[index]
            if pcapngReaders[index] != nil { continue }
            self.cursors[index].mapped = MappedPcap.open(handles[index])
            // Record positions are known in classic pcap read whole (a filter skips records unseen).
            if !isFiltered, MappedPcap.isClassicPcap(handles[index]) {
                self.cursors[index].nextRecordOffset = Libpcap.fileOffset(handles[index].pcap) ?? -1
            }
        }
        self.isFiltered = isFiltered
        self.files = handles.filter { !$0.isLive }.map(\.source)
        self.totalFileBytes = handles.reduce(0) { $0 + ($1.fileSize ?? 0) }
        self.stopToken = BreakLoopToken(children: handles.map(\.breakLoopToken))
    }

    deinit {
        for index in cursors.indices {
            cursors[index].mapped?.unmap()
            cursors[index].pcapng?.close()
        }
        cursors.deinitialize()
        cursors.deallocate()
    }

    /// Bytes of the files read so far (sum of each file's position), for progress against `totalFileBytes`.
    public var bytesConsumed: Int64 {
        var sum: Int64 = 0
        for index in handles.indices {
            if let mapped = cursors[index].mapped {
                sum += Int64(mapped.offset)
            } else if let pcapng = cursors[index].pcapng {
                sum += Int64(pcapng.offset)
            } else {
                sum += handles[index].bytesConsumed ?? 0
            }
        }
        return sum
    }

    /// Per source: whether it is being read from memory (`MappedPcap`) rather than through libpcap.
    var readsFromMemory: [Bool] { cursors.map { $0.mapped != nil || $0.pcapng != nil } }

    /// `BLOCKWATCH_PCAPNG_READER=libpcap` reads pcapng through libpcap as before BlockWatch had its
    /// own reader (one link type per file): kept to compare the two on real files.
    static let usesLibpcapForPcapng: Bool = {
        guard let value = getenv("BLOCKWATCH_PCAPNG_READER") else { return false }
        return String(cString: value) == "libpcap"
    }()

    /// Statistics of a live source (`pcap_stats`); nil when reading files.
    public func statistics() -> CaptureStatistics? {
        handles.count == 1 ? handles[0].statistics() : nil
    }

    /// Asks `forEachPacket` to end after the packet being delivered; thread-safe. Final: the
    /// reader delivers no more packets afterwards.
    ///
    /// It calls `pcap_breakloop` on every handle — files too: libpcap checks the flag inside every
    /// read, so stopping costs the loop nothing per packet.
    public func stop() { stopToken.breakLoop() }

    /// Calls `body` for each packet in time order until the input ends, `limit` packets were
    /// delivered, or `stop()` is called. A later call continues where this one ended.
    ///
    /// A file that turns out truncated or corrupt after packets were read ends with a
    /// `CaptureWarning` in the outcome, not an error: results cover what could be read. An error
    /// before any packet of any source was read is thrown.
    ///
    /// - Parameters:
    ///   - limit: deliver at most this many packets (tcpdump's `-c`).
    ///   - whenIdle: called when a live capture saw no packet for `timeoutMilliseconds` (so about
    ///     that often while the link is quiet), e.g. to emit periodic reports; with steady traffic
    ///     it is not called, so periodic work should also check the clock in `body`. Never called
    ///     for files.
    ///   - body: gets each packet; `packet.bytes` is valid only during the call.
    @inlinable
    public func forEachPacket(
        limit: Int? = nil,
        whenIdle: () -> Void = {},
        _ body: (borrowing CapturedPacket) -> Void
    ) throws(CaptureError) -> ReadOutcome {
        if stopToken.isBreakRequested { return ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .stopped) }
        let budget = Swift.max(0, limit ?? Int.max)
        precondition(!isReading, "CaptureReader.forEachPacket called from inside its own callback")
        isReading = true
        defer { isReading = false }
        guard let first = cursors.baseAddress else {
            return ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .endOfInput)
        }
        var outcome: ReadOutcome
        if cursors.count == 1 {
            outcome = try readSingle(first, budget: budget, whenIdle: whenIdle, body)
        } else {
            outcome = try readMerged(first, budget: budget, whenIdle: whenIdle, body)
        }
        addRecordWarnings(to: &outcome)
        return outcome
    }

    /// Warnings for records that were read but are odd (timestamps going back, more bytes than
    /// the snapshot length), one per source and kind, with the first such record's position.
    @usableFromInline
    func addRecordWarnings(to outcome: inout ReadOutcome) {
        for index in handles.indices {
            let cursor = cursors[index]
            let source = handles[index].source
            for (linkType, reason, count) in packetFilters[index]?.takeLeftOut() ?? [] {
                outcome.warnings.append(CaptureWarning(
                    kind: .filterNotApplicable, source: source, packetsRead: cursor.packetsRead, byteOffset: nil,
                    detail: "they are of link type \(linkType.name), for which '\(packetFilters[index]!.expression)' "
                        + "does not compile (\(reason))",
                    occurrences: count))
            }
            if cursor.backwards > cursor.reportedBackwards {
                let step = CaptureWarning.duration(cursor.firstBackwardsStep)
                outcome.warnings.append(CaptureWarning(
                    kind: .timestampsBackwards, source: source, packetsRead: cursor.packetsRead, byteOffset: nil,
                    detail: "its timestamp is \(step) before the record before it",
                    record: cursor.firstBackwardsRecord,
                    recordOffset: cursor.firstBackwardsOffset >= 0 ? cursor.firstBackwardsOffset : nil,
                    occurrences: cursor.backwards))
                cursors[index].reportedBackwards = cursor.backwards
            }
            if cursor.oversized > cursor.reportedOversized {
                let stored = cursor.firstOversizedLength > 0 ? "holds \(cursor.firstOversizedLength) bytes, " : ""
                let limit = cursor.firstOversizedSnapshotLength.map { "\($0) its interface's snapshot length" }
                    ?? "\(cursor.snapshotLength) the file header"
                outcome.warnings.append(CaptureWarning(
                    kind: .longerThanSnapshot, source: source, packetsRead: cursor.packetsRead, byteOffset: nil,
                    detail: "it \(stored)more than the \(limit) allows: "
                        + "only the first \(cursor.firstOversizedSnapshotLength ?? Int(cursor.snapshotLength)) bytes of each such packet were read",
                    record: cursor.firstOversizedRecord,
                    recordOffset: cursor.firstOversizedOffset >= 0 ? cursor.firstOversizedOffset : nil,
                    occurrences: cursor.oversized))
                cursors[index].reportedOversized = cursor.oversized
            }
        }
    }

    /// The loop for one source: no look-ahead, each packet is delivered straight from `pcap_next_ex`.
    @inlinable
    func readSingle(
        _ cursor: UnsafeMutablePointer<SourceCursor>,
        budget: Int,
        whenIdle: () -> Void,
        _ body: (borrowing CapturedPacket) -> Void
    ) throws(CaptureError) -> ReadOutcome {
        if cursor.pointee.state == .exhausted { return ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .endOfInput) }
        if cursor.pointee.pcapng != nil { return try readPcapng(cursor, budget: budget, body) }
        let pcap = cursor.pointee.pcap
        let linkType = cursor.pointee.linkType
        let tick = cursor.pointee.nanosecondsPerTick
        var header: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        var delivered = 0
        if cursor.pointee.mapped != nil {
            // Straight from the mapped file while its records are plain; libpcap takes over at the
            // first that is not (or at the end of the file), from that record on.
            let token = handles[0].breakLoopToken
            while delivered < budget {
                if token.isBreakRequested { return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .stopped) }
                guard let record = cursor.pointee.mapped!.next() else {
                    if let warning = handOver(cursor, source: 0) {
                        return ReadOutcome(packetsDelivered: delivered, warnings: [warning], endedBy: .endOfInput)
                    }
                    break
                }
                if record.timestampNanoseconds < cursor.pointee.lastTimestamp || record.storedLength != record.capturedLength {
                    noteMappedRecord(cursor, record)
                }
                cursor.pointee.lastTimestamp = record.timestampNanoseconds
                // Safety: the record's bytes are in the current window, which stays mapped until the
                // next `next()`, after `body` returned.
                body(CapturedPacket(
                    timestampNanoseconds: record.timestampNanoseconds,
                    capturedLength: record.capturedLength,
                    originalLength: record.originalLength,
                    linkType: linkType,
                    sourceIndex: 0,
                    bytes: UnsafeRawBufferPointer(start: record.data, count: record.capturedLength)))
                delivered &+= 1
                cursor.pointee.packetsRead &+= 1
            }
        }
        while delivered < budget {
            let status = Libpcap.next(pcap, &header, &data)
            if status == Libpcap.packetRead {
                // Safety: on status 1 libpcap has set `header` and `data` to its own buffer for this
                // handle; they stay valid until the next read on it, which happens after `body` returns.
                // `body` gets them as a borrowed `CapturedPacket` and cannot keep them.
                let h = header.unsafelyUnwrapped.pointee
                let length = Int(h.caplen)
                let time = SourceCursor.nanoseconds(h, tick: tick)
                noteLibpcapRecord(cursor, capturedLength: h.caplen, time: time)
                body(CapturedPacket(
                    timestampNanoseconds: time,
                    capturedLength: length,
                    originalLength: Int(h.len),
                    linkType: linkType,
                    sourceIndex: 0,
                    bytes: UnsafeRawBufferPointer(start: data, count: length)))
                delivered &+= 1
                cursor.pointee.packetsRead &+= 1
            } else if status == Libpcap.timedOut {
                // Only live handles (non-blocking) return 0: nothing waiting right now. A non-blocking
                // libpcap 1.10 handle notices pcap_breakloop only with a packet, so check here too.
                if handles[0].breakLoopToken.isBreakRequested {
                    return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .stopped)
                }
                if !handles[0].waitForPackets() { whenIdle() }
            } else if status == Libpcap.loopBroken {
                if handles[0].breakLoopToken.isBreakRequested {
                    return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .stopped)
                }
                cursor.pointee.state = .exhausted
                return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .endOfInput)
            } else {
                cursor.pointee.state = .exhausted
                let read = cursor.pointee.packetsRead
                let warning = try readFailure(source: 0, packetsRead: read, anyPacketRead: read > 0)
                return ReadOutcome(packetsDelivered: delivered, warnings: [warning], endedBy: .endOfInput)
            }
        }
        return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .limitReached)
    }

    /// The k-way merge: deliver the earliest held packet, then read the next one from that source.
    /// A linear scan for the minimum; k (files given at once) is small.
    @inlinable
    func readMerged(
        _ cursors: UnsafeMutablePointer<SourceCursor>,
        budget: Int,
        whenIdle: () -> Void,
        _ body: (borrowing CapturedPacket) -> Void
    ) throws(CaptureError) -> ReadOutcome {
        var delivered = 0
        var warnings: [CaptureWarning] = []
        let count = handles.count
        for index in 0..<count where cursors[index].state == .needsRead {
            if !(try advance(cursors, index, &warnings, whenIdle)) {
                return ReadOutcome(packetsDelivered: 0, warnings: warnings, endedBy: .stopped)
            }
        }
        while true {
            var best = -1
            var bestTime = Int64.max
            for index in 0..<count where cursors[index].state == .holding {
                if best < 0 || cursors[index].timestamp < bestTime {
                    best = index
                    bestTime = cursors[index].timestamp
                }
            }
            if best < 0 { return ReadOutcome(packetsDelivered: delivered, warnings: warnings, endedBy: .endOfInput) }
            if delivered >= budget {
                return ReadOutcome(packetsDelivered: delivered, warnings: warnings, endedBy: .limitReached)
            }
            let held = cursors + best
            // Safety: `held.data` points into libpcap's buffer for handle `best`, untouched since the
            // read that filled it: that handle is read again only below, after `body` returned.
            body(CapturedPacket(
                timestampNanoseconds: held.pointee.timestamp,
                capturedLength: held.pointee.capturedLength,
                originalLength: held.pointee.originalLength,
                linkType: held.pointee.heldLinkType,
                sourceIndex: best,
                bytes: UnsafeRawBufferPointer(start: held.pointee.data, count: held.pointee.capturedLength)))
            delivered &+= 1
            held.pointee.state = .needsRead
            if !(try advance(cursors, best, &warnings, whenIdle)) {
                return ReadOutcome(packetsDelivered: delivered, warnings: warnings, endedBy: .stopped)
            }
        }
    }

    /// Reads the next packet of source `index` into its cursor. Returns false if a stop was requested.
    @inlinable
    func advance(
        _ cursors: UnsafeMutablePointer<SourceCursor>,
        _ index: Int,
        _ warnings: inout [CaptureWarning],
        _ whenIdle: () -> Void
    ) throws(CaptureError) -> Bool {
        let cursor = cursors + index
        if cursor.pointee.pcapng != nil {
            if handles[index].breakLoopToken.isBreakRequested { return false }
            let filter = packetFilters[index]
            while let record = cursor.pointee.pcapng!.next() {
                if let filter, !filter.matches(record) { continue }
                notePcapngRecord(cursor, record)
                // Safety: the bytes stay mapped until this source is read again, after delivery.
                cursor.pointee.hold(time: record.timestampNanoseconds, capturedLength: record.capturedLength,
                                    originalLength: record.originalLength, data: record.data, linkType: record.linkType)
                return true
            }
            cursor.pointee.state = .exhausted
            let anyRead = (0..<handles.count).contains { cursors[$0].packetsRead > 0 }
            if let warning = try pcapngEnded(cursor, source: index, anyPacketRead: anyRead) { warnings.append(warning) }
            return true
        }
        if cursor.pointee.mapped != nil {
            if handles[index].breakLoopToken.isBreakRequested { return false }
            if let record = cursor.pointee.mapped!.next() {
                if record.timestampNanoseconds < cursor.pointee.lastTimestamp || record.storedLength != record.capturedLength {
                    noteMappedRecord(cursor, record)
                }
                cursor.pointee.lastTimestamp = record.timestampNanoseconds
                // Safety: the bytes stay mapped until this source is read again, after delivery.
                cursor.pointee.hold(time: record.timestampNanoseconds, capturedLength: record.capturedLength,
                                    originalLength: record.originalLength, data: record.data)
                return true
            }
            if let warning = handOver(cursor, source: index) {
                warnings.append(warning)
                cursor.pointee.state = .exhausted
                return true
            }
        }
        var header: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        while true {
            let status = Libpcap.next(cursor.pointee.pcap, &header, &data)
            if status == Libpcap.packetRead {
                // Safety: see readSingle; the pointer is kept in the cursor until the packet is delivered.
                let h = header.unsafelyUnwrapped.pointee
                let time = SourceCursor.nanoseconds(h, tick: cursor.pointee.nanosecondsPerTick)
                noteLibpcapRecord(cursor, capturedLength: h.caplen, time: time)
                cursor.pointee.hold(time: time, capturedLength: Int(h.caplen), originalLength: Int(h.len), data: data)
                return true
            } else if status == Libpcap.timedOut {
                if handles[index].breakLoopToken.isBreakRequested { return false }
                if !handles[index].waitForPackets() { whenIdle() }
            } else if status == Libpcap.loopBroken {
                if handles[index].breakLoopToken.isBreakRequested { return false }
                cursor.pointee.state = .exhausted
                return true
            } else {
                cursor.pointee.state = .exhausted
                let anyRead = (0..<handles.count).contains { cursors[$0].packetsRead > 0 }
                warnings.append(try readFailure(source: index, packetsRead: cursor.pointee.packetsRead, anyPacketRead: anyRead))
                return true
            }
        }
    }

    /// The loop for one pcapng source read by `MappedPcapng`: each packet with its interface's link
    /// type, filtered packet by packet when a filter is set.
    @inlinable
    func readPcapng(
        _ cursor: UnsafeMutablePointer<SourceCursor>,
        budget: Int,
        _ body: (borrowing CapturedPacket) -> Void
    ) throws(CaptureError) -> ReadOutcome {
        let token = handles[0].breakLoopToken
        let filter = packetFilters[0]
        var delivered = 0
        while delivered < budget {
            if token.isBreakRequested { return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .stopped) }
            guard let record = cursor.pointee.pcapng!.next() else {
                cursor.pointee.state = .exhausted
                let warning = try pcapngEnded(cursor, source: 0, anyPacketRead: cursor.pointee.packetsRead > 0)
                return ReadOutcome(packetsDelivered: delivered, warnings: warning.map { [$0] } ?? [], endedBy: .endOfInput)
            }
            if let filter, !filter.matches(record) { continue }
            notePcapngRecord(cursor, record)
            // Safety: the record's bytes are in the current window, which stays mapped until the
            // next `next()`, after `body` returned.
            body(CapturedPacket(
                timestampNanoseconds: record.timestampNanoseconds,
                capturedLength: record.capturedLength,
                originalLength: record.originalLength,
                linkType: record.linkType,
                sourceIndex: 0,
                bytes: UnsafeRawBufferPointer(start: record.data, count: record.capturedLength)))
            delivered &+= 1
            cursor.pointee.packetsRead &+= 1
        }
        return ReadOutcome(packetsDelivered: delivered, warnings: [], endedBy: .limitReached)
    }

    /// Notes a pcapng packet that goes back in time or that its interface's snapshot length cut.
    @inlinable @inline(__always)
    func notePcapngRecord(_ cursor: UnsafeMutablePointer<SourceCursor>, _ record: MappedPcapng.Record) {
        if record.timestampNanoseconds < cursor.pointee.lastTimestamp || record.storedLength != record.capturedLength {
            let number = cursor.pointee.pcapng!.packetBlocksRead
            let start = Int64(record.blockOffset)
            if record.timestampNanoseconds < cursor.pointee.lastTimestamp {
                cursor.pointee.noteBackwards(record: number, offset: start,
                                             step: SourceCursor.backwardsStep(cursor.pointee.lastTimestamp, record.timestampNanoseconds))
            }
            if record.storedLength != record.capturedLength {
                cursor.pointee.noteOversized(record: number, offset: start, length: record.storedLength,
                                             snapshotLength: record.capturedLength)
            }
        }
        cursor.pointee.lastTimestamp = record.timestampNanoseconds
    }

    /// The end of a pcapng source: nil at the end of the file; a warning naming the damage, its
    /// packet number and byte offset when reading stopped early; thrown as `.damaged` when no
    /// packet of any source was read (and no filter explains that).
    @usableFromInline
    func pcapngEnded(_ cursor: UnsafeMutablePointer<SourceCursor>, source index: Int,
                     anyPacketRead: Bool) throws(CaptureError) -> CaptureWarning? {
        guard let reader = cursor.pointee.pcapng, let damage = reader.damage else { return nil }
        let path = handles[index].source
        if !anyPacketRead && !isFiltered { throw .damaged(path: path, detail: damage.detail) }
        let start = Int64(reader.damageOffset)
        return CaptureWarning(kind: damage.isCut ? .truncated : .damaged, source: path,
                              packetsRead: cursor.pointee.packetsRead,
                              byteOffset: damage.isCut ? Int64(reader.fileSize) : start, detail: damage.detail,
                              record: reader.packetBlocksRead + 1, recordOffset: start)
    }

    /// A mapped record that went back in time or was longer than the snapshot length (rare).
    @usableFromInline
    func noteMappedRecord(_ cursor: UnsafeMutablePointer<SourceCursor>, _ record: MappedPcap.Record) {
        let start = Int64(cursor.pointee.mapped!.offset - 16 - record.storedLength)
        let number = cursor.pointee.packetsRead + 1
        if record.timestampNanoseconds < cursor.pointee.lastTimestamp {
            cursor.pointee.noteBackwards(record: number, offset: start, step: SourceCursor.backwardsStep(cursor.pointee.lastTimestamp, record.timestampNanoseconds))
        }
        if record.storedLength != record.capturedLength {
            cursor.pointee.noteOversized(record: number, offset: start, length: record.storedLength)
        }
    }

    /// Keeps the record position of classic pcap read through libpcap, and notes records that go
    /// back in time or that libpcap cut to the snapshot length. libpcap delivers such a record as
    /// if it were `snaplen` long; only the file position shows it held more.
    @inlinable @inline(__always)
    func noteLibpcapRecord(_ cursor: UnsafeMutablePointer<SourceCursor>, capturedLength: UInt32, time: Int64) {
        var start: Int64 = -1
        if cursor.pointee.nextRecordOffset >= 0 {
            start = cursor.pointee.nextRecordOffset
            cursor.pointee.nextRecordOffset = start &+ 16 &+ Int64(capturedLength)
            if capturedLength == cursor.pointee.snapshotLength {
                checkCutToSnapshot(cursor, recordStart: start)
            }
        }
        if time < cursor.pointee.lastTimestamp {
            cursor.pointee.noteBackwards(record: cursor.pointee.packetsRead + 1, offset: start,
                                         step: SourceCursor.backwardsStep(cursor.pointee.lastTimestamp, time))
        }
        cursor.pointee.lastTimestamp = time
    }

    /// A record exactly `snaplen` long: did the file hold more (libpcap skipped the rest)?
    @usableFromInline
    func checkCutToSnapshot(_ cursor: UnsafeMutablePointer<SourceCursor>, recordStart start: Int64) {
        guard let position = Libpcap.fileOffset(cursor.pointee.pcap), position != cursor.pointee.nextRecordOffset else { return }
        cursor.pointee.noteOversized(record: cursor.pointee.packetsRead + 1, offset: start, length: Int(position - start - 16))
        cursor.pointee.nextRecordOffset = position
    }

    /// Ends reading source `index` from memory: libpcap reads on from the record the mapped reader
    /// stopped at. Returns a warning (and exhausts the source) if the file cannot be positioned.
    @usableFromInline
    func handOver(_ cursor: UnsafeMutablePointer<SourceCursor>, source index: Int) -> CaptureWarning? {
        guard var mapped = cursor.pointee.mapped else { return nil }
        mapped.unmap()
        cursor.pointee.mapped = nil
        cursor.pointee.nextRecordOffset = Int64(mapped.offset)
        guard let failure = Libpcap.seekFile(handles[index].pcap, to: Int64(mapped.offset)) else { return nil }
        cursor.pointee.state = .exhausted
        return CaptureWarning(kind: .damaged, source: handles[index].source, packetsRead: cursor.pointee.packetsRead,
                              byteOffset: Int64(mapped.offset), detail: "cannot seek to the next record: \(failure)",
                              record: cursor.pointee.packetsRead + 1, recordOffset: Int64(mapped.offset))
    }

    /// Turns a failed read into a warning, or throws when nothing at all could be read (and no
    /// filter could explain having read nothing).
    @usableFromInline
    func readFailure(source index: Int, packetsRead: Int, anyPacketRead: Bool) throws(CaptureError) -> CaptureWarning {
        let handle = handles[index]
        let text = handle.lastErrorText
        if handle.isLive {
            if !anyPacketRead { throw .liveCaptureFailed(interface: handle.source, detail: text) }
            return CaptureWarning(kind: .liveCaptureFailed, source: handle.source, packetsRead: packetsRead, byteOffset: nil, detail: text)
        }
        let kind: CaptureWarning.Kind
        if text.contains("different from the type of the first interface") {
            kind = .mixedLinkTypes
        } else if text.hasPrefix("truncated dump file") || text.hasPrefix("truncated pcapng dump file") {
            kind = .truncated
        } else {
            kind = .damaged
        }
        if !anyPacketRead && !isFiltered {
            if kind == .mixedLinkTypes { throw .mixedLinkTypes(path: handle.source, detail: text) }
            throw .damaged(path: handle.source, detail: text)
        }
        // The failed record: its number, and where it starts when the format makes that known.
        let start = cursors[index].nextRecordOffset
        return CaptureWarning(kind: kind, source: handle.source, packetsRead: packetsRead, byteOffset: handle.bytesConsumed,
                              detail: text, record: isFiltered ? nil : cursors[index].packetsRead + 1,
                              recordOffset: start >= 0 ? start : nil)
    }
}

/// The read state of one source in a `CaptureReader`. Trivial (no references), so copying and
/// storing it in an array costs no retain/release.
@usableFromInline
struct SourceCursor {
    @usableFromInline enum State: UInt8 { case needsRead, holding, exhausted }

    @usableFromInline let pcap: OpaquePointer
    @usableFromInline let linkType: LinkType
    @usableFromInline let nanosecondsPerTick: Int64
    @usableFromInline var state: State = .needsRead
    @usableFromInline var packetsRead = 0
    /// The held packet (state `.holding`, merge only); `data` points into libpcap's buffer.
    @usableFromInline var timestamp: Int64 = 0
    @usableFromInline var capturedLength = 0
    @usableFromInline var originalLength = 0
    @usableFromInline var data: UnsafePointer<UInt8>? = nil
    /// The held packet's link type: a pcapng's packets each have their interface's.
    @usableFromInline var heldLinkType: LinkType
    /// Set while the file is read from memory rather than through libpcap.
    @usableFromInline var mapped: MappedPcap? = nil
    /// Set for a pcapng file, read from memory by BlockWatch from start to end (never libpcap).
    @usableFromInline var pcapng: MappedPcapng? = nil
    /// Classic pcap without a filter: where the next record starts; -1 when not known.
    @usableFromInline var nextRecordOffset: Int64 = -1
    @usableFromInline let snapshotLength: UInt32
    /// Odd records found so far (see `CaptureReader.addRecordWarnings`): how many, the first's
    /// number, offset (-1 unknown) and size, and how many were already reported.
    @usableFromInline var lastTimestamp: Int64 = .min
    @usableFromInline var backwards = 0
    @usableFromInline var firstBackwardsRecord = 0
    @usableFromInline var firstBackwardsOffset: Int64 = -1
    @usableFromInline var firstBackwardsStep: Int64 = 0
    @usableFromInline var reportedBackwards = 0
    @usableFromInline var oversized = 0
    @usableFromInline var firstOversizedRecord = 0
    @usableFromInline var firstOversizedOffset: Int64 = -1
    @usableFromInline var firstOversizedLength = 0
    /// A pcapng interface's snapshot length that cut the first such record (nil: the pcap file header's).
    @usableFromInline var firstOversizedSnapshotLength: Int? = nil
    @usableFromInline var reportedOversized = 0

    init(handle: CaptureHandle) {
        pcap = handle.pcap
        linkType = handle.linkType
        heldLinkType = handle.linkType
        nanosecondsPerTick = handle.nanosecondsPerTick
        snapshotLength = UInt32(clamping: handle.snapshotLength)
    }

    /// `last - time`, saturated: timestamps of a damaged or crafted capture can be ±2^63 ns apart
    /// (a pcapng found by FuzzPipeline trapped on the subtraction), and the step is only reported.
    @inlinable
    static func backwardsStep(_ last: Int64, _ time: Int64) -> Int64 {
        let (step, overflow) = last.subtractingReportingOverflow(time)
        return overflow ? .max : step
    }

    @usableFromInline
    mutating func noteBackwards(record: Int, offset: Int64, step: Int64) {
        if backwards == 0 {
            firstBackwardsRecord = record
            firstBackwardsOffset = offset
            firstBackwardsStep = step
        }
        backwards &+= 1
    }

    @usableFromInline
    mutating func noteOversized(record: Int, offset: Int64, length: Int, snapshotLength: Int? = nil) {
        if oversized == 0 {
            firstOversizedRecord = record
            firstOversizedOffset = offset
            firstOversizedLength = length
            firstOversizedSnapshotLength = snapshotLength
        }
        oversized &+= 1
    }

    /// Holds a packet just read for delivery (the merge takes the earliest held packet).
    @inlinable @inline(__always)
    mutating func hold(time: Int64, capturedLength: Int, originalLength: Int, data: UnsafePointer<UInt8>?,
                       linkType: LinkType? = nil) {
        timestamp = time
        self.capturedLength = capturedLength
        self.originalLength = originalLength
        self.data = data
        if let linkType { heldLinkType = linkType }
        state = .holding
        packetsRead &+= 1
    }

    /// With ns precision libpcap puts nanoseconds in `ts.tv_usec` (the field name is historical).
    @inlinable @inline(__always)
    static func nanoseconds(_ h: pcap_pkthdr, tick: Int64) -> Int64 {
        Int64(h.ts.tv_sec) &* 1_000_000_000 &+ Int64(h.ts.tv_usec) &* tick
    }
}
