// The small DNS vocabularies (RFC 1035, IANA "Domain Name System (DNS) Parameters"). Values
// BlockWatch does not name are kept as `.unknown(raw)`, never rejected.

/// A resource record or question type; unnamed types are kept as `.unknown(raw)`.
public enum DNSRecordType: Sendable, Hashable, CustomStringConvertible {
    case a, ns, cname, soa, ptr, mx, txt, aaaa, srv, dname, opt, svcb, https, any
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 1: self = .a
        case 2: self = .ns
        case 5: self = .cname
        case 6: self = .soa
        case 12: self = .ptr
        case 15: self = .mx
        case 16: self = .txt
        case 28: self = .aaaa
        case 33: self = .srv
        case 39: self = .dname
        case 41: self = .opt
        case 64: self = .svcb
        case 65: self = .https
        case 255: self = .any
        default: self = .unknown(rawValue)
        }
    }

    @inlinable public var rawValue: UInt16 {
        switch self {
        case .a: 1
        case .ns: 2
        case .cname: 5
        case .soa: 6
        case .ptr: 12
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        case .srv: 33
        case .dname: 39
        case .opt: 41
        case .svcb: 64
        case .https: 65
        case .any: 255
        case .unknown(let raw): raw
        }
    }

    /// The mnemonic dig and tshark print (`AAAA`, `HTTPS`), or `TYPE<n>` (RFC 3597).
    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .dname: "DNAME"
        case .opt: "OPT"
        case .svcb: "SVCB"
        case .https: "HTTPS"
        case .any: "ANY"
        case .unknown(let raw): "TYPE\(raw)"
        }
    }
}

/// A record class; unnamed classes are kept as `.unknown(raw)`.
public enum DNSClass: Sendable, Hashable {
    case internet, chaos, hesiod, none, any
    case unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 1: self = .internet
        case 3: self = .chaos
        case 4: self = .hesiod
        case 254: self = .none
        case 255: self = .any
        default: self = .unknown(rawValue)
        }
    }
}

/// The header's OPCODE (4 bits).
public enum DNSOpcode: Sendable, Hashable {
    case query, inverseQuery, status, notify, update, statefulOperations
    case unknown(UInt8)

    @inlinable public init(rawValue: UInt8) {
        switch rawValue {
        case 0: self = .query
        case 1: self = .inverseQuery
        case 2: self = .status
        case 4: self = .notify
        case 5: self = .update
        case 6: self = .statefulOperations
        default: self = .unknown(rawValue)
        }
    }
}

/// The header's RCODE (4 bits; EDNS's extended bits are not folded in).
public enum DNSResponseCode: Sendable, Hashable, CustomStringConvertible {
    case noError, formErr, servFail, nxDomain, notImp, refused
    case unknown(UInt8)

    @inlinable public init(rawValue: UInt8) {
        switch rawValue {
        case 0: self = .noError
        case 1: self = .formErr
        case 2: self = .servFail
        case 3: self = .nxDomain
        case 4: self = .notImp
        case 5: self = .refused
        default: self = .unknown(rawValue)
        }
    }

    /// The IANA mnemonic (`NXDOMAIN`), as dig prints it.
    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formErr: "FORMERR"
        case .servFail: "SERVFAIL"
        case .nxDomain: "NXDOMAIN"
        case .notImp: "NOTIMP"
        case .refused: "REFUSED"
        case .unknown(let raw): "RCODE\(raw)"
        }
    }
}
