/// How a datagram is cut into fragments and which of them are emitted, in which order.
public struct FragmentationPlan: Sendable, Hashable {
    /// How many pieces the fragmentable part is cut into (each a multiple of 8 bytes but the last).
    public var count: Int
    /// Emission order as piece indices; nil emits them in order.
    public var order: [Int]?
    /// Bytes (a multiple of 8) by which every piece after the first also repeats the end of the
    /// piece before it, with identical data.
    public var overlap: Int
    /// Pieces never emitted (a datagram that can never be reassembled).
    public var omitted: Set<Int>

    /// `count` pieces, optionally reordered, overlapping or incomplete.
    public init(count: Int, order: [Int]? = nil, overlap: Int = 0, omitted: Set<Int> = []) {
        precondition(count >= 1 && overlap % 8 == 0 && overlap >= 0)
        self.count = count
        self.order = order
        self.overlap = overlap
        self.omitted = omitted
    }

    /// Byte ranges of the pieces of a `length`-byte fragmentable part, in piece order.
    func ranges(length: Int) -> [Range<Int>] {
        let pieceLength = max(8, ((length + count - 1) / count + 7) / 8 * 8)
        var ranges: [Range<Int>] = []
        for index in 0..<count {
            let start = index * pieceLength
            guard start < length else { break }
            let reachBack = index == 0 ? 0 : min(overlap, start)
            ranges.append((start - reachBack)..<min(start + pieceLength, length))
        }
        return ranges
    }

    /// Piece indices in emission order, omitted ones left out.
    func emissionOrder(pieces: Int) -> [Int] {
        (order ?? Array(0..<pieces)).filter { $0 < pieces && !omitted.contains($0) }
    }
}

extension IPv4Builder {
    /// The fragments of this datagram carrying `segment` (checksum computed over the whole
    /// segment first), per `plan`. Options without the copied flag stay in the first fragment only.
    public func fragments(carrying segment: some TransportSegment, plan: FragmentationPlan) -> [[UInt8]] {
        fragments(protocolNumber: segment.ipProtocol, payload: segment.serialized(source: source, destination: destination), plan: plan)
    }

    /// The fragments of a datagram with this header and `payload`, per `plan`.
    public func fragments(protocolNumber: UInt8, payload: [UInt8], plan: FragmentationPlan) -> [[UInt8]] {
        let ranges = plan.ranges(length: payload.count)
        return plan.emissionOrder(pieces: ranges.count).map { index in
            let range = ranges[index]
            var header = self
            header.fragmentOffset = UInt16(range.lowerBound / 8)
            header.moreFragments = range.upperBound < payload.count
            if range.lowerBound > 0 {
                header.options = options.filter { $0.encoded.first.map { $0 & 0x80 != 0 } ?? false }
            }
            return header.packet(protocolNumber: protocolNumber, payload: Array(payload[range]))
        }
    }
}

extension IPv6Builder {
    /// The fragments of this packet carrying `segment`, per `plan` (RFC 8200 §4.5): hop-by-hop
    /// and routing headers stay in front of every fragment's Fragment header; later extension
    /// headers and the segment are the fragmentable part.
    public func fragments(carrying segment: some TransportSegment, identification: UInt32, plan: FragmentationPlan) -> [[UInt8]] {
        fragments(nextHeader: segment.ipProtocol,
                  payload: segment.serialized(source: source, destination: finalDestination),
                  identification: identification, plan: plan)
    }

    /// The fragments of a packet with these headers and `payload` announced as `nextHeader`.
    public func fragments(nextHeader: UInt8, payload: [UInt8], identification: UInt32, plan: FragmentationPlan) -> [[UInt8]] {
        let unfragmentableCount = (extensionHeaders.lastIndex(where: \.isUnfragmentable) ?? -1) + 1
        let unfragmentable = Array(extensionHeaders.prefix(unfragmentableCount))
        let later = IPv6Builder.encodeChain(Array(extensionHeaders.dropFirst(unfragmentableCount)), upperProtocol: nextHeader)
        let fragmentable = later.bytes + payload
        let ranges = plan.ranges(length: fragmentable.count)
        return plan.emissionOrder(pieces: ranges.count).map { index in
            let range = ranges[index]
            let fragmentHeader = IPv6Builder.ExtensionHeader.fragment(offset: UInt16(range.lowerBound / 8),
                                                              moreFragments: range.upperBound < fragmentable.count,
                                                              identification: identification)
            let front = IPv6Builder.encodeChain(unfragmentable + [fragmentHeader], upperProtocol: later.first)
            let body = front.bytes + Array(fragmentable[range])
            return fixedHeader(nextHeader: front.first, payloadLength: body.count) + body
        }
    }
}
