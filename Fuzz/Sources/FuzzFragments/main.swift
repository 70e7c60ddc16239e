import FuzzSupport
import Wire

// IPv4 and IPv6 fragment reassembly: the input is a run of raw IP packets (2-byte length before
// each, see FuzzInput.withPieces); each fragment goes to one reassembler, as the pipeline does,
// and every datagram it completes is decoded from its transport header on. A small table and a
// short timeout let eviction and expiry happen within one input. The first byte is the packet
// clock's step (in 100 ms units).
let decoder = PacketDecoder(linkLayer: .rawIP)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 1 else { return 0 }
    let step = Int64(data[0]) * 100_000_000
    var reassembler = FragmentReassembler(maximumDatagrams: 4, timeout: .seconds(2))
    FuzzInput.withPieces(data + 1, size - 1, maximum: 64) { packets in
        var time = Timestamp(nanoseconds: 0)
        for packet in packets {
            time = time + Timestamp.Duration(nanoseconds: step)
            if packet.count & 7 == 7 { reassembler.expire(now: time) }
            let result = decoder.decode(packet, originalLength: packet.count)
            consume(result)
            guard case .fragment(let fragment) = result, let datagram = reassembler.add(fragment, at: time) else { continue }
            datagram.withPayload { payload in
                touch(payload)
                consume(decoder.decodeTransport(network: datagram.header, payload, declaredLength: payload.count,
                                                cut: datagram.snaplenCut))
            }
            reassembler.recycle(datagram)
        }
    }
    blackHole(reassembler.heldFragments)
    reassembler.finish()
    blackHole((reassembler.issues, reassembler.fragmentsMerged))
    return 0
}

FuzzInput.run(fuzz)
