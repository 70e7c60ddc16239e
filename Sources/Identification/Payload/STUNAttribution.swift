import Wire

/// Which app a STUN/TURN message belongs to (methods.md A.4, after nDPI's `stun.c`):
/// - WhatsApp: its own message types 0x0800–0x0805 and attributes 0x4000–0x4007. 0x0800–0x0802
///   are nDPI's; 0x0804 and 0x0805 appear in the same calls (`stun_wa_call.pcapng`).
/// - REALM containing google.com, signal.org or whispersystems.org, facebook, telegram, viber.
///   "facebook" is attributed to Messenger: WhatsApp's calls are told apart by the above.
/// - Microsoft's MS-ICE2/MS-TURN attributes 0x8054, 0x8055, 0x8070, 0x8095: Teams and Skype.
/// Google's 0xC057 (GOOG-NETWORK-INFO) is deliberately not used: every libwebrtc client sends it.
enum STUNAttribution {
    static let cookie: UInt32 = 0x2112_A442

    static func match(_ message: STUNMessage) -> PayloadMatch {
        if let match = whatsAppType(message.messageType) { return match }
        for attribute in message.attributes {
            if let match = attributed(type: attribute.rawType, value: PayloadBytes(attribute.value)) { return match }
        }
        return PayloadMatch(applicationProtocol: .stun, evidence: .stun)
    }

    /// A UDP datagram holding one STUN message (standard or RFC 3489), or one of WhatsApp's that
    /// does not pad its attributes and so fails strict parsing.
    static func matchUDP(_ payload: PayloadBytes) -> PayloadMatch? {
        if let message = STUNMessage(payload.buffer), message.bytes.count == payload.count {
            return match(message)
        }
        return lenientWhatsApp(payload)
    }

    /// STUN/TURN over TCP (TURN on 443 when UDP is blocked): a message at the stream's start, bare
    /// (RFC 8656) or behind RFC 4571's 2-byte length (ICE-TCP). The magic cookie is required here.
    static func matchTCP(_ client: PayloadBytes) -> PayloadMatch? {
        for offset in stride(from: 0, through: 2, by: 2) {
            guard client.uint32(offset + 4) == cookie else { continue }
            if offset == 2 {
                // RFC 4571: the frame length is the whole message, header included.
                guard let frame = client.uint16(0), let length = client.uint16(4), Int(frame) == 20 + Int(length) else {
                    continue
                }
            }
            let rest = PayloadBytes(client.slice(from: offset, length: client.count - offset))
            if let message = STUNMessage(rest.buffer) { return match(message) }
            if let match = lenientWhatsApp(rest) { return match }
        }
        return nil
    }

    /// WhatsApp's messages with a cookie: its types, or its attribute first. Attribute lengths are
    /// not trusted to be padded, so only the first attribute is read.
    static func lenientWhatsApp(_ bytes: PayloadBytes) -> PayloadMatch? {
        guard let type = bytes.uint16(0), type & 0xC000 == 0, bytes.uint32(4) == cookie,
              let length = bytes.uint16(2), 20 + Int(length) <= bytes.count else { return nil }
        if let match = whatsAppType(type) { return match }
        guard length >= 4, let first = bytes.uint16(20), let firstLength = bytes.uint16(22),
              4 + Int(firstLength) <= Int(length) else { return nil }
        return whatsAppAttribute(first)
    }

    static func whatsAppType(_ type: UInt16) -> PayloadMatch? {
        guard (0x0800...0x0805).contains(type) else { return nil }
        return PayloadMatch(applicationProtocol: .stun, app: PayloadService.whatsapp, evidence: .stun,
                            detail: "WhatsApp message type")
    }

    static func whatsAppAttribute(_ type: UInt16) -> PayloadMatch? {
        guard (0x4000...0x4007).contains(type) else { return nil }
        return PayloadMatch(applicationProtocol: .stun, app: PayloadService.whatsapp, evidence: .stun,
                            detail: "WhatsApp attribute")
    }

    static func attributed(type: UInt16, value: PayloadBytes) -> PayloadMatch? {
        switch type {
        case 0x4000...0x4007:
            return whatsAppAttribute(type)
        case 0x0014:
            guard let app = realmOwner(value) else { return nil }
            return PayloadMatch(applicationProtocol: .stun, app: app, evidence: .stun,
                                detail: "REALM " + value.line(from: 0, limit: 64))
        case 0x8054, 0x8055, 0x8070, 0x8095:
            return PayloadMatch(applicationProtocol: .stun, app: PayloadService.microsoft, evidence: .stun,
                                detail: "Microsoft attribute")
        default:
            return nil
        }
    }

    static func realmOwner(_ realm: PayloadBytes) -> ServiceName? {
        if realm.containsCaseInsensitive("google.com") { return PayloadService.google }
        if realm.containsCaseInsensitive("signal.org") || realm.containsCaseInsensitive("whispersystems.org") {
            return PayloadService.signal
        }
        if realm.containsCaseInsensitive("facebook") { return PayloadService.messenger }
        if realm.containsCaseInsensitive("telegram") { return PayloadService.telegram }
        if realm.containsCaseInsensitive("viber") { return PayloadService.viber }
        return nil
    }
}
