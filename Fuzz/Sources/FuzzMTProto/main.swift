@testable import Identification
import FuzzSupport
import Wire

// MTProto at the start of a client stream: the plain transports (abridged, intermediate, padded
// intermediate, full with its CRC) and the obfuscated2 init block, decrypted directly and with an
// MTProxy secret (the last 16 bytes of longer inputs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 1, raw: true) { pieces in
        let bytes = pieces[0]
        blackHole(MTProtoSignature.match(PayloadBytes(bytes)))
        blackHole(MTProtoSignature.plainTransport(PayloadBytes(bytes)))
        blackHole(MTProtoObfuscated2.decode(bytes))
        if bytes.count >= 80 {
            let secret = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 16)...])
            blackHole(MTProtoObfuscated2.decode(bytes, proxySecret: secret))
        }
        blackHole(PayloadRecognizer.recognizeTCP(client: bytes, server: UnsafeRawBufferPointer(start: nil, count: 0),
                                                 clientPort: 50_000, serverPort: 443))
    }
    return 0
}

FuzzInput.run(fuzz)
