/// How a `CaptureReader.forEachPacket` call ended.
public struct ReadOutcome: Sendable, Equatable {
    public enum Ending: Sendable, Equatable {
        /// Every input was read to its end (or to the point where it was damaged: see `warnings`).
        case endOfInput
        /// The packet limit (`-c N`) was reached.
        case limitReached
        /// `stop()` / `BreakLoopToken.breakLoop()` ended the loop.
        case stopped
    }

    /// Packets passed to the callback by this call.
    public var packetsDelivered: Int
    /// Problems met after packets were read (truncated or damaged files, a failed live capture).
    public var warnings: [CaptureWarning]
    public var endedBy: Ending

    public init(packetsDelivered: Int, warnings: [CaptureWarning], endedBy: Ending) {
        self.packetsDelivered = packetsDelivered
        self.warnings = warnings
        self.endedBy = endedBy
    }
}
