#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how a live capture saves its packets (`-w`, `-C`, `-G`, `--pcapng`), tcpdump's way.
public struct CaptureSaving: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable { case pcap, pcapng }

    /// The file name; with a rotation period it is a strftime(3) pattern, as in tcpdump's `-G`.
    public var path: String
    public var format: Format
    /// Start a new file once this many bytes were written (tcpdump's `-C`, in millions of bytes).
    public var rotateBytes: Int?
    /// Start a new file every this many seconds (tcpdump's `-G`).
    public var rotateSeconds: Int?

    /// The format follows the extension (`.pcapng` → pcapng) unless one is given.
    public init(path: String, format: Format? = nil, rotateBytes: Int? = nil, rotateSeconds: Int? = nil) {
        self.path = path
        self.format = format ?? (path.lowercased().hasSuffix(".pcapng") ? .pcapng : .pcap)
        self.rotateBytes = rotateBytes
        self.rotateSeconds = rotateSeconds
    }

    /// The name of a file: the pattern expanded at `epochSeconds` (UTC) when rotating by time, then
    /// the file's number within that period appended from the second file on when rotating by
    /// size — `file`, `file1`, `file2`, … as tcpdump's `-C` names them.
    public func fileName(epochSeconds: Int, number: Int) -> String {
        var name = path
        if rotateSeconds != nil { name = Self.strftimeUTC(path, epochSeconds) }
        if rotateBytes != nil && number > 0 { name += String(number) }
        return name
    }

    static func strftimeUTC(_ pattern: String, _ epochSeconds: Int) -> String {
        var time = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var out = [CChar](repeating: 0, count: 4096)
        // Safety: `out` has room for 4096 bytes and strftime writes at most that many.
        let n = out.withUnsafeMutableBufferPointer { strftime($0.baseAddress, $0.count, pattern, &parts) }
        if n == 0 { return pattern }   // empty expansion or too long: keep the name as given
        return out.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Saves captured packets to one file after another, rotating by size and/or time.
/// Not `Sendable`; write from the capture loop.
public final class RotatingCaptureWriter {
    public let saving: CaptureSaving
    public let linkType: LinkType
    public let snapshotLength: Int
    /// Every file opened so far, in order.
    public private(set) var files: [String] = []

    private enum Sink {
        case pcap(CaptureWriter, bytes: Int)
        case pcapng(PcapngWriter)
    }
    private var sink: Sink?
    private var periodStart = 0
    private var number = 0

    /// Opens the first file now (before privileges are dropped, as tcpdump does).
    public init(saving: CaptureSaving, linkType: LinkType, snapshotLength: Int, startEpochSeconds: Int) throws(CaptureError) {
        self.saving = saving
        self.linkType = linkType
        self.snapshotLength = snapshotLength
        periodStart = startEpochSeconds
        try open(epochSeconds: startEpochSeconds)
    }

    private func open(epochSeconds: Int) throws(CaptureError) {
        try finishCurrent()
        let name = saving.fileName(epochSeconds: epochSeconds, number: number)
        switch saving.format {
        case .pcap: sink = .pcap(try CaptureWriter(path: name, linkType: linkType, snapshotLength: snapshotLength), bytes: 24)
        case .pcapng: sink = .pcapng(try PcapngWriter(path: name, linkType: linkType, snapshotLength: snapshotLength))
        }
        files.append(name)
    }

    private var currentBytes: Int {
        switch sink {
        case .pcap(_, let bytes): bytes
        case .pcapng(let w): w.bytesWritten
        case nil: 0
        }
    }

    /// Appends one packet, first starting a new file when its period ended or the current one is full.
    public func write(_ packet: borrowing CapturedPacket) throws(CaptureError) {
        let seconds = Int(packet.timestampNanoseconds / 1_000_000_000)
        if let period = saving.rotateSeconds, period > 0, seconds >= periodStart + period {
            // A new period: named after its first packet's time (tcpdump names it after the open).
            number = 0
            periodStart = seconds
            try open(epochSeconds: seconds)
        } else if let limit = saving.rotateBytes, currentBytes >= limit {
            number += 1
            try open(epochSeconds: periodStart)
        }
        switch sink {
        case .pcap(let w, let bytes):
            w.write(timestampNanoseconds: packet.timestampNanoseconds, bytes: packet.bytes, originalLength: packet.originalLength)
            sink = .pcap(w, bytes: bytes + 16 + Swift.min(packet.capturedLength, snapshotLength))
        case .pcapng(let w):
            w.write(timestampNanoseconds: packet.timestampNanoseconds, bytes: packet.bytes, originalLength: packet.originalLength)
        case nil:
            break
        }
    }

    public func flush() throws(CaptureError) {
        switch sink {
        case .pcap(let w, _): try w.flush()
        case .pcapng(let w): try w.flush()
        case nil: break
        }
    }

    private func finishCurrent() throws(CaptureError) {
        defer { sink = nil }
        switch sink {
        case .pcap(let w, _): try w.finish()
        case .pcapng(let w): try w.flush(); w.close()
        case nil: break
        }
    }

    /// Flushes and closes the current file, reporting a write error.
    public func finish() throws(CaptureError) { try finishCurrent() }
}
