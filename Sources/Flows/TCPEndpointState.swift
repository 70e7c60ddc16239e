/// What one side of a TCP connection has done, in Zeek's terms; `ConnectionState` is derived from
/// the pair of them.
public enum TCPEndpointState: UInt8, Sendable {
    case inactive       // nothing seen from this side
    case synSent        // sent a SYN
    case synAckSent     // sent a SYN-ACK without having seen the peer's SYN
    case partial        // sent data or ACKs without a SYN (we joined mid-stream)
    case established
    case closed         // sent a FIN
    case reset          // sent a RST
}
