/// BitTorrent: the peer-wire handshake `\x13BitTorrent protocol` (BEP 3) from either peer; over
/// UDP, a DHT message (BEP 5, a bencoded dictionary whose sorted keys put `a` or `r` first, or
/// `ip` before `r`) or a tracker connect request (BEP 15, magic 0x41727101980).
/// uTP and the encrypted handshake (MSE) are not matched: both look like random bytes.
enum BitTorrentSignature {
    static func matchTCP(client: PayloadBytes, server: PayloadBytes) -> PayloadMatch? {
        guard client.matches("\u{13}BitTorrent protocol") || server.matches("\u{13}BitTorrent protocol") else {
            return nil
        }
        return PayloadMatch(applicationProtocol: .bittorrent, detail: "peer handshake")
    }

    static func matchUDP(_ payload: PayloadBytes) -> PayloadMatch? {
        if payload.matches("d1:ad2:id20:") || payload.matches("d1:rd2:id20:")
            || (payload.matches("d2:ip6:") && payload.matches("1:rd2:id20:", at: 13)) {
            return PayloadMatch(applicationProtocol: .bittorrent, detail: "DHT")
        }
        if payload.count >= 16, payload.uint64(0) == 0x417_2710_1980, payload.uint32(8) == 0 {
            return PayloadMatch(applicationProtocol: .bittorrent, detail: "tracker connect")
        }
        return nil
    }
}
