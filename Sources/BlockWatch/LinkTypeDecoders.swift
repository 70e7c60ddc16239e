import Capture
import Wire

/// A `PacketDecoder` per link type, made the first time the link type is met (a pcapng's
/// interfaces can each have their own). Nothing is allocated per packet: the decoder last used
/// is checked first, and a file rarely has more than two or three link types.
struct LinkTypeDecoders {
    private var linkTypes: [LinkType] = []
    /// nil where BlockWatch does not decode the link type.
    private var decoders: [PacketDecoder?] = []
    private var last = -1

    /// The decoder for `linkType`; nil if BlockWatch does not decode it.
    @inline(__always)
    mutating func decoder(for linkType: LinkType) -> PacketDecoder? {
        if last >= 0, linkTypes[last] == linkType { return decoders[last] }
        return lookUp(linkType)
    }

    private mutating func lookUp(_ linkType: LinkType) -> PacketDecoder? {
        if let index = linkTypes.firstIndex(of: linkType) {
            last = index
            return decoders[index]
        }
        linkTypes.append(linkType)
        decoders.append(LinkLayer(dataLinkType: linkType.rawValue).map(PacketDecoder.init(linkLayer:)))
        last = linkTypes.count - 1
        return decoders[last]
    }
}
