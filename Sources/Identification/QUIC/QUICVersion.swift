/// A QUIC version, as the long header's 32-bit version field names it.
///
/// BlockWatch derives Initial keys for v1 (RFC 9001), v2 (RFC 9369) and the pre-RFC versions
/// still seen in captures: IETF drafts 22–32 and Facebook mvfst's 0xfaceb001 (draft-22),
/// 0xfaceb002 and 0xfaceb00e (draft-27). Anything else — Google QUIC (Q046/Q050/T051),
/// older drafts, future versions — is `.unknown` and cannot be decrypted.
public enum QUICVersion: Hashable, Sendable, CustomStringConvertible {
    /// QUIC version 1, 0x00000001 (RFC 9000).
    case v1
    /// QUIC version 2, 0x6b3343cf (RFC 9369).
    case v2
    /// A pre-RFC version whose Initial keys are known, by its raw wire value: 0xff0000NN for
    /// IETF draft NN, 0xfaceb0NN for mvfst.
    case draft(UInt32)
    /// Any other version, by its raw wire value (0 is version negotiation).
    case unknown(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 0x0000_0001: self = .v1
        case 0x6B33_43CF: self = .v2
        case _ where QUICVersion.draftNumber(of: rawValue) != nil: self = .draft(rawValue)
        default: self = .unknown(rawValue)
        }
    }

    /// The value on the wire.
    public var rawValue: UInt32 {
        switch self {
        case .v1: 0x0000_0001
        case .v2: 0x6B33_43CF
        case .draft(let raw), .unknown(let raw): raw
        }
    }

    /// Whether BlockWatch can derive this version's Initial keys.
    public var isDecryptable: Bool { initialSalt != nil }

    public var description: String {
        switch self {
        case .v1: "v1"
        case .v2: "v2"
        case .draft(let raw):
            if let draft = QUICVersion.draftNumber(of: raw), raw >> 8 == 0xFF_0000 { "draft-\(draft)" }
            else { "mvfst-0x" + String(raw, radix: 16) }
        case .unknown(let raw): "0x" + String(raw, radix: 16)
        }
    }

    /// The IETF draft a pre-RFC version follows, for the decryptable ones. mvfst's mapping is
    /// Wireshark's (packet-quic.c, `quic_draft_version`).
    static func draftNumber(of rawValue: UInt32) -> Int? {
        switch rawValue {
        case 0xFF00_0016...0xFF00_0020: Int(rawValue & 0xFF)
        case 0xFACE_B001: 22
        case 0xFACE_B002, 0xFACE_B00E: 27
        default: nil
        }
    }

    /// The Initial salt (RFC 9001 §5.2, RFC 9369 §3.3.1, and the drafts' §5.2), nil when unknown.
    var initialSalt: [UInt8]? {
        switch self {
        case .v1: QUICVersion.saltV1
        case .v2: QUICVersion.saltV2
        case .draft(let raw):
            switch QUICVersion.draftNumber(of: raw) ?? 0 {
            case 22: QUICVersion.saltDraft22
            case 23...28: QUICVersion.saltDraft23
            case 29...32: QUICVersion.saltDraft29
            default: nil
            }
        case .unknown: nil
        }
    }

    /// The long-header packet type the 2 type bits encode. v2 rotated them (RFC 9369 §3.2) so
    /// that middleboxes ossified on v1's Initial = 0 do not ossify on v2's.
    func packetType(bits: UInt8) -> QUICLongPacketType {
        let v1Bits = self == .v2 ? (bits &+ 3) & 0x03 : bits & 0x03
        switch v1Bits {
        case 0: return .initial
        case 1: return .zeroRTT
        case 2: return .handshake
        default: return .retry
        }
    }

    static let saltV1: [UInt8] = [0x38, 0x76, 0x2C, 0xF7, 0xF5, 0x59, 0x34, 0xB3, 0x4D, 0x17,
                                  0x9A, 0xE6, 0xA4, 0xC8, 0x0C, 0xAD, 0xCC, 0xBB, 0x7F, 0x0A]
    static let saltV2: [UInt8] = [0x0D, 0xED, 0xE3, 0xDE, 0xF7, 0x00, 0xA6, 0xDB, 0x81, 0x93,
                                  0x81, 0xBE, 0x6E, 0x26, 0x9D, 0xCB, 0xF9, 0xBD, 0x2E, 0xD9]
    /// Drafts 29–32 (draft-ietf-quic-tls-29 §5.2).
    static let saltDraft29: [UInt8] = [0xAF, 0xBF, 0xEC, 0x28, 0x99, 0x93, 0xD2, 0x4C, 0x9E, 0x97,
                                       0x86, 0xF1, 0x9C, 0x61, 0x11, 0xE0, 0x43, 0x90, 0xA8, 0x99]
    /// Drafts 23–28 (draft-ietf-quic-tls-23 §5.2).
    static let saltDraft23: [UInt8] = [0xC3, 0xEE, 0xF7, 0x12, 0xC7, 0x2E, 0xBB, 0x5A, 0x11, 0xA7,
                                       0xD2, 0x43, 0x2B, 0xB4, 0x63, 0x65, 0xBE, 0xF9, 0xF5, 0x02]
    /// Drafts 21–22 (draft-ietf-quic-tls-22 §5.2); mvfst 0xfaceb001 uses it.
    static let saltDraft22: [UInt8] = [0x7F, 0xBC, 0xDB, 0x0E, 0x7C, 0x66, 0xBB, 0xE9, 0x19, 0x3A,
                                       0x96, 0xCD, 0x21, 0x51, 0x9E, 0xBD, 0x7A, 0x02, 0x64, 0x4A]
}

/// A long-header packet type (RFC 9000 §17.2), independent of how a version encodes it.
enum QUICLongPacketType: Sendable, Equatable {
    case initial, zeroRTT, handshake, retry
}
