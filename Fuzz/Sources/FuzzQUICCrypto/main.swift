@testable import Identification
import Crypto
import _CryptoExtras
import FuzzSupport
import Wire

// QUIC after decryption: the Initial frames (PADDING, PING, ACK with ranges and ECN counts,
// CRYPTO, CONNECTION_CLOSE, forbidden types, varints that overrun) and the CRYPTO stream's
// reassembly (out of order, overlapping, beyond capacity, more ranges than tracked) up to the
// ClientHello. Each piece of the input is the plaintext of one client Initial. The pieces are
// fed straight to the frame parser and the stream, and — sealed with the real Initial keys for a
// fixed DCID into protected v1 packets (the first six pieces, two per datagram at most) — to the inspector, so the
// whole decryption path runs on them too.
let dcid: [UInt8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]
let keys = QUICInitialKeys(version: .v1, destinationConnectionID: dcid)!

func protect(_ payload: UnsafeRawBufferPointer, packetNumber: UInt16) -> [UInt8] {
    var plaintext = Array(payload)
    if plaintext.count < 4 { plaintext += [UInt8](repeating: 0, count: 4 - plaintext.count) }   // room for the sample
    var header: [UInt8] = [0xC1, 0, 0, 0, 1, UInt8(dcid.count)] + dcid + [0, 0]   // no SCID, no token
    let length = 2 + plaintext.count + 16
    header += [UInt8(0x40 | (length >> 8) & 0x3F), UInt8(length & 0xFF)]
    let pnOffset = header.count
    header += [UInt8(packetNumber >> 8), UInt8(packetNumber & 0xFF)]
    var nonce = keys.iv
    nonce[10] ^= UInt8(packetNumber >> 8)
    nonce[11] ^= UInt8(packetNumber & 0xFF)
    let sealed = try! AES.GCM.seal(plaintext, using: keys.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: header)
    var packet = header + Array(sealed.ciphertext) + Array(sealed.tag)
    var mask = Array(packet[(pnOffset + 4)..<(pnOffset + 20)])
    try! AES.permute(&mask, key: keys.headerProtectionKey)
    packet[0] ^= mask[0] & 0x0F
    packet[pnOffset] ^= mask[1]
    packet[pnOffset + 1] ^= mask[2]
    return packet
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 16) { pieces in
        // Straight to the parser and the stream.
        var stream = QUICCryptoStream()
        for piece in pieces {
            var frames = QUICInitialFrames(piece)
            while let frame = frames.next() {
                if case .crypto(let offset, let data) = frame {
                    touch(data)
                    blackHole(stream.insert(offset: offset, data: data))
                }
                blackHole(frame)
            }
            blackHole(frames.stoppedEarly)
            if case .complete(let length) = stream.status {
                stream.withBytes(length: length) { bytes in
                    touch(bytes)
                    if let hello = TLSClientHello(handshake: bytes) { blackHole((hello.serverName, hello.alpn?.strings)) }
                }
            }
        }
        blackHole((stream.isEmpty, stream.contiguousLength))
        // Sealed, through the inspector.
        // The keys are handed over already derived (as after a first Initial that did not
        // authenticate): deriving them is FuzzQUICInitial's work, and here it would cost most of
        // the time of an execution.
        var inspector = QUICInitialInspector(keyCache: [keys])
        // The first six pieces only: sealing and opening cost most of an execution, and six
        // packets already take the inspector through reordering, coalescing and its limits.
        let sealed = pieces.prefix(6)
        var index = 0
        while index < sealed.count {
            var datagram = protect(pieces[index], packetNumber: UInt16(index))
            // An odd first plaintext byte coalesces the next packet into the same datagram.
            if index + 1 < sealed.count, pieces[index].first.map({ $0 & 1 == 1 }) ?? false {
                index += 1
                datagram += protect(pieces[index], packetNumber: UInt16(index))
            }
            index += 1
            let result = datagram.withUnsafeBytes { inspector.addClientDatagram($0) }
            blackHole(result)
            if result.isFinal { break }
        }
    }
    return 0
}

FuzzInput.run(fuzz)
