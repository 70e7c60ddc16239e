import FuzzSupport
import Wire

// Link layers (Ethernet with VLAN/QinQ, PPPoE and MPLS, Linux SLL and SLL2, raw IP, DLT_IPV4/6,
// NULL and LOOP) through the whole stateless decoder. The first byte picks the link type, the
// low nibble of the second how many bytes a snap length cut off; the rest is the frame.
let layers: [LinkLayer] = [.ethernet, .linuxCooked, .linuxCookedV2, .rawIP, .ipv4, .ipv6, .null, .loop]
let decoders = layers.map { PacketDecoder(linkLayer: $0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 2 else { return 0 }
    let decoder = decoders[Int(data[0]) % decoders.count]
    let cut = Int(data[1] & 0x0F)
    FuzzInput.withPieces(data + 2, size - 2, maximum: 1, raw: true) { pieces in
        let frame = pieces[0]
        consume(decoder.decode(frame, originalLength: frame.count + cut))
    }
    return 0
}

FuzzInput.run(fuzz)
