/// Something went wrong after packets were already read: the results stand, but cover only part of
/// the input. Reports show these; they are the observer's loss, never evidence of blocking.
public struct CaptureWarning: Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file ends in the middle of a record (a killed tcpdump, a partial copy).
        case truncated
        /// A record or block is corrupt; libpcap cannot read past it.
        case damaged
        /// A pcapng file introduces an interface with another link type; libpcap stops there.
        case mixedLinkTypes
        /// A live capture failed while running (e.g. the interface went away).
        case liveCaptureFailed
        /// Records whose timestamps go back in time (reading goes on; packets keep file order).
        case timestampsBackwards
        /// Records that hold more bytes than the file's snapshot length (a wrong snaplen in the
        /// file header, or corrupt records); libpcap keeps only the first snaplen bytes of each.
        case longerThanSnapshot
        /// A pcapng read by BlockWatch has packets of a link type the BPF filter does not compile
        /// for: they match nothing and are left out (`occurrences` counts them).
        case filterNotApplicable
    }

    public var kind: Kind
    /// The file path, or the interface name for live captures.
    public var source: String
    /// Packets read from this source before the problem (after the filter, if any).
    public var packetsRead: Int
    /// Where in the file reading stopped (`ftell` after the failed read), if known.
    public var byteOffset: Int64?
    /// libpcap's own text, or what was found.
    public var detail: String
    /// Where the damage is: the record's number in the file (1 = the first; with a BPF filter,
    /// counted among the packets that matched, except in a pcapng, whose packet blocks are all counted),
    /// and the byte offset where it starts (a pcapng: its block), if known.
    public var record: Int?
    public var recordOffset: Int64?
    /// How many records have this problem (backwards timestamps, oversized records).
    public var occurrences: Int

    public init(kind: Kind, source: String, packetsRead: Int, byteOffset: Int64?, detail: String,
                record: Int? = nil, recordOffset: Int64? = nil, occurrences: Int = 1) {
        self.kind = kind
        self.source = source
        self.packetsRead = packetsRead
        self.byteOffset = byteOffset
        self.detail = detail
        self.record = record
        self.recordOffset = recordOffset
        self.occurrences = occurrences
    }

    /// "record 5 at byte 1234", "record 5", or "byte 1234".
    var position: String? {
        switch (record, recordOffset) {
        case let (r?, o?): return "record \(r) at byte \(o)"
        case let (r?, nil): return "record \(r)"
        case let (nil, o?): return "byte \(o)"
        default: return nil
        }
    }

    public var description: String {
        var at = ""
        if let position, let byteOffset, byteOffset != recordOffset {
            at = " (in \(position), reading stopped at byte \(byteOffset))"
        } else if let position {
            at = " (in \(position))"
        } else if let byteOffset {
            at = " (at byte \(byteOffset))"
        }
        let after = "after \(packetsRead) packet\(packetsRead == 1 ? "" : "s")\(at)"
        let times = occurrences == 1 ? "once" : "\(occurrences) times"
        switch kind {
        case .truncated:
            return "capture '\(source)' is cut short \(after): \(detail): results cover what could be read"
        case .damaged:
            return "capture '\(source)' is damaged \(after): \(detail): results cover what could be read"
        case .filterNotApplicable:
            return "capture '\(source)' has \(occurrences) packet\(occurrences == 1 ? "" : "s") the filter cannot apply to, "
                + "left out: \(detail)"
        case .mixedLinkTypes:
            return "capture '\(source)' switches to an interface of another link type \(after): \(detail): "
                + "results cover the packets before the switch"
        case .liveCaptureFailed:
            return "capture on '\(source)' failed \(after): \(detail): results cover what was captured"
        case .timestampsBackwards:
            return "capture '\(source)' goes back in time \(times) (first in \(position ?? "an unknown record")): \(detail): "
                + "packets are used in file order"
        case .longerThanSnapshot:
            return "capture '\(source)' has \(occurrences) record\(occurrences == 1 ? "" : "s") longer than its snapshot length "
                + "(first: \(position ?? "an unknown record")): \(detail)"
        }
    }
}

extension CaptureWarning {
    /// A span of nanoseconds for a person: "500 µs", "250 ms", "3.500 s", "3 h 20 min", "12 days".
    static func duration(_ nanoseconds: Int64) -> String {
        if nanoseconds < 1_000_000 { return "\(nanoseconds / 1000) µs" }
        if nanoseconds < 1_000_000_000 { return "\(nanoseconds / 1_000_000) ms" }
        let seconds = nanoseconds / 1_000_000_000
        if seconds < 60 {
            let fraction = String(nanoseconds / 1_000_000 % 1000)
            return "\(seconds).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
        }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        if seconds < 172_800 { return "\(seconds / 3600) h \(seconds % 3600 / 60) min" }
        return "\(seconds / 86_400) days"
    }
}
