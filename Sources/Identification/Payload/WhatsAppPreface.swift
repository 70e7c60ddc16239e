/// WhatsApp's chat preface at the start of the client's stream (on 443 or 5222; it is not TLS):
/// today `ED 00 01` + a 3-byte length + edge routing bytes, then `WA` + protocol version; the
/// first segment is often just the four `ED` bytes. Old clients began with `WA` and the version.
enum WhatsAppPreface {
    /// Longest edge-routing block accepted (seen: 2 and 4 bytes).
    static let maximumRoutingLength: UInt32 = 64

    static func match(_ client: PayloadBytes) -> PayloadMatch? {
        if client.matches("ED\u{0}\u{1}") {
            guard let routing = client.uint24(4) else {
                // Only the preface (or part of its length) so far: the 4 bytes are specific enough.
                return PayloadMatch(applicationProtocol: .whatsappChat, app: PayloadService.whatsapp, detail: "ED preface")
            }
            guard routing >= 1, routing <= maximumRoutingLength else { return nil }
            let header = 7 + Int(routing)
            guard client.has(4, at: header) else {
                return PayloadMatch(applicationProtocol: .whatsappChat, app: PayloadService.whatsapp, detail: "ED preface")
            }
            // Everything is there: the WA header must follow the routing bytes.
            return versionHeader(client, at: header).map {
                PayloadMatch(applicationProtocol: .whatsappChat, app: PayloadService.whatsapp, detail: $0)
            }
        }
        // Legacy: the WA header first, then a 3-byte frame length.
        guard let detail = versionHeader(client, at: 0), let frame = client.uint24(4), frame >= 1, frame <= 0xFFFF else {
            return nil
        }
        return PayloadMatch(applicationProtocol: .whatsappChat, app: PayloadService.whatsapp, detail: detail)
    }

    /// `WA` + major (1–9) + minor (0–15) as "WA 5.2".
    static func versionHeader(_ bytes: PayloadBytes, at offset: Int) -> String? {
        guard bytes.matches("WA", at: offset), let major = bytes.byte(offset + 2), let minor = bytes.byte(offset + 3),
              (1...9).contains(major), minor <= 15 else { return nil }
        return "WA \(major).\(minor)"
    }
}
