/// The protocol a flow speaks, found in its payload — Zeek's `service` field vocabulary where
/// Zeek has a name for it ("ssl", "dns", "http", "quic", "ssh", ...).
public enum ApplicationProtocol: String, CaseIterable, Sendable, Codable {
    case dns
    case tls = "ssl"
    case quic
    case http
    case ssh
    case stun
    case wireguard
    case openvpn
    case bittorrent
    /// Telegram's MTProto (obfuscated2 or a plain transport).
    case mtproto
    /// WhatsApp's chat protocol (Noise over its own framing), on 443 or 5222.
    case whatsappChat = "whatsapp"
    /// Telegram's UDP call reflectors (ports 500–600, a run of 0xFF bytes).
    case telegramCall = "telegram-call"
    /// TLS whose ClientHello looks like Tor's (random www.*.com names, no ALPN).
    case torLikeTLS = "tor-like-tls"
}
