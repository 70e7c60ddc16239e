@testable import Identification
import FuzzSupport
import Wire

// QUIC client Initials as they arrive: long-header parsing (versions, v2 and draft types,
// connection ID and token lengths, varint lengths, coalesced packets), Initial key derivation
// per DCID and version, header protection removal, packet-number expansion and AEAD failure;
// several datagrams per flow, and a second inspector that starts from the first one's key
// cache, as the flow identifier does after an Initial that did not authenticate. Each piece of
// the input is one UDP payload. (Random bytes never authenticate: FuzzQUICCrypto seals its
// input to fuzz what comes after decryption.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 24) { datagrams in
        var inspector = QUICInitialInspector()
        var retries = 0
        for datagram in datagrams {
            blackHole(QUICInitialInspector.looksLikeInitial(datagram))
            let result = inspector.addClientDatagram(datagram)
            blackHole(result)
            if case .undecryptable(.authenticationFailed) = result, retries < 2 {
                retries += 1
                inspector = QUICInitialInspector(keyCache: inspector.keyCache)
            }
        }
    }
    return 0
}

FuzzInput.run(fuzz)
