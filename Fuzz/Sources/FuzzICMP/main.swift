import FuzzSupport
import Wire

// ICMP and ICMPv6 messages, above all the errors that quote the packet they answer (IPv4 with
// options, IPv6 with extension headers, quotes cut anywhere): an IP header carrying the input as
// its ICMP (first byte even) or ICMPv6 (odd) message, then the rest of the input.
let ipv4 = PacketDecoder(linkLayer: .ipv4)
let ipv6 = PacketDecoder(linkLayer: .ipv6)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 1 else { return 0 }
    let version6 = data[0] & 1 == 1
    let message = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let headerLength = version6 ? 40 : 20
    let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: headerLength + message.count, alignment: 1)
    defer { packet.deallocate() }
    var header: [UInt8]
    if version6 {
        let length = min(message.count, 0xFFFF)
        header = [0x60, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), 58, 64]
        let source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        let destination: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
        header.append(contentsOf: source)
        header.append(contentsOf: destination)
    } else {
        let total = min(20 + message.count, 0xFFFF)
        header = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
    }
    packet.copyBytes(from: header)
    if !message.isEmpty { UnsafeMutableRawBufferPointer(rebasing: packet[headerLength...]).copyMemory(from: message) }
    let decoder = version6 ? ipv6 : ipv4
    consume(decoder.decode(UnsafeRawBufferPointer(packet), originalLength: packet.count))
    FuzzInput.withPieces(data + 1, size - 1, maximum: 1, raw: true) { pieces in
        if let icmp = try? ICMPMessage(validating: pieces[0], isVersion6: version6) {
            touch(icmp.quotedBytes)
            blackHole((icmp.type, icmp.code, icmp.isError, icmp.isEchoRequest, icmp.isEchoReply,
                       icmp.isAdministrativelyProhibited, icmp.flowPorts))
        }
    }
    return 0
}

FuzzInput.run(fuzz)
