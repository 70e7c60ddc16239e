/// WireGuard's four UDP messages: a type byte 1–4, three reserved zero bytes, and fixed sizes —
/// initiation 148, response 92, cookie reply 64 — or, for transport data, at least 32 bytes in
/// 16-byte steps. Transport data is accepted only with its 8-byte counter below 2³² and a
/// non-zero receiver index, which leaves seven zero bytes in fixed places.
/// Variants that append bytes to the handshake (TunnelBear's) are not matched by their
/// handshake; their transport packets still are.
enum WireGuardMessage {
    static func match(_ payload: PayloadBytes, ports: (UInt16, UInt16)) -> PayloadMatch? {
        guard let type = payload.byte(0), payload.isAll(0, from: 1, length: 3),
              let firstIndex = payload.littleUInt32(4), firstIndex != 0 else { return nil }
        let detail: String
        switch (type, payload.count) {
        case (1, 148): detail = "handshake initiation"
        case (2, 92):
            guard payload.littleUInt32(8) != 0 else { return nil }
            detail = "handshake response"
        case (3, 64): detail = "cookie reply"
        case (4, let count) where count >= 32 && count % 16 == 0:
            guard let counter = payload.littleUInt64(8), counter >> 32 == 0 else { return nil }
            detail = "transport data"
        default:
            return nil
        }
        return PayloadMatch(applicationProtocol: .wireguard, detail: detail)
    }
}
