/// A UDP datagram (RFC 768); the checksum covers the pseudo-header unless omitted or overridden.
public struct UDPBuilder: TransportSegment {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var payload: [UInt8]
    /// Writes this length instead of the real one (e.g. longer than the IP payload).
    public var lengthOverride: UInt16?
    /// Writes this checksum instead of the computed one (0 = "no checksum", IPv4 only).
    public var checksumOverride: UInt16?

    /// A datagram carrying `payload`.
    public init(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8] = []) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
        self.lengthOverride = nil
        self.checksumOverride = nil
    }

    public var ipProtocol: UInt8 { IPProtocolNumber.udp }

    public func serialized(source: HostAddress, destination: HostAddress) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + payload.count)
        bytes.appendBigEndian(sourcePort)
        bytes.appendBigEndian(destinationPort)
        bytes.appendBigEndian(lengthOverride ?? UInt16(truncatingIfNeeded: 8 + payload.count))
        bytes.appendBigEndian(UInt16(0))
        bytes += payload
        var checksum: UInt16
        if let checksumOverride {
            checksum = checksumOverride
        } else {
            // The pseudo-header carries the real length even when the length field lies.
            checksum = Checksum.transport(bytes, source: source, destination: destination, protocolNumber: ipProtocol)
            if checksum == 0 { checksum = 0xFFFF }  // RFC 768: a computed zero is sent as all ones
        }
        bytes.storeBigEndian(checksum, at: 6)
        return bytes
    }
}
