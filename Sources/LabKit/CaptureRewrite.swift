import Capture
import PacketCrafting
import Wire

/// A packet's bytes as the rewrite sees them: where the IP header starts, per link type.
enum LinkFraming {
    /// The offset of the IP header and its version (4 or 6), or nil for non-IP frames.
    static func ipStart(_ bytes: [UInt8], linkType: LinkType) -> Int? {
        var offset: Int
        var etherType: UInt16
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            guard bytes.count >= 14 else { return nil }
            offset = 14
            etherType = be16(bytes, 12)
            while etherType == 0x8100 || etherType == 0x88A8, bytes.count >= offset + 4 {
                etherType = be16(bytes, offset + 2)
                offset += 4
            }
        case LinkType.linuxSLL2.rawValue:
            guard bytes.count >= 20 else { return nil }
            offset = 20
            etherType = be16(bytes, 0)
        case LinkType.linuxSLL.rawValue:
            guard bytes.count >= 16 else { return nil }
            offset = 16
            etherType = be16(bytes, 14)
        case LinkType.raw.rawValue, LinkType.ipv4.rawValue, LinkType.ipv6.rawValue, 12, 14:
            return bytes.isEmpty ? nil : 0
        default:
            return nil
        }
        return etherType == 0x0800 || etherType == 0x86DD ? offset : nil
    }
}

/// Counts of what the rewrite did.
public struct RewriteStatistics: Sendable, CustomStringConvertible {
    public var packets = 0
    public var rewrittenAddresses = 0
    public var rewrittenDNSAnswers = 0
    public var rewrittenICMPQuotes = 0
    public var incompletePackets = 0

    public var description: String {
        "\(packets) packets, \(rewrittenAddresses) addresses, \(rewrittenDNSAnswers) DNS answers, \(rewrittenICMPQuotes) ICMP-quoted headers rewritten; \(incompletePackets) packets cut by the snapshot length (checksums left)"
    }
}

/// The offline rewrite: every lab address of a server becomes the service's real public address,
/// in IP headers, in the headers ICMP errors quote and in DNS A/AAAA answers, with the IPv4,
/// TCP, UDP, ICMP and ICMPv6 checksums made right again.
public struct AddressRewriter {
    public let map: [HostAddress: HostAddress]
    public private(set) var statistics = RewriteStatistics()

    public init(map: [HostAddress: HostAddress] = LabPlan.rewriteMap) { self.map = map }

    /// Rewrites one packet in place; `complete` is false when the snapshot length cut it.
    public mutating func rewrite(_ bytes: inout [UInt8], linkType: LinkType, complete: Bool) {
        statistics.packets += 1
        if !complete { statistics.incompletePackets += 1 }
        guard let start = LinkFraming.ipStart(bytes, linkType: linkType) else { return }
        rewriteIP(&bytes, at: start, end: bytes.count, complete: complete, quoted: false)
    }

    /// Replaces an address of `length` bytes at `offset` if the map has it; true if changed.
    mutating func replaceAddress(_ bytes: inout [UInt8], at offset: Int, length: Int) -> Bool {
        guard offset + length <= bytes.count else { return false }
        let current = HostAddress(bytes: Array(bytes[offset..<(offset + length)]))
        guard let replacement = map[current] else { return false }
        let new = replacement.bytes
        precondition(new.count == length, "the rewrite map keeps address families")
        for index in 0..<length { bytes[offset + index] = new[index] }
        statistics.rewrittenAddresses += 1
        return true
    }

