import Wire

// Pure functions over a flow's first bytes. They allocate only for a match's detail and for the
// AES key of the obfuscated2 check; every read is bounds-checked (PayloadBytes), so truncated
// or hostile bytes give nil, never a trap.

/// Payload signatures: MTProto, WhatsApp's preface, STUN apps, Telegram calls, named protocols.
public enum PayloadRecognizer {
    /// How many client bytes `recognizeTCP` wants at most: obfuscated2's 64-byte init block is
    /// the longest signature. (A Tor-like ClientHello is longer; callers that reassemble
    /// ClientHellos pass them to `recognizeClientHello`.)
    public static let wantedClientBytes = MTProtoObfuscated2.initLength

    /// First client bytes of a TCP flow (as many as the caller has, ≥ 1 segment), first server
    /// bytes (may be empty), ports.
    public static func recognizeTCP(client: UnsafeRawBufferPointer, server: UnsafeRawBufferPointer,
                                    clientPort: UInt16, serverPort: UInt16) -> PayloadMatch? {
        let client = PayloadBytes(client)
        let server = PayloadBytes(server)
        // Fixed prefixes first (cheap, mutually exclusive); obfuscated2, which costs an AES
        // block, last.
        if let match = SSHBanner.match(client: client, server: server) { return match }
        if let match = BitTorrentSignature.matchTCP(client: client, server: server) { return match }
        if let match = WhatsAppPreface.match(client) { return match }
        if let match = STUNAttribution.matchTCP(client) { return match }
        if let match = OpenVPNReset.matchTCP(client: client, server: server) { return match }
        if let match = TorLikeTLS.match(stream: client) { return match }
        if let match = MTProtoSignature.match(client) { return match }
        return nil
    }

    /// One UDP payload from either side.
    public static func recognizeUDP(_ payload: UnsafeRawBufferPointer, fromClient: Bool,
                                    clientPort: UInt16, serverPort: UInt16) -> PayloadMatch? {
        let payload = PayloadBytes(payload)
        if let match = STUNAttribution.matchUDP(payload) { return match }
        if let match = WireGuardMessage.match(payload, ports: (clientPort, serverPort)) { return match }
        if let match = TelegramCall.match(payload, ports: (clientPort, serverPort)) { return match }
        if let match = OpenVPNReset.matchUDP(payload, fromClient: fromClient) { return match }
        if let match = BitTorrentSignature.matchUDP(payload) { return match }
        return nil
    }

    /// The app a parsed STUN/TURN message names (WhatsApp's message types and attributes, the
    /// REALM's owner, Microsoft's extensions); `.stun` with no app when it names none.
    public static func recognizeSTUN(_ message: STUNMessage) -> PayloadMatch {
        STUNAttribution.match(message)
    }

    /// A whole ClientHello (reassembled by the caller) that looks like Tor's: see `TorLikeTLS`.
    public static func recognizeClientHello(_ hello: TLSClientHello) -> PayloadMatch? {
        TorLikeTLS.match(hello)
    }
}
