/// The client's Initial CRYPTO stream, reassembled from frames that arrive split over packets and
/// datagrams, out of order and overlapping (Chrome scatters its ClientHello over many small
/// CRYPTO frames in two Initials). Bounded: bytes past `capacity` are dropped and at most
/// `maximumRanges` disjoint pieces are tracked.
struct QUICCryptoStream: Sendable {
    /// The largest stream BlockWatch keeps: a post-quantum ClientHello is ~1.8 KB, and anything
    /// near this size is not a browser's hello.
    static let capacity = 16 * 1024
    /// How many separate received ranges are tracked before more fragmentation is refused.
    static let maximumRanges = 64

    /// Stream bytes from offset 0, grown as frames need; holes are zero until filled.
    private var buffer: [UInt8] = []
    /// The received ranges, sorted, disjoint and not adjacent.
    private var ranges: [Range<Int>] = []

    /// What the stream holds so far.
    enum Status: Equatable {
        /// The handshake message is not all there yet.
        case incomplete
        /// The message at offset 0 is complete and `length` bytes long (header included).
        case complete(length: Int)
        /// The stream does not start with a ClientHello.
        case notClientHello
        /// The ClientHello announces more bytes than `capacity`.
        case tooLarge
    }

    /// Heap bytes the stream holds (its buffers' capacity), for the payload budget.
    var retainedBytes: Int { buffer.capacity + ranges.capacity * MemoryLayout<Range<Int>>.stride }

    /// Whether nothing has been received.
    var isEmpty: Bool { ranges.isEmpty }

    /// How many bytes are contiguous from offset 0.
    var contiguousLength: Int { ranges.first.map { $0.lowerBound == 0 ? $0.upperBound : 0 } ?? 0 }

    /// Adds a CRYPTO frame's data. The part beyond `capacity` is dropped (the status reports a
    /// hello too large to fit); false when the piece could not be tracked.
    @discardableResult
    mutating func insert(offset: UInt64, data: UnsafeRawBufferPointer) -> Bool {
        guard offset < UInt64(QUICCryptoStream.capacity), !data.isEmpty else { return true }
        let start = Int(offset)
        let end = min(start + data.count, QUICCryptoStream.capacity)
        // Find the tracked ranges the new piece overlaps or touches; they merge into one.
        var first = 0
        while first < ranges.count, ranges[first].upperBound < start { first += 1 }
        var last = first
        var merged = start..<end
        while last < ranges.count, ranges[last].lowerBound <= end {
            merged = min(merged.lowerBound, ranges[last].lowerBound)..<max(merged.upperBound, ranges[last].upperBound)
            last += 1
        }
        guard first < last || ranges.count < QUICCryptoStream.maximumRanges else { return false }
        if buffer.count < end {
            if buffer.capacity == 0 { buffer.reserveCapacity(max(end, 2048)) }
            buffer.append(contentsOf: repeatElement(0, count: end - buffer.count))
        }
        // Overlapping bytes are the same stream bytes resent; the later copy simply wins.
        for index in 0..<(end - start) { buffer[start + index] = data[index] }
        if ranges.capacity == 0 { ranges.reserveCapacity(QUICCryptoStream.maximumRanges) }
        ranges.replaceSubrange(first..<last, with: CollectionOfOne(merged))
        return true
    }

    /// Forgets everything received, keeping the buffers: the handshake restarted from offset 0.
    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
    }

    /// Whether a whole ClientHello handshake message (type 1, 3-byte length) is present at 0.
    var status: Status {
        let available = contiguousLength
        guard available >= 1 else { return .incomplete }
        guard buffer[0] == 1 else { return .notClientHello }
        guard available >= 4 else { return .incomplete }
        let length = 4 + (Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3]))
        guard length <= QUICCryptoStream.capacity else { return .tooLarge }
        return available >= length ? .complete(length: length) : .incomplete
    }

    /// Calls `body` with the first `length` stream bytes; `length` must be within `contiguousLength`.
    func withBytes<R>(length: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(length <= contiguousLength)
        return buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }
}