    /// Rewrites the IP packet at `start` (inside an ICMP error when `quoted`).
    mutating func rewriteIP(_ bytes: inout [UInt8], at start: Int, end: Int, complete: Bool, quoted: Bool) {
        guard start < end else { return }
        let version = bytes[start] >> 4
        if version == 4 {
            guard start + 20 <= end else { return }
            let headerLength = Int(bytes[start] & 0x0F) * 4
            guard headerLength >= 20, start + headerLength <= end else { return }
            let oldSource = Array(bytes[(start + 12)..<(start + 20)])
            var changed = replaceAddress(&bytes, at: start + 12, length: 4)
            changed = replaceAddress(&bytes, at: start + 16, length: 4) || changed
            if changed {
                bytes[start + 10] = 0; bytes[start + 11] = 0
                let sum = Checksum.internet(Array(bytes[start..<(start + headerLength)]))
                bytes[start + 10] = UInt8(sum >> 8); bytes[start + 11] = UInt8(sum & 0xFF)
            }
            let fragmentOffset = be16(bytes, start + 6) & 0x1FFF
            guard fragmentOffset == 0 else { return }
            let totalLength = Int(be16(bytes, start + 2))
            let transportEnd = min(end, start + max(totalLength, headerLength))
            let source = HostAddress(bytes: Array(bytes[(start + 12)..<(start + 16)]))
            let destination = HostAddress(bytes: Array(bytes[(start + 16)..<(start + 20)]))
            let wholeTransport = complete && !quoted && start + totalLength <= end
            rewriteTransport(&bytes, protocolNumber: bytes[start + 9], at: start + headerLength, end: transportEnd,
                             source: source, destination: destination, oldAddresses: oldSource, addressesChanged: changed,
                             whole: wholeTransport, quoted: quoted)
        } else if version == 6 {
            guard start + 40 <= end else { return }
            let oldAddresses = Array(bytes[(start + 8)..<(start + 40)])
            var changed = replaceAddress(&bytes, at: start + 8, length: 16)
            changed = replaceAddress(&bytes, at: start + 24, length: 16) || changed
            // Skip the extension headers the lab can produce (none in practice; hop-by-hop etc.).
            var next = bytes[start + 6]
            var offset = start + 40
            while [0, 43, 60].contains(next), offset + 8 <= end {
                next = bytes[offset]
                offset += (Int(bytes[offset + 1]) + 1) * 8
            }
            guard next != 44 else { return }   // fragments: the lab sends none
            let payloadLength = Int(be16(bytes, start + 4))
            let transportEnd = min(end, start + 40 + payloadLength)
            let source = HostAddress(bytes: Array(bytes[(start + 8)..<(start + 24)]))
            let destination = HostAddress(bytes: Array(bytes[(start + 24)..<(start + 40)]))
            let wholeTransport = complete && !quoted && start + 40 + payloadLength <= end
            rewriteTransport(&bytes, protocolNumber: next, at: offset, end: transportEnd,
                             source: source, destination: destination, oldAddresses: oldAddresses, addressesChanged: changed,
                             whole: wholeTransport, quoted: quoted)
        }
    }

    // swiftlint:disable:next function_parameter_count
    mutating func rewriteTransport(_ bytes: inout [UInt8], protocolNumber: UInt8, at offset: Int, end: Int,
                                   source: HostAddress, destination: HostAddress, oldAddresses: [UInt8],
                                   addressesChanged: Bool, whole: Bool, quoted: Bool) {
        switch protocolNumber {
        case 6, 17:
            let checksumOffset = offset + (protocolNumber == 6 ? 16 : 6)
            var payloadChanged = false
            if protocolNumber == 17, offset + 8 <= end, !quoted {
                let sourcePort = be16(bytes, offset)
                let destinationPort = be16(bytes, offset + 2)
                if sourcePort == 53 || destinationPort == 53 {
                    payloadChanged = rewriteDNS(&bytes, at: offset + 8, end: end)
                }
            }
            guard addressesChanged || payloadChanged, checksumOffset + 2 <= end else { return }
            if protocolNumber == 17, be16(bytes, checksumOffset) == 0, !source.isIPv6 { return }   // no UDP checksum
            if whole {
                bytes[checksumOffset] = 0; bytes[checksumOffset + 1] = 0
                var sum = Checksum.transport(Array(bytes[offset..<end]), source: source, destination: destination,
                                             protocolNumber: protocolNumber)
                if protocolNumber == 17, sum == 0 { sum = 0xFFFF }
                bytes[checksumOffset] = UInt8(sum >> 8); bytes[checksumOffset + 1] = UInt8(sum & 0xFF)
            } else if addressesChanged {
                // Only part of the segment is here (a quoted header, or a snapshot cut): adjust
                // the checksum for the pseudo-header change alone (RFC 1624).
                let newAddresses = source.bytes + destination.bytes
                AddressRewriter.adjust(&bytes, checksumAt: checksumOffset, old: oldAddresses, new: newAddresses)
            }
        case 1:
            // ICMP errors quote the offending packet: rewrite it too, then the ICMP checksum.
            guard offset + 8 <= end else { return }
            let type = bytes[offset]
            var quoteChanged = false
            if [3, 4, 5, 11, 12].contains(type), offset + 8 < end {
                let before = statistics.rewrittenAddresses
                rewriteIP(&bytes, at: offset + 8, end: end, complete: false, quoted: true)
                quoteChanged = statistics.rewrittenAddresses != before
                if quoteChanged { statistics.rewrittenICMPQuotes += 1 }
            }
            if quoteChanged && whole {
                bytes[offset + 2] = 0; bytes[offset + 3] = 0
                let sum = Checksum.internet(Array(bytes[offset..<end]))
                bytes[offset + 2] = UInt8(sum >> 8); bytes[offset + 3] = UInt8(sum & 0xFF)
            }
        case 58:
            guard offset + 8 <= end else { return }
            let type = bytes[offset]
            var quoteChanged = false
            if type >= 1 && type <= 4, offset + 8 < end {
                let before = statistics.rewrittenAddresses
                rewriteIP(&bytes, at: offset + 8, end: end, complete: false, quoted: true)
                quoteChanged = statistics.rewrittenAddresses != before
                if quoteChanged { statistics.rewrittenICMPQuotes += 1 }
            }
            guard addressesChanged || quoteChanged else { return }
            if whole {
                bytes[offset + 2] = 0; bytes[offset + 3] = 0
                let sum = Checksum.transport(Array(bytes[offset..<end]), source: source, destination: destination, protocolNumber: 58)
                bytes[offset + 2] = UInt8(sum >> 8); bytes[offset + 3] = UInt8(sum & 0xFF)
            } else if addressesChanged {
                AddressRewriter.adjust(&bytes, checksumAt: offset + 2, old: oldAddresses, new: source.bytes + destination.bytes)
            }
        default:
            break
        }
    }

