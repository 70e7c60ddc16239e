/// The data of an SVCB or HTTPS record (RFC 9460): priority, target name and parameters. HTTPS
/// records matter to BlockWatch because they carry address hints (a client may connect to an
/// address no A/AAAA answer named), the ALPN set (h3 means QUIC will be tried) and ECH configs.
public struct DNSServiceBinding {
    public let message: UnsafeRawBufferPointer
    public let dataOffset: Int
    /// The record data.
    public let data: UnsafeRawBufferPointer
    public let target: DNSName
    /// Where the parameters start in `data`.
    let parametersOffset: Int

    /// Validates priority, target and that the parameters fill the record data exactly.
    public init?(message: UnsafeRawBufferPointer, dataOffset: Int, dataLength: Int) {
        guard dataOffset >= 0, dataLength >= 3, dataOffset + dataLength <= message.count else { return nil }
        let end = dataOffset + dataLength
        // RFC 9460 §2.2: the target is never compressed, so it must lie inside the data.
        guard let target = DNSName(in: message, at: dataOffset + 2, end: end),
              target.wireLength == target.encodedLength else { return nil }
        let data = message.slice(from: dataOffset, length: dataLength)
        var offset = 2 + target.encodedLength
        while offset < data.count {
            guard offset + 4 <= data.count else { return nil }
            let next = offset + 4 + Int(data.uint16(at: offset + 2))
            guard next <= data.count else { return nil }
            offset = next
        }
        self.message = message
        self.dataOffset = dataOffset
        self.data = data
        self.target = target
        self.parametersOffset = 2 + target.encodedLength
    }

    @inlinable public var priority: UInt16 { data.uint16(at: 0) }
    /// Priority 0: an alias to `target`, with no parameters of its own.
    @inlinable public var isAliasMode: Bool { priority == 0 }

    /// The parameters in wire order.
    public var parameters: DNSServiceParameters {
        DNSServiceParameters(bytes: data.suffix(from: parametersOffset))
    }

    /// The value of parameter `key`, if present.
    public func parameter(_ key: DNSServiceParameterKey) -> UnsafeRawBufferPointer? {
        for parameter in parameters where parameter.key == key { return parameter.value }
        return nil
    }

    /// The `alpn` parameter: protocol ids such as `h2`, `h3`.
    public var alpn: ALPNProtocolList? {
        parameter(.alpn).flatMap { ALPNProtocolList(entries: $0) }
    }

    /// The `port` parameter.
    public var port: UInt16? {
        guard let value = parameter(.port), value.count == 2 else { return nil }
        return value.uint16(at: 0)
    }

    /// The `ipv4hint` addresses.
    public var ipv4Hints: IPAddressList? {
        parameter(.ipv4Hint).flatMap { IPAddressList($0, width: 4) }
    }

    /// The `ipv6hint` addresses.
    public var ipv6Hints: IPAddressList? {
        parameter(.ipv6Hint).flatMap { IPAddressList($0, width: 16) }
    }

    /// Whether an `ech` parameter (an ECHConfigList) is present.
    public var hasECHConfig: Bool { parameter(.ech) != nil }
}

/// An SvcParamKey (RFC 9460 §14.3.2); unnamed keys are kept as `.unknown(raw)`.
public enum DNSServiceParameterKey: Sendable, Hashable {
    case mandatory, alpn, noDefaultALPN, port, ipv4Hint, ech, ipv6Hint, dohPath, ohttp
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 0: self = .mandatory
        case 1: self = .alpn
        case 2: self = .noDefaultALPN
        case 3: self = .port
        case 4: self = .ipv4Hint
        case 5: self = .ech
        case 6: self = .ipv6Hint
        case 7: self = .dohPath
        case 8: self = .ohttp
        default: self = .unknown(rawValue)
        }
    }
}

/// One SvcParam: key and value bytes.
public struct DNSServiceParameter {
    public let key: DNSServiceParameterKey
    public let value: UnsafeRawBufferPointer
}

/// The parameters of a service binding, iterated without allocating.
public struct DNSServiceParameters: Sequence, IteratorProtocol {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    public mutating func next() -> DNSServiceParameter? {
        guard offset + 4 <= bytes.count else { return nil }
        let length = Int(bytes.uint16(at: offset + 2))
        guard offset + 4 + length <= bytes.count else { offset = bytes.count; return nil }
        let parameter = DNSServiceParameter(key: DNSServiceParameterKey(rawValue: bytes.uint16(at: offset)),
                                            value: bytes.slice(from: offset + 4, length: length))
        offset += 4 + length
        return parameter
    }
}

/// Back-to-back IPv4 (4-byte) or IPv6 (16-byte) addresses, as in ipv4hint and ipv6hint.
public struct IPAddressList: Sequence, IteratorProtocol {
    public let bytes: UnsafeRawBufferPointer
    /// 4 or 16.
    public let width: Int
    var offset = 0

    /// Validates that `bytes` holds a whole, non-zero number of addresses of `width` bytes.
    public init?(_ bytes: UnsafeRawBufferPointer, width: Int) {
        guard width == 4 || width == 16, bytes.count > 0, bytes.count % width == 0 else { return nil }
        self.bytes = bytes
        self.width = width
    }

    @inlinable public var count: Int { bytes.count / width }

    public mutating func next() -> IPAddress? {
        guard offset + width <= bytes.count else { return nil }
        defer { offset += width }
        return width == 4
            ? IPAddress(ipv4: bytes.uint32(at: offset))
            : IPAddress(high: bytes.uint64(at: offset), low: bytes.uint64(at: offset + 8))
    }
}
