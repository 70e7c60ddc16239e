import Wire

/// Packets seen per second of capture time: a bin without packets is a hole in the capture
/// (never a cutoff), and a bin with packets but no attempts is an idle host (never a block).
public struct PacketActivity: Sendable {
    public private(set) var first: Timestamp?
    public private(set) var last: Timestamp?
    var perSecond: [UInt32] = []
    /// Packets the capture dropped (kernel or interface), per second of capture time; live
    /// captures report them as they happen. Empty for files.
    var dropsPerSecond: [UInt32] = []
    /// Packets timed more than `horizon` after the first one (a clock jump, a forged timestamp):
    /// counted here, never binned, so one bad record cannot make the analysis span years.
    public private(set) var beyondHorizon = 0
    /// 115 days of per-second counters (40 MB at most); a month-long capture needs 10 MB.
    public static let horizonSeconds = 10_000_000

    public init() {}

    public mutating func note(_ time: Timestamp) {
        guard let origin = first else {
            first = time
            last = time
            perSecond = [1]
            return
        }
        let second = Int((time.nanoseconds &- origin.nanoseconds) / 1_000_000_000)
        guard second >= 0 else { return }   // out-of-order records before the first: counted in flows already
        guard second < PacketActivity.horizonSeconds else {
            beyondHorizon += 1
            return
        }
        if time > last! { last = time }
        if second >= perSecond.count {
            perSecond.append(contentsOf: repeatElement(0, count: second - perSecond.count + 1))
        }
        perSecond[second] &+= 1
    }

    /// Notes `count` packets the capture dropped around `time` (from pcap statistics).
    public mutating func noteDrops(_ count: Int, at time: Timestamp) {
        guard count > 0 else { return }
        if first == nil { note(time); perSecond[0] = 0 }
        guard let origin = first else { return }
        let second = max(0, Int((time.nanoseconds &- origin.nanoseconds) / 1_000_000_000))
        guard second < PacketActivity.horizonSeconds else { return }
        if second >= dropsPerSecond.count {
            dropsPerSecond.append(contentsOf: repeatElement(0, count: second - dropsPerSecond.count + 1))
        }
        dropsPerSecond[second] = dropsPerSecond[second] &+ UInt32(clamping: count)
    }

    /// Packets in [start, start + width) of capture time.
    func packets(from start: Timestamp, width: Timestamp.Duration) -> Int {
        PacketActivity.sum(perSecond, from: start, width: width, origin: first)
    }

    /// Packets the capture dropped in [start, start + width) of capture time.
    func drops(from start: Timestamp, width: Timestamp.Duration) -> Int {
        PacketActivity.sum(dropsPerSecond, from: start, width: width, origin: first)
    }

    private static func sum(_ counts: [UInt32], from start: Timestamp, width: Timestamp.Duration, origin: Timestamp?) -> Int {
        guard let origin else { return 0 }
        let from = max(0, Int((start.nanoseconds - origin.nanoseconds) / 1_000_000_000))
        let to = min(counts.count, Int((start.nanoseconds + width.nanoseconds - origin.nanoseconds + 999_999_999) / 1_000_000_000))
        guard from < to else { return 0 }
        return counts[from..<to].reduce(0) { $0 + Int($1) }
    }
}
