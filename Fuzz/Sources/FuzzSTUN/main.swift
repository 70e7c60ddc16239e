import FuzzSupport
import Identification
import Wire

// STUN and TURN: classic and RFC 5389 messages, attributes with bad lengths and padding, mapped
// and XOR-mapped addresses (IPv4, IPv6, bad families), error codes, TURN ChannelData, and the
// app attribution (WhatsApp's message types and attributes, realms, Microsoft's extensions) the
// payload recognizers make over UDP and TCP.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 1, raw: true) { pieces in
        let bytes = pieces[0]
        if let message = STUNMessage(bytes) {
            touch(message.transactionID)
            blackHole((message.isClassic, message.messageType, message.messageClass, message.method, message.length))
            for attribute in message.attributes {
                touch(attribute.value)
                blackHole((attribute.type, attribute.isComprehensionRequired))
            }
            blackHole((message.software, message.realm, message.username, message.text(of: .software)))
            blackHole((message.xorMappedAddress?.description, message.xorRelayedAddress, message.xorPeerAddress,
                       message.mappedAddress?.description))
            blackHole((message.hasMessageIntegrity, message.hasMessageIntegritySHA256, message.hasFingerprint,
                       message.errorCode))
            blackHole(PayloadRecognizer.recognizeSTUN(message))
        }
        if let channel = TURNChannelData(bytes) {
            touch(channel.data)
            blackHole((channel.channelNumber, channel.length, channel.paddedLength))
        }
        blackHole(PayloadRecognizer.recognizeUDP(bytes, fromClient: true, clientPort: 50_000, serverPort: 3478))
        blackHole(PayloadRecognizer.recognizeUDP(bytes, fromClient: false, clientPort: 50_000, serverPort: 3478))
        blackHole(PayloadRecognizer.recognizeTCP(client: bytes, server: UnsafeRawBufferPointer(start: nil, count: 0),
                                                 clientPort: 50_000, serverPort: 3478))
    }
    return 0
}

FuzzInput.run(fuzz)
