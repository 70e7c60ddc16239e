@testable import Identification
import FuzzSupport
import Wire

// WhatsApp's chat preface (ED 00 01 + routing length + routing bytes + WA version; the legacy
// WA-first form), cut at every length, and the other TCP payload signatures that run before or
// after it on the same bytes (SSH, BitTorrent, STUN over TCP, OpenVPN, Tor-like TLS). The first
// byte says where the client's bytes end; the rest after that is the server's first bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 1 else { return 0 }
    let split = min(Int(data[0]), size - 1)
    FuzzInput.withPieces(data + 1, size - 1, maximum: 1, raw: true) { whole in
        blackHole(WhatsAppPreface.match(PayloadBytes(whole[0])))
        blackHole(STUNAttribution.matchTCP(PayloadBytes(whole[0])))
    }
    FuzzInput.withPieces(data + 1, split, maximum: 1, raw: true) { client in
        FuzzInput.withPieces(data + 1 + split, size - 1 - split, maximum: 1, raw: true) { server in
            blackHole(PayloadRecognizer.recognizeTCP(client: client[0], server: server[0], clientPort: 50_000, serverPort: 5222))
            blackHole(WhatsAppPreface.match(PayloadBytes(client[0])))
        }
    }
    return 0
}

FuzzInput.run(fuzz)
