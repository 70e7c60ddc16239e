/// Why reading a pcapng file (with `MappedPcapng`) stopped before its end. Trivial (no strings
/// until a warning is written), so it can live inside the reader's state.
@usableFromInline
enum PcapngDamage: Equatable {
    /// The file ends `available` bytes into a block that needs `needed` (a header needs 12).
    case cutShort(blockType: UInt32, needed: Int, available: Int)
    /// A block length that is not a multiple of 4.
    case unalignedLength(blockType: UInt32, length: UInt32)
    /// A block length smaller than the block type's fixed part.
    case tooShort(blockType: UInt32, length: UInt32, minimum: Int)
    /// A block length beyond what BlockWatch accepts (a corrupt length field).
    case tooLong(blockType: UInt32, length: UInt32, maximum: Int)
    /// The length repeated at the block's end differs from the one at its start.
    case trailerMismatch(blockType: UInt32, length: UInt32, trailer: UInt32)
    /// A Section Header Block whose byte-order magic is neither 0x1A2B3C4D nor its swap.
    case badByteOrderMagic(UInt32)
    /// A Section Header Block of a major version other than 1.
    case unsupportedVersion(major: UInt16)
    /// A packet of an interface no Interface Description Block of its section described.
    case undescribedInterface(UInt32, described: Int)
    /// A packet block whose captured length is more than the block holds.
    case capturedLengthBeyondBlock(blockType: UInt32, capturedLength: UInt32, room: Int)
    /// An `if_tsresol` no 64-bit timestamp can use (10^-20 and finer, 2^-64 and finer).
    case unusableResolution(UInt8)
    /// A packet block before any Interface Description Block of its section.
    case packetBeforeInterface(blockType: UInt32)
    /// The system would not map the file (`errno`).
    case unmappable(errno: Int32)

    /// Whether the file merely ends early (a cut copy) rather than holding corrupt bytes.
    var isCut: Bool { if case .cutShort = self { true } else { false } }

    /// One line for the user: what is wrong, in the spec's words.
    var detail: String {
        switch self {
        case let .cutShort(_, 12, available):
            return "the file ends \(available) bytes into a block header, which needs 12"
        case let .cutShort(type, needed, available):
            return "the file ends \(available) bytes into \(Self.name(type)), which needs \(needed)"
        case let .unalignedLength(type, length):
            return "\(Self.name(type)) has length \(length), not a multiple of 4"
        case let .tooShort(type, length, minimum):
            return "\(Self.name(type)) has length \(length), less than the \(minimum) bytes such a block needs"
        case let .tooLong(type, length, maximum):
            return "\(Self.name(type)) has length \(length), more than the \(maximum) BlockWatch accepts"
        case let .trailerMismatch(type, length, trailer):
            return "\(Self.name(type)) has length \(length) at its start but \(trailer) at its end"
        case let .badByteOrderMagic(magic):
            return "a section header has byte-order magic 0x\(String(magic, radix: 16)), not 0x1a2b3c4d"
        case let .unsupportedVersion(major):
            return "a section header has pcapng major version \(major); only 1 is defined"
        case let .undescribedInterface(id, described):
            return "a packet of interface \(id), but its section describes \(described) interface\(described == 1 ? "" : "s")"
        case let .capturedLengthBeyondBlock(type, captured, room):
            return "\(Self.name(type)) has captured length \(captured), more than the \(room) bytes it holds"
        case let .unusableResolution(code):
            return "an interface has if_tsresol 0x\(String(code, radix: 16)), finer than a 64-bit timestamp can count"
        case let .packetBeforeInterface(type):
            return "\(Self.name(type)) comes before any Interface Description Block of its section"
        case let .unmappable(code):
            return "cannot map the file: \(systemErrorText(code))"
        }
    }

    /// "an Enhanced Packet Block", "a block of type 0x00000bad".
    static func name(_ type: UInt32) -> String {
        switch type {
        case MappedPcapng.sectionHeaderType: return "a Section Header Block"
        case MappedPcapng.interfaceDescriptionType: return "an Interface Description Block"
        case MappedPcapng.enhancedPacketType: return "an Enhanced Packet Block"
        case MappedPcapng.simplePacketType: return "a Simple Packet Block"
        case MappedPcapng.obsoletePacketType: return "a Packet Block"
        default:
            let hex = String(type, radix: 16)
            return "a block of type 0x\(String(repeating: "0", count: max(0, 8 - hex.count)))\(hex)"
        }
    }
}
