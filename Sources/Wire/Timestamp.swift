/// A packet's time: nanoseconds since the Unix epoch, as libpcap gives it with nanosecond precision.
/// Time in BlockWatch always comes from packets, never from the wall clock.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    @inlinable public init(seconds: Double) { self.nanoseconds = Int64((seconds * 1e9).rounded()) }

    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: Timestamp, b: Duration) -> Timestamp { Timestamp(nanoseconds: a.nanoseconds &+ b.nanoseconds) }
    @inlinable public static func - (a: Timestamp, b: Timestamp) -> Duration { Duration(nanoseconds: a.nanoseconds &- b.nanoseconds) }

    /// A span of packet time. Named apart from Swift's `Duration` to keep nanosecond arithmetic cheap.
    public struct Duration: Hashable, Comparable, Sendable {
        public var nanoseconds: Int64
        @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
        @inlinable public static func seconds(_ s: Double) -> Duration { Duration(nanoseconds: Int64((s * 1e9).rounded())) }
        @inlinable public static func milliseconds(_ ms: Int64) -> Duration { Duration(nanoseconds: ms * 1_000_000) }
        @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }
        @inlinable public static func < (a: Duration, b: Duration) -> Bool { a.nanoseconds < b.nanoseconds }
    }
}
