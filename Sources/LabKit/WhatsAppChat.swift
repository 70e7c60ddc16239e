import PacketCrafting

/// The opening of a WhatsApp chat connection (on 5222 or 443; not TLS), as nDPI's `whatsapp.pcap`
/// shows it: a first segment of exactly `ED 00 01`, then the routing header (`00 00 04` + four
/// edge-routing bytes) with `WA 5.2`, then Noise handshake frames with a 3-byte length prefix.
public enum WhatsAppChat {
    /// The first segment, alone.
    public static let preface: [UInt8] = [0x45, 0x44, 0x00, 0x01]
    /// Routing header and protocol version: `00 00 04 08 09 08 02` then `WA` 5.2.
    public static let routingAndVersion: [UInt8] = [0x00, 0x00, 0x04, 0x08, 0x09, 0x08, 0x02, 0x57, 0x41, 0x05, 0x02]

    /// A frame: 24-bit big-endian length, then the bytes.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBE24(payload.count)
        return out + payload
    }

    /// The Noise XX ClientHello: HandshakeMessage{clientHello{ephemeral: 32 bytes}} as protobuf.
    public static func clientHello(random: inout DeterministicRandom) -> [UInt8] {
        frame([0x12, 0x22, 0x0A, 0x20] + random.bytes(32))
    }

    /// The server's Noise ServerHello: ephemeral, encrypted static and payload (random-looking).
    public static func serverHello(random: inout DeterministicRandom) -> [UInt8] {
        var body: [UInt8] = [0x1A, 0x82, 0x02, 0x0A, 0x20] + random.bytes(32)
        body += [0x12, 0x30] + random.bytes(48)
        body += [0x1A, 0xC8, 0x01] + random.bytes(200)
        return frame(body)
    }

    /// The ClientFinish: encrypted static key and payload.
    public static func clientFinish(random: inout DeterministicRandom) -> [UInt8] {
        frame([0x22, 0xE0, 0x01, 0x0A, 0x30] + random.bytes(48) + [0x12, 0xAC, 0x01] + random.bytes(172))
    }

    /// An encrypted transport frame (a message, a receipt, a ping): AEAD ciphertext + 16-byte tag.
    public static func encryptedFrame(random: inout DeterministicRandom, length: Int) -> [UInt8] {
        frame(random.bytes(length + 16))
    }
}

/// STUN messages (RFC 8489) as WhatsApp's calls send them to Meta's relays: WhatsApp's own message
/// types (0x0800–0x0805) and attributes (0x4000–0x4007) beside standard ones.
public enum STUNLab {
    public static let cookie: UInt32 = 0x2112_A442

    public struct Attribute {
        public var type: UInt16
        public var value: [UInt8]
        public init(_ type: UInt16, _ value: [UInt8]) {
            self.type = type
            self.value = value
        }
    }

    public static func message(type: UInt16, transactionID: [UInt8], attributes: [Attribute]) -> [UInt8] {
        precondition(transactionID.count == 12)
        var body: [UInt8] = []
        for attribute in attributes {
            body.appendBE16(attribute.type)
            body.appendBE16(UInt16(attribute.value.count))
            body += attribute.value
            while body.count % 4 != 0 { body.append(0) }
        }
        var out: [UInt8] = []
        out.appendBE16(type)
        out.appendBE16(UInt16(body.count))
        out.appendBE32(cookie)
        return out + transactionID + body
    }

    /// A WhatsApp call's binding request to a relay: Binding (0x0001) with WhatsApp attributes.
    public static func whatsAppBindingRequest(random: inout DeterministicRandom) -> [UInt8] {
        message(type: 0x0001, transactionID: random.bytes(12), attributes: [
            Attribute(0x4000, random.bytes(8)),          // WhatsApp: call/session token
            Attribute(0x4003, [0x00, 0x00, 0x00, 0x01]), // WhatsApp: role
            Attribute(0x0024, [0x6E, 0x7F, 0x1E, 0xFF]), // PRIORITY
            Attribute(0x8022, Array("WhatsApp".utf8)),   // SOFTWARE
        ])
    }

    /// WhatsApp's relay allocation-like message (its own type 0x0800) with a WhatsApp attribute.
    public static func whatsAppAllocate(random: inout DeterministicRandom) -> [UInt8] {
        message(type: 0x0800, transactionID: random.bytes(12), attributes: [
            Attribute(0x4000, random.bytes(16)),
            Attribute(0x4007, random.bytes(4)),
        ])
    }

    /// The success response to `request` from `mapped` (the client's address and port as seen).
    public static func successResponse(to request: [UInt8], mapped: HostAddress, port: UInt16) -> [UInt8]? {
        guard request.count >= 20, be32(request, 4) == cookie else { return nil }
        let type = be16(request, 0)
        let transactionID = Array(request[8..<20])
        var value: [UInt8] = [0, mapped.isIPv6 ? 0x02 : 0x01]
        value.appendBE16(port ^ 0x2112)
        let cookieBytes: [UInt8] = [0x21, 0x12, 0xA4, 0x42]
        let pad = cookieBytes + transactionID
        for (index, byte) in mapped.bytes.enumerated() { value.append(byte ^ pad[index]) }
        // Success class of the same method: type | 0x0100.
        return message(type: type | 0x0100, transactionID: transactionID, attributes: [
            Attribute(0x0020, value),
            Attribute(0x8022, Array("WhatsApp relay".utf8)),
        ])
    }
}
