/// A view of a plaintext TLS alert (RFC 8446 §6): level and description. A censor's forged
/// handshake_failure or a server's unrecognized_name arrives like this, before encryption starts;
/// later alerts are encrypted (an alert-type record longer than 2 bytes in TLS 1.2, an
/// application-data record in TLS 1.3) and cannot be read.
public struct TLSAlert {
    /// The 2-byte alert body.
    public let bytes: UnsafeRawBufferPointer

    /// Validates a 2-byte alert body (the fragment of an alert record).
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 2 else { return nil }
        self.bytes = bytes
    }

    /// Validates a whole alert record with a plaintext (2-byte) body.
    public init?(record: UnsafeRawBufferPointer) {
        guard let record = TLSRecord(record), record.contentType == .alert else { return nil }
        self.init(record.fragment)
    }

    @inlinable public var level: TLSAlertLevel { TLSAlertLevel(rawValue: bytes.byte(at: 0)) }
    /// What went wrong (the RFC calls this field "description").
    @inlinable public var alertDescription: TLSAlertDescription { TLSAlertDescription(rawValue: bytes.byte(at: 1)) }
}

/// An alert's level; unnamed levels are kept as `.unknown(raw)`.
public enum TLSAlertLevel: Sendable, Hashable {
    case warning, fatal
    case unknown(UInt8)

    @inlinable public init(rawValue: UInt8) {
        switch rawValue {
        case 1: self = .warning
        case 2: self = .fatal
        default: self = .unknown(rawValue)
        }
    }
}

/// An alert's description (IANA "TLS Alerts"); unnamed values are kept as `.unknown(raw)`.
public enum TLSAlertDescription: Sendable, Hashable, CustomStringConvertible {
    case closeNotify, unexpectedMessage, badRecordMAC, recordOverflow, handshakeFailure, badCertificate
    case unsupportedCertificate, certificateRevoked, certificateExpired, certificateUnknown
    case illegalParameter, unknownCA, accessDenied, decodeError, decryptError, protocolVersion
    case insufficientSecurity, internalError, inappropriateFallback, userCanceled, noRenegotiation
    case missingExtension, unsupportedExtension, unrecognizedName, badCertificateStatusResponse
    case unknownPSKIdentity, certificateRequired, noApplicationProtocol, echRequired
    case unknown(UInt8)

    @inlinable public init(rawValue: UInt8) {
        switch rawValue {
        case 0: self = .closeNotify
        case 10: self = .unexpectedMessage
        case 20: self = .badRecordMAC
        case 22: self = .recordOverflow
        case 40: self = .handshakeFailure
        case 42: self = .badCertificate
        case 43: self = .unsupportedCertificate
        case 44: self = .certificateRevoked
        case 45: self = .certificateExpired
        case 46: self = .certificateUnknown
        case 47: self = .illegalParameter
        case 48: self = .unknownCA
        case 49: self = .accessDenied
        case 50: self = .decodeError
        case 51: self = .decryptError
        case 70: self = .protocolVersion
        case 71: self = .insufficientSecurity
        case 80: self = .internalError
        case 86: self = .inappropriateFallback
        case 90: self = .userCanceled
        case 100: self = .noRenegotiation
        case 109: self = .missingExtension
        case 110: self = .unsupportedExtension
        case 112: self = .unrecognizedName
        case 113: self = .badCertificateStatusResponse
        case 115: self = .unknownPSKIdentity
        case 116: self = .certificateRequired
        case 120: self = .noApplicationProtocol
        case 121: self = .echRequired
        default: self = .unknown(rawValue)
        }
    }

    /// The RFC's snake_case name (`handshake_failure`), as tshark and Zeek print it.
    public var description: String {
        switch self {
        case .closeNotify: "close_notify"
        case .unexpectedMessage: "unexpected_message"
        case .badRecordMAC: "bad_record_mac"
        case .recordOverflow: "record_overflow"
        case .handshakeFailure: "handshake_failure"
        case .badCertificate: "bad_certificate"
        case .unsupportedCertificate: "unsupported_certificate"
        case .certificateRevoked: "certificate_revoked"
        case .certificateExpired: "certificate_expired"
        case .certificateUnknown: "certificate_unknown"
        case .illegalParameter: "illegal_parameter"
        case .unknownCA: "unknown_ca"
        case .accessDenied: "access_denied"
        case .decodeError: "decode_error"
        case .decryptError: "decrypt_error"
        case .protocolVersion: "protocol_version"
        case .insufficientSecurity: "insufficient_security"
        case .internalError: "internal_error"
        case .inappropriateFallback: "inappropriate_fallback"
        case .userCanceled: "user_canceled"
        case .noRenegotiation: "no_renegotiation"
        case .missingExtension: "missing_extension"
        case .unsupportedExtension: "unsupported_extension"
        case .unrecognizedName: "unrecognized_name"
        case .badCertificateStatusResponse: "bad_certificate_status_response"
        case .unknownPSKIdentity: "unknown_psk_identity"
        case .certificateRequired: "certificate_required"
        case .noApplicationProtocol: "no_application_protocol"
        case .echRequired: "ech_required"
        case .unknown(let raw): "alert_\(raw)"
        }
    }
}
