/// The SSH identification string (RFC 4253 §4.2), `SSH-2.0-` or `SSH-1.99-`, which either side
/// may send first (servers usually do).
enum SSHBanner {
    static func match(client: PayloadBytes, server: PayloadBytes) -> PayloadMatch? {
        if let match = banner(client) { return match }
        return banner(server)
    }

    static func banner(_ side: PayloadBytes) -> PayloadMatch? {
        guard side.matches("SSH-2.0-") || side.matches("SSH-1.99-") else { return nil }
        return PayloadMatch(applicationProtocol: .ssh, detail: side.line(from: 0, limit: 80))
    }
}
