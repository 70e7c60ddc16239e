/// One fragment of an IPv4 or IPv6 datagram, as the decoder found it (bytes borrowed).
public struct IPFragment {
    /// The fragment's IP header fields; `protocolNumber` is the datagram's upper-layer protocol.
    public var network: NetworkHeader
    /// Where this fragment's bytes go in the datagram's payload, in bytes.
    public var offset: Int
    public var moreFragments: Bool
    /// The captured fragment payload.
    public var payload: UnsafeRawBufferPointer
    /// The fragment payload length the header promises.
    public var payloadLength: Int

    @inlinable public init(network: NetworkHeader, offset: Int, moreFragments: Bool,
                           payload: UnsafeRawBufferPointer, payloadLength: Int) {
        self.network = network
        self.offset = offset
        self.moreFragments = moreFragments
        self.payload = payload
        self.payloadLength = payloadLength
    }
}
