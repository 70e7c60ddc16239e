/// An ARP message for IPv4 over Ethernet (RFC 826): 28 bytes, EtherType 0x0806.
public struct ARPBuilder: Sendable {
    /// 1 = request, 2 = reply.
    public var operation: UInt16
    public var senderHardware: MACAddress
    public var senderAddress: HostAddress
    public var targetHardware: MACAddress
    public var targetAddress: HostAddress

    /// Any ARP message.
    public init(operation: UInt16, senderHardware: MACAddress, senderAddress: HostAddress,
                targetHardware: MACAddress, targetAddress: HostAddress) {
        self.operation = operation
        self.senderHardware = senderHardware
        self.senderAddress = senderAddress
        self.targetHardware = targetHardware
        self.targetAddress = targetAddress
    }

    /// "Who has `target`? Tell `sender`."
    public static func request(from hardware: MACAddress, _ address: HostAddress, asking target: HostAddress) -> ARPBuilder {
        ARPBuilder(operation: 1, senderHardware: hardware, senderAddress: address, targetHardware: .zero, targetAddress: target)
    }

    /// "`address` is at `hardware`", answering `requester`.
    public static func reply(from hardware: MACAddress, _ address: HostAddress,
                             to requesterHardware: MACAddress, _ requester: HostAddress) -> ARPBuilder {
        ARPBuilder(operation: 2, senderHardware: hardware, senderAddress: address,
                   targetHardware: requesterHardware, targetAddress: requester)
    }

    /// The 28 message bytes (Ethernet's minimum-size padding is the framer's business).
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt16(1))                 // hardware type: Ethernet
        bytes.appendBigEndian(EtherTypeNumber.ipv4)      // protocol type
        bytes += [6, 4]
        bytes.appendBigEndian(operation)
        bytes += senderHardware.bytes
        bytes.appendBigEndian(senderAddress.ipv4Value)
        bytes += targetHardware.bytes
        bytes.appendBigEndian(targetAddress.ipv4Value)
        return bytes
    }
}
