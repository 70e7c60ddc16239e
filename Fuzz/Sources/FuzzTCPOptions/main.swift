import FuzzSupport
import Wire

// TCP headers and their options (MSS, window scale, SACK, timestamps, padding, bad lengths): the
// segment view on its own, and the decoder from an IPv4 header that declares the input as its
// TCP payload (with the SYN flag forced on every other input, so the options are parsed).
let decoder = PacketDecoder(linkLayer: .ipv4)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzInput.withPieces(data, size, maximum: 1, raw: true) { pieces in
        let segment = pieces[0]
        if let tcp = try? TCPSegment(validating: segment) {
            blackHole((tcp.sourcePort, tcp.destinationPort, tcp.sequenceNumber, tcp.acknowledgmentNumber,
                       tcp.flags.description, tcp.window, tcp.checksum, tcp.urgentPointer))
            blackHole(tcp.options)
            touch(tcp.payload)
        }
        blackHole(TCPOptions(segment))
        // IPv4 header (20 bytes, protocol 6) + the segment, with an honest total length.
        let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: 20 + segment.count, alignment: 1)
        defer { packet.deallocate() }
        let total = min(20 + segment.count, 0xFFFF)
        let header: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0, 0, 64, 6, 0, 0,
                               10, 0, 0, 1, 10, 0, 0, 2]
        packet.copyBytes(from: header)
        if !segment.isEmpty { UnsafeMutableRawBufferPointer(rebasing: packet[20...]).copyMemory(from: segment) }
        if segment.count > 13, segment[0] & 1 == 1 { packet[20 + 13] |= 0x02 }
        consume(decoder.decode(UnsafeRawBufferPointer(packet), originalLength: packet.count))
    }
    return 0
}

FuzzInput.run(fuzz)
