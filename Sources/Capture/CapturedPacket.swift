/// One packet as the capture loop hands it over: a borrowed view into libpcap's buffer.
///
/// `bytes` is valid only inside the callback that receives the packet; libpcap reuses the buffer
/// for the next read. Copy out what must be kept (addresses, ports, names), never the view.
public struct CapturedPacket {
    /// Time the packet was captured, in nanoseconds since the Unix epoch (µs captures end in 000).
    public let timestampNanoseconds: Int64
    /// Bytes present in `bytes` (at most the snapshot length).
    public let capturedLength: Int
    /// Length of the packet on the wire; larger than `capturedLength` when the snapshot length cut it.
    public let originalLength: Int
    /// How to decode `bytes`.
    public let linkType: LinkType
    /// Which input it came from: the index into the reader's `files`, or 0 for a single handle.
    public let sourceIndex: Int
    /// The captured bytes, starting with the link-layer header.
    public let bytes: UnsafeRawBufferPointer

    @inlinable
    public init(
        timestampNanoseconds: Int64,
        capturedLength: Int,
        originalLength: Int,
        linkType: LinkType,
        sourceIndex: Int,
        bytes: UnsafeRawBufferPointer
    ) {
        self.timestampNanoseconds = timestampNanoseconds
        self.capturedLength = capturedLength
        self.originalLength = originalLength
        self.linkType = linkType
        self.sourceIndex = sourceIndex
        self.bytes = bytes
    }

    /// Whether the snapshot length cut the packet (the capture's loss, not the network's).
    @inlinable
    public var isTruncatedBySnapshot: Bool { capturedLength < originalLength }
}