    /// Rewrites A/AAAA record data in a DNS message; true if anything changed.
    mutating func rewriteDNS(_ bytes: inout [UInt8], at start: Int, end: Int) -> Bool {
        guard start < end else { return false }
        var offsets: [(Int, Int)] = []
        let message = Array(bytes[start..<end])
        message.withUnsafeBytes { raw in
            guard let dns = DNSMessage(raw), dns.isResponse else { return }
            for record in dns.records where record.type == .a || record.type == .aaaa {
                if record.data.count == 4 || record.data.count == 16 { offsets.append((record.dataOffset, record.data.count)) }
            }
        }
        var changed = false
        for (offset, length) in offsets where replaceAddress(&bytes, at: start + offset, length: length) {
            statistics.rewrittenDNSAnswers += 1
            changed = true
        }
        return changed
    }

    /// RFC 1624 incremental update: HC' = ~(~HC + ~m + m') over the changed 16-bit words.
    static func adjust(_ bytes: inout [UInt8], checksumAt offset: Int, old: [UInt8], new: [UInt8]) {
        let current = be16(bytes, offset)
        if current == 0 { return }
        var sum = UInt64(~current)
        var index = 0
        while index + 1 < old.count {
            sum += UInt64(~(UInt16(old[index]) << 8 | UInt16(old[index + 1])))
            sum += UInt64(UInt16(new[index]) << 8 | UInt16(new[index + 1]))
            index += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let result = ~UInt16(sum)
        bytes[offset] = UInt8(result >> 8)
        bytes[offset + 1] = UInt8(result & 0xFF)
    }

    /// Reads `input`, rewrites every packet and writes classic pcap (nanosecond) to `output`.
    /// `observe` sees each packet before the rewrite (lab addresses), e.g. to collect flows.
    public static func rewriteFile(input: String, output: String,
                                   observe: (Int64, [UInt8], LinkType) -> Void = { _, _, _ in }) throws -> RewriteStatistics {
        let reader = try CaptureReader(paths: [input])
        guard let linkType = reader.linkTypes.first else { throw CaptureError.cannotWrite(path: input, reason: "no source") }
        let writer = try CaptureWriter(path: output, linkType: linkType, snapshotLength: 262_144)
        var rewriter = AddressRewriter()
        _ = try reader.forEachPacket { packet in
            var bytes = Array(packet.bytes)
            observe(packet.timestampNanoseconds, bytes, packet.linkType)
            rewriter.rewrite(&bytes, linkType: packet.linkType, complete: !packet.isTruncatedBySnapshot)
            writer.write(timestampNanoseconds: packet.timestampNanoseconds, bytes: bytes, originalLength: packet.originalLength)
        }
        try writer.finish()
        return rewriter.statistics
    }
}
