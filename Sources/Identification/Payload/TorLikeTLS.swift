import Wire

/// A ClientHello that looks like a Tor client's. Tor sends a made-up server name,
/// `www.` + 4–25 random base32 characters (a–z, 2–7) + `.com` (`crypto_random_hostname(4, 25,
/// "www.", ".com")` in tor's `tortls`), and no ALPN, which every browser sends.
///
/// The heuristic, and its limits: the name must have that shape, there must be no ALPN, and the
/// random part must look random — it holds a digit 2–7, or (8 characters or more) a run of four
/// consonants or under 20% vowels. Real names of that shape such as www.facebook.com fail the
/// last test, so a non-browser client without ALPN reaching them is not flagged. About 7% of
/// Tor's own names are missed, nearly all of 4–7 letters without a digit (simulated: 44% of
/// 4-character names, 6% of 8, under 2% from 11). Bridges with pluggable transports (obfs4,
/// meek, Snowflake) do not look like this at all, and any client may copy the shape. Hence
/// "tor-like", with no service attributed.
enum TorLikeTLS {
    static let labelLengths = 4...25

    static func match(_ hello: TLSClientHello) -> PayloadMatch? {
        guard !hello.extensions.contains(.applicationLayerProtocolNegotiation),
              let name = hello.serverNameBytes, isTorLikeName(PayloadBytes(name)) else { return nil }
        return PayloadMatch(applicationProtocol: .torLikeTLS, detail: "SNI " + PayloadBytes(name).line(from: 0, limit: 64))
    }

    /// A whole ClientHello at the start of the client's stream.
    static func match(stream: PayloadBytes) -> PayloadMatch? {
        guard stream.byte(0) == 0x16, case .complete(let hello) = TLSClientHello.scan(stream.buffer) else { return nil }
        return match(hello)
    }

    static func isTorLikeName(_ name: PayloadBytes) -> Bool {
        let labelLength = name.count - 8
        guard labelLengths.contains(labelLength), name.matches("www."), name.matches(".com", at: 4 + labelLength) else {
            return false
        }
        var digits = 0, vowels = 0, consonantRun = 0, longestConsonantRun = 0
        for index in 4..<(4 + labelLength) {
            let byte = name.buffer[index]
            switch byte {
            case UInt8(ascii: "2")...UInt8(ascii: "7"):
                digits += 1
                consonantRun = 0
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"),
                 UInt8(ascii: "y"):
                vowels += 1
                consonantRun = 0
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                consonantRun += 1
                longestConsonantRun = max(longestConsonantRun, consonantRun)
            default:
                return false
            }
        }
        if digits > 0 { return true }
        return labelLength >= 8 && (longestConsonantRun >= 4 || vowels * 5 < labelLength)
    }
}
