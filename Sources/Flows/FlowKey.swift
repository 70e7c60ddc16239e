import Wire

/// One side of a conversation.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    @inlinable @inline(__always) public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String {
        address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}

/// A flow's identity: protocol plus both endpoints in a canonical order, so both directions of
/// a conversation find the same flow. Hashes five words, all inline.
public struct FlowKey: Hashable, Sendable {
    public var lower: Endpoint
    public var upper: Endpoint
    public var protocolNumber: UInt8

    @inlinable @inline(__always) public init(protocolNumber: UInt8, _ a: Endpoint, _ b: Endpoint) {
        self.protocolNumber = protocolNumber
        if a.address < b.address || (a.address == b.address && a.port <= b.port) {
            lower = a
            upper = b
        } else {
            lower = b
            upper = a
        }
    }

    @inlinable public static func == (x: FlowKey, y: FlowKey) -> Bool {
        x.lower.address == y.lower.address && x.upper.address == y.upper.address
            && x.lower.port == y.lower.port && x.upper.port == y.upper.port && x.protocolNumber == y.protocolNumber
    }

    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(lower.address.high)
        hasher.combine(lower.address.low)
        hasher.combine(upper.address.high)
        hasher.combine(upper.address.low)
        hasher.combine(UInt64(lower.port) << 32 | UInt64(upper.port) << 8 | UInt64(protocolNumber))
    }
}
