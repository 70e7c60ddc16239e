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
    }

    public var kind: Kind
    /// The file path, or the interface name for live captures.
    public var source: String
    /// Packets read from this source before the problem (after the filter, if any).
    public var packetsRead: Int
    /// Where in the file reading stopped (`ftell` after the failed read), if known.
    public var byteOffset: Int64?
    /// libpcap's own text.
    public var detail: String

    public init(kind: Kind, source: String, packetsRead: Int, byteOffset: Int64?, detail: String) {
        self.kind = kind
        self.source = source
        self.packetsRead = packetsRead
        self.byteOffset = byteOffset
        self.detail = detail
    }

    public var description: String {
        let at = byteOffset.map { " (at byte \($0))" } ?? ""
        let after = "after \(packetsRead) packet\(packetsRead == 1 ? "" : "s")\(at)"
        switch kind {
        case .truncated:
            return "capture '\(source)' is cut short \(after): \(detail): results cover what could be read"
        case .damaged:
            return "capture '\(source)' is damaged \(after): \(detail): results cover what could be read"
        case .mixedLinkTypes:
            return "capture '\(source)' switches to an interface of another link type \(after): \(detail): "
                + "results cover the packets before the switch"
        case .liveCaptureFailed:
            return "capture on '\(source)' failed \(after): \(detail): results cover what was captured"
        }
    }
}
