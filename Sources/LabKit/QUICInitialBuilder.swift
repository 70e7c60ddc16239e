import Crypto
import Foundation
import _CryptoExtras
import PacketCrafting

/// QUIC v1 Initial packets (RFC 9000 §17.2.2) protected as RFC 9001 §5 says: a client's first
/// flight carrying a TLS 1.3 ClientHello with SNI and ALPN `h3`, padded to 1200 bytes, and a
/// server's Initial (ACK + ServerHello) with an opaque Handshake packet behind it.
public enum QUICInitialBuilder {
    static let saltV1: [UInt8] = [0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                  0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a]

    struct Keys {
        let key: SymmetricKey
        let iv: [UInt8]
        let hp: SymmetricKey
    }

    static func expandLabel(_ secret: some ContiguousBytes, label: String, length: Int) -> SymmetricKey {
        let fullLabel = Array("tls13 \(label)".utf8)
        var info: [UInt8] = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(fullLabel.count)]
        info += fullLabel
        info.append(0)
        return HKDF<SHA256>.expand(pseudoRandomKey: secret, info: info, outputByteCount: length)
    }

    /// The client's (`"client in"`) or server's (`"server in"`) Initial keys for `dcid`.
    static func keys(dcid: [UInt8], label: String) -> Keys {
        let initial = HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: dcid), salt: saltV1)
        let secret = expandLabel(initial, label: label, length: 32)
        return Keys(key: expandLabel(secret, label: "quic key", length: 16),
                    iv: expandLabel(secret, label: "quic iv", length: 12).withUnsafeBytes { Array($0) },
                    hp: expandLabel(secret, label: "quic hp", length: 16))
    }

    /// A long-header packet of `type` (0 Initial, 2 Handshake), protected with `keys`; a 2-byte
    /// packet number. `token` only for Initials.
    static func protect(type: UInt8, dcid: [UInt8], scid: [UInt8], packetNumber: UInt16, payload: [UInt8],
                        keys: Keys, isInitial: Bool) -> [UInt8] {
        var header: [UInt8] = [0xC0 | (type << 4) | 0x01]
        header.appendBE32(1)
        header.append(UInt8(dcid.count)); header += dcid
        header.append(UInt8(scid.count)); header += scid
        if isInitial { header.appendVarint(0) }   // no token
        let length = 2 + payload.count + 16
        header.appendBE16(UInt16(length) | 0x4000)   // 2-byte varint, as clients write it
        let pnOffset = header.count
        header.appendBE16(packetNumber)
        var nonce = keys.iv
        nonce[10] ^= UInt8(packetNumber >> 8)
        nonce[11] ^= UInt8(packetNumber & 0xFF)
        let sealed = try! AES.GCM.seal(payload, using: keys.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: header)
        var packet = header + Array(sealed.ciphertext) + Array(sealed.tag)
        // Header protection: the sample starts 4 bytes after the packet number's start.
        var mask = Array(packet[(pnOffset + 4)..<(pnOffset + 20)])
        try! AES.permute(&mask, key: keys.hp)
        packet[0] ^= mask[0] & 0x0F
        packet[pnOffset] ^= mask[1]
        packet[pnOffset + 1] ^= mask[2]
        return packet
    }

    /// A client's first Initial datagram for `serverName`: 1200 bytes. Returns the datagram and
    /// the connection IDs (the server needs them to answer).
    public static func clientInitial(serverName: String, random: inout DeterministicRandom)
        -> (datagram: [UInt8], dcid: [UInt8], scid: [UInt8]) {
        let dcid = random.bytes(8)
        let scid = random.bytes(8)
        let hello = clientHello(serverName: serverName, scid: scid, random: &random)
        var payload: [UInt8] = [0x06]   // CRYPTO
        payload.appendVarint(0)
        payload.appendVarint(hello.count)
        payload += hello
        // Pad so the whole UDP payload is 1200 bytes (RFC 9000 §14.1).
        let overhead = 1 + 4 + 1 + dcid.count + 1 + scid.count + 1 + 2 + 2 + 16
        if payload.count + overhead < 1200 { payload += [UInt8](repeating: 0, count: 1200 - overhead - payload.count) }
        let packet = protect(type: 0, dcid: dcid, scid: scid, packetNumber: 0, payload: payload,
                             keys: keys(dcid: dcid, label: "client in"), isInitial: true)
        return (packet, dcid, scid)
    }

    /// The server's answer to a client Initial: an Initial (ACK of packet 0, CRYPTO with the
    /// ServerHello) coalesced with a Handshake packet whose contents an observer cannot open.
    public static func serverResponse(clientDCID: [UInt8], clientSCID: [UInt8], random: inout DeterministicRandom) -> [UInt8] {
        let serverCID = random.bytes(8)
        let keys = keys(dcid: clientDCID, label: "server in")
        let serverHello = TLSHelloBuilder(serverName: "", alpn: [], seed: random.next()).serverHelloRecords
        // Strip the record header (5 bytes) and the trailing ChangeCipherSpec record (6 bytes).
        let handshake = Array(serverHello[5..<(serverHello.count - 6)])
        var payload: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00]   // ACK: largest 0, delay 0, 0 ranges, first 0
        payload.append(0x06)
        payload.appendVarint(0)
        payload.appendVarint(handshake.count)
        payload += handshake
        let initial = protect(type: 0, dcid: clientSCID, scid: serverCID, packetNumber: 0, payload: payload,
                              keys: keys, isInitial: true)
        // The Handshake packet is protected with keys only the endpoints have: random bytes stand in.
        var handshakePacket: [UInt8] = [0xE1]
        handshakePacket.appendBE32(1)
        handshakePacket.append(UInt8(clientSCID.count)); handshakePacket += clientSCID
        handshakePacket.append(UInt8(serverCID.count)); handshakePacket += serverCID
        let body = random.bytes(2 + 900 + 16)
        handshakePacket.appendBE16(UInt16(body.count) | 0x4000)
        handshakePacket += body
        return initial + handshakePacket
    }

    /// A TLS 1.3 ClientHello handshake message (no record layer) as a QUIC client sends it.
    static func clientHello(serverName: String, scid: [UInt8], random: inout DeterministicRandom) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03]
        body += random.bytes(32)
        body.append(0)   // no legacy session id in QUIC
        body.appendBE16(6)
        body.appendBE16(0x1301); body.appendBE16(0x1302); body.appendBE16(0x1303)
        body += [1, 0]
        var extensions: [UInt8] = []
        func add(_ type: UInt16, _ data: [UInt8]) {
            extensions.appendBE16(type)
            extensions.appendBE16(UInt16(data.count))
            extensions += data
        }
        let name = Array(serverName.utf8)
        var sni: [UInt8] = []
        sni.appendBE16(UInt16(name.count + 3)); sni.append(0); sni.appendBE16(UInt16(name.count)); sni += name
        add(0x0000, sni)
        add(0x000A, [0, 6, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18])
        add(0x000D, [0, 8, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03])
        add(0x0010, [0, 3, 2, 0x68, 0x33])   // ALPN h3
        add(0x002B, [2, 0x03, 0x04])
        add(0x002D, [1, 1])
        add(0x0033, [0, 36, 0x00, 0x1D, 0x00, 0x20] + random.bytes(32))
        // quic_transport_parameters: initial_source_connection_id, max_idle_timeout, initial_max_data.
        var parameters: [UInt8] = []
        parameters.appendVarint(0x0F); parameters.appendVarint(scid.count); parameters += scid
        parameters.appendVarint(0x01); parameters.appendVarint(4); parameters.appendBE32(0x8000_7530)
        parameters.appendVarint(0x04); parameters.appendVarint(4); parameters.appendBE32(0x80F0_0000)
        add(0x0039, parameters)
        body.appendBE16(UInt16(extensions.count))
        body += extensions
        var message: [UInt8] = [0x01]
        message.appendBE24(body.count)
        return message + body
    }

    /// Whether `datagram` starts with a QUIC v1 Initial; its DCID and SCID if so.
    public static func parseInitial(_ datagram: [UInt8]) -> (dcid: [UInt8], scid: [UInt8])? {
        guard datagram.count > 7, datagram[0] & 0xF0 == 0xC0, be32(datagram, 1) == 1 else { return nil }
        let dcidLength = Int(datagram[5])
        guard datagram.count > 6 + dcidLength else { return nil }
        let dcid = Array(datagram[6..<(6 + dcidLength)])
        let scidLength = Int(datagram[6 + dcidLength])
        let scidStart = 7 + dcidLength
        guard datagram.count >= scidStart + scidLength else { return nil }
        return (dcid, Array(datagram[scidStart..<(scidStart + scidLength)]))
    }
}
