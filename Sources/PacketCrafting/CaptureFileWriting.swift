import Capture

extension LinkFraming {
    /// The capture link type this framing is written under.
    public var linkType: LinkType { LinkType(rawValue: dataLinkType) }
}

/// Writes crafted frames to classic pcap files (nanosecond timestamps) through `Capture.CaptureWriter`.
public enum CaptureFileWriting {
    /// Writes `frames` to `path` in order; frames longer than `snapshotLength` are cut and keep
    /// their original length.
    public static func write(_ frames: [TimedFrame], to path: String, link: LinkFraming,
                             snapshotLength: Int = 262_144) throws(CaptureError) {
        let writer = try CaptureWriter(path: path, linkType: link.linkType, snapshotLength: snapshotLength)
        for frame in frames {
            writer.write(timestampNanoseconds: frame.timestampNanoseconds, bytes: frame.bytes, originalLength: frame.originalLength)
        }
        try writer.finish()
    }

    /// Frames `packets` for `link` (sorted by time, stable) and writes them to `path`.
    public static func write(_ packets: [TimedPacket], to path: String, link: LinkFraming,
                             snapshotLength: Int = 262_144) throws(CaptureError) {
        try write(link.frames(sortedByTime(packets)), to: path, link: link, snapshotLength: snapshotLength)
    }

    /// `packets` in time order; packets with equal times keep their order.
    public static func sortedByTime(_ packets: [TimedPacket]) -> [TimedPacket] {
        packets.enumerated().sorted {
            ($0.element.timestampNanoseconds, $0.offset) < ($1.element.timestampNanoseconds, $1.offset)
        }.map(\.element)
    }
}

extension BenchmarkCaptureGenerator {
    /// Generates the capture into `path` (Ethernet, nanosecond pcap).
    @discardableResult
    public func write(to path: String) throws -> Summary {
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        let summary = try generate { time, bytes in writer.write(timestampNanoseconds: time, bytes: bytes) }
        try writer.finish()
        return summary
    }
}

extension FloodCaptureGenerator {
    /// Generates the capture into `path` (Ethernet, nanosecond pcap; `/dev/stdout` streams it).
    @discardableResult
    public func write(to path: String) throws -> Summary {
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        let summary = generate { time, bytes in writer.write(timestampNanoseconds: time, bytes: bytes) }
        try writer.finish()
        return summary
    }
}
