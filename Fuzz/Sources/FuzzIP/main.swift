import FuzzSupport
import Wire

// IPv4 (options, total length, fragment fields) and IPv6 (extension header chains: hop-by-hop,
// routing, destination options, AH, fragment, mobility, HIP, shim6; jumbograms) on their own and
// through the decoder from the IP header down.
let rawIP = PacketDecoder(linkLayer: .rawIP)
let ipv4 = PacketDecoder(linkLayer: .ipv4)
let ipv6 = PacketDecoder(linkLayer: .ipv6)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 1, raw: true) { pieces in
        let bytes = pieces[0]
        if let packet = try? IPv4Packet(validating: bytes) {
            touch(packet.options)
            touch(packet.payload)
            blackHole((packet.headerLength, packet.totalLength, packet.payloadLength, packet.fragmentOffset,
                       packet.isFragment, packet.headerChecksumIsValid, packet.source, packet.destination))
        }
        if let packet = try? IPv6Packet(validating: bytes) {
            touch(packet.upperLayer)
            blackHole((packet.upperLayerProtocol, packet.upperLayerLength, packet.fragment, packet.totalLength,
                       packet.trafficClass, packet.flowLabel, packet.source, packet.destination))
        }
        consume(rawIP.decode(bytes, originalLength: bytes.count))
        consume(ipv4.decode(bytes, originalLength: bytes.count))
        consume(ipv6.decode(bytes, originalLength: bytes.count))
    }
    return 0
}

FuzzInput.run(fuzz)
