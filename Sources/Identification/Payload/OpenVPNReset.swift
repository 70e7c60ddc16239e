/// OpenVPN's first control packet: P_CONTROL_HARD_RESET_CLIENT_V2 (opcode 7) or _V3 (10,
/// tls-crypt-v2) from the client, P_CONTROL_HARD_RESET_SERVER_V2 (8) from the server, key id 0,
/// an 8-byte session id. Over TCP each packet has a 2-byte length in front. The opcode byte alone
/// is weak, so what follows the session id must fit one of the three wrappings:
/// - none: ack count 0 and message id 0 (the server's reset acknowledges the client's message 0
///   and session id);
/// - tls-auth: an HMAC of 16–64 bytes, then replay packet id 1 (a few more on retransmits) and a
///   unix time;
/// - tls-crypt: the same packet id and time right after the session id.
enum OpenVPNReset {
    static let clientV2: UInt8 = 7 << 3
    static let clientV3: UInt8 = 10 << 3
    static let serverV2: UInt8 = 8 << 3
    static let tcpLengths: ClosedRange<UInt16> = 14...2048
    /// HMAC sizes of tls-auth (MD5 … SHA-512); 0 is tls-crypt.
    static let authenticatorLengths = [0, 16, 20, 32, 48, 64]

    static func matchTCP(client: PayloadBytes, server: PayloadBytes) -> PayloadMatch? {
        guard let length = client.uint16(0), tcpLengths.contains(length),
              let detail = reset(client, at: 2, length: Int(length), fromClient: true) else { return nil }
        // When the server has answered, its first packet must be its own reset.
        if server.count > 0 {
            guard let serverLength = server.uint16(0), tcpLengths.contains(serverLength),
                  server.byte(2) == serverV2 else { return nil }
        }
        return PayloadMatch(applicationProtocol: .openvpn, detail: detail)
    }

    static func matchUDP(_ payload: PayloadBytes, fromClient: Bool) -> PayloadMatch? {
        reset(payload, at: 0, length: payload.count, fromClient: fromClient).map {
            PayloadMatch(applicationProtocol: .openvpn, detail: $0)
        }
    }

    /// The reset packet of `length` bytes at `start`, described; nil when it is not one.
    static func reset(_ bytes: PayloadBytes, at start: Int, length: Int, fromClient: Bool) -> String? {
        guard let opcode = bytes.byte(start), length >= 14 else { return nil }
        let name: String
        switch opcode {
        case clientV2 where fromClient: name = "client hard reset v2"
        case clientV3 where fromClient: name = "client hard reset v3"
        case serverV2 where !fromClient: name = "server hard reset v2"
        default: return nil
        }
        guard bytes.has(8, at: start + 1), !bytes.isAll(0, from: start + 1, length: 8) else { return nil }
        let body = start + 9
        if fromClient {
            if bytes.byte(body) == 0, bytes.uint32(body + 1) == 0 { return name }
        } else if bytes.byte(body) == 1, bytes.uint32(body + 1) == 0, bytes.has(8, at: body + 5),
                  !bytes.isAll(0, from: body + 5, length: 8), bytes.uint32(body + 13) == 0 {
            return name
        }
        for authenticator in authenticatorLengths where 9 + authenticator + 8 + 5 <= length {
            guard let packetID = bytes.uint32(body + authenticator), (1...16).contains(packetID),
                  let time = bytes.uint32(body + authenticator + 4),
                  PayloadPlausibility.unixTimes.contains(time) else { continue }
            return name + (authenticator == 0 ? ", tls-crypt" : ", tls-auth")
        }
        return nil
    }
}
