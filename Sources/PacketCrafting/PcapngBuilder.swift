import Foundation

/// Builds a pcapng file in memory, block by block: sections in either byte order, interfaces of
/// any link type with their timestamp resolution and offset, Enhanced, Simple and obsolete Packet
/// Blocks, and any other block. For tests of readers (`Capture.PcapngWriter` writes the one
/// simple layout BlockWatch saves; this writes what other tools do, damage included).
public struct PcapngBuilder: Sendable {
    /// `if_tsresol`: units of 10^-n or 2^-n seconds.
    public enum Resolution: Sendable, Hashable {
        case decimal(UInt8)
        case binary(UInt8)

        public static let microseconds = Resolution.decimal(6)
        public static let nanoseconds = Resolution.decimal(9)

        /// The option's byte: the exponent, with the top bit set for powers of 2.
        var optionByte: UInt8 {
            switch self {
            case .decimal(let n): n
            case .binary(let n): 0x80 | n
            }
        }

        var ticksPerSecond: UInt64 {
            switch self {
            case .decimal(let n): (0..<n).reduce(1) { value, _ in value * 10 }
            case .binary(let n): 1 << UInt64(n)
            }
        }
    }

    public enum ByteOrder: Sendable { case littleEndian, bigEndian }

    /// The file so far.
    public private(set) var bytes: [UInt8] = []
    /// Where each block starts, in the order written (block 0 is the first Section Header Block).
    public private(set) var blockOffsets: [Int] = []
    private var byteOrder: ByteOrder = .littleEndian
    /// The current section's interfaces' resolutions and offsets, by interface id.
    private var interfaces: [(resolution: Resolution, offsetSeconds: Int64)] = []

    /// Starts the file with a section in `byteOrder`.
    public init(byteOrder: ByteOrder = .littleEndian) {
        section(byteOrder: byteOrder)
    }

    /// A Section Header Block: a new section, with no interfaces yet.
    public mutating func section(byteOrder: ByteOrder = .littleEndian) {
        self.byteOrder = byteOrder
        interfaces = []
        var body: [UInt8] = []
        put32(0x1A2B_3C4D, &body); put16(1, &body); put16(0, &body)
        body += [UInt8](repeating: 0xFF, count: 8)   // section length: not given
        block(type: 0x0A0D_0D0A, body: body)
    }

    /// An Interface Description Block for `framing`'s link type; returns its interface id.
    @discardableResult
    public mutating func interface(_ framing: LinkFraming, snapshotLength: UInt32 = 262_144,
                                   resolution: Resolution? = nil, offsetSeconds: Int64? = nil) -> UInt32 {
        interface(linkType: framing.fileLinkType, snapshotLength: snapshotLength, resolution: resolution,
                  offsetSeconds: offsetSeconds)
    }

    /// An Interface Description Block for a LINKTYPE_ value (as files store it); nil `resolution`
    /// writes no `if_tsresol` (the default, microseconds). Returns its interface id.
    @discardableResult
    public mutating func interface(linkType: UInt16, snapshotLength: UInt32 = 262_144,
                                   resolution: Resolution? = nil, offsetSeconds: Int64? = nil) -> UInt32 {
        var body: [UInt8] = []
        put16(linkType, &body); put16(0, &body); put32(snapshotLength, &body)
        if let resolution {
            put16(9, &body); put16(1, &body); body += [resolution.optionByte, 0, 0, 0]
        }
        if let offsetSeconds {
            put16(14, &body); put16(8, &body); put64(UInt64(bitPattern: offsetSeconds), &body)
        }
        if resolution != nil || offsetSeconds != nil { put16(0, &body); put16(0, &body) }
        block(type: 1, body: body)
        interfaces.append((resolution ?? .microseconds, offsetSeconds ?? 0))
        return UInt32(interfaces.count - 1)
    }

    /// An Enhanced Packet Block stamped `ticks` units of its interface's resolution.
    /// `capturedLength` overrides the field (to build damage); it defaults to `data.count`.
    public mutating func enhancedPacket(interface: UInt32, ticks: UInt64, _ data: [UInt8], originalLength: Int? = nil,
                                        capturedLength: UInt32? = nil) {
        var body: [UInt8] = []
        put32(interface, &body)
        put32(UInt32(truncatingIfNeeded: ticks >> 32), &body); put32(UInt32(truncatingIfNeeded: ticks), &body)
        put32(capturedLength ?? UInt32(data.count), &body); put32(UInt32(originalLength ?? data.count), &body)
        body += data
        block(type: 6, body: body)
    }

    /// An Enhanced Packet Block at `timestampNanoseconds`, in its interface's resolution and offset.
    public mutating func enhancedPacket(interface: UInt32, timestampNanoseconds: Int64, _ data: [UInt8],
                                        originalLength: Int? = nil) {
        enhancedPacket(interface: interface, ticks: ticks(interface: interface, timestampNanoseconds), data,
                       originalLength: originalLength)
    }

    /// A Simple Packet Block (interface 0, no timestamp): `data` is what the block holds of a
    /// packet of `originalLength` bytes.
    public mutating func simplePacket(_ data: [UInt8], originalLength: Int? = nil) {
        var body: [UInt8] = []
        put32(UInt32(originalLength ?? data.count), &body)
        body += data
        block(type: 3, body: body)
    }

    /// An obsolete Packet Block (type 2): 16-bit interface id and drop count.
    public mutating func obsoletePacket(interface: UInt16, timestampNanoseconds: Int64, _ data: [UInt8]) {
        let ticks = ticks(interface: UInt32(interface), timestampNanoseconds)
        var body: [UInt8] = []
        put16(interface, &body); put16(0, &body)
        put32(UInt32(truncatingIfNeeded: ticks >> 32), &body); put32(UInt32(truncatingIfNeeded: ticks), &body)
        put32(UInt32(data.count), &body); put32(UInt32(data.count), &body)
        body += data
        block(type: 2, body: body)
    }

    /// Any block: `body` is padded to 4 bytes and framed by type and length.
    public mutating func block(type: UInt32, body: [UInt8]) {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let total = UInt32(12 + padded.count)
        blockOffsets.append(bytes.count)
        put32(type, &bytes); put32(total, &bytes)
        bytes += padded
        put32(total, &bytes)
    }

    /// Every packet of `packets` framed for the interface's link type, at its own time.
    public mutating func enhancedPackets(interface: UInt32, framing: LinkFraming, _ packets: [TimedPacket]) {
        for packet in packets {
            enhancedPacket(interface: interface, timestampNanoseconds: packet.timestampNanoseconds, framing.frame(packet))
        }
    }

    public func write(to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Ticks of the interface's resolution for a time in nanoseconds, its offset taken off.
    private func ticks(interface: UInt32, _ nanoseconds: Int64) -> UInt64 {
        // An interface id the section does not describe (to build damage): the default resolution.
        let (resolution, offset) = Int(interface) < interfaces.count ? interfaces[Int(interface)] : (.microseconds, 0)
        let since = UInt64(nanoseconds - offset * 1_000_000_000)
        let product = since.multipliedFullWidth(by: resolution.ticksPerSecond)
        return UInt64(1_000_000_000).dividingFullWidth(product).quotient
    }

    private func put16(_ value: UInt16, _ out: inout [UInt8]) {
        let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { out += $0 }
    }

    private func put32(_ value: UInt32, _ out: inout [UInt8]) {
        let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { out += $0 }
    }

    private func put64(_ value: UInt64, _ out: inout [UInt8]) {
        let v = byteOrder == .bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { out += $0 }
    }
}

extension LinkFraming {
    /// The LINKTYPE_ value a file stores (DLT_RAW is LINKTYPE_RAW, 101, in files).
    public var fileLinkType: UInt16 {
        if case .raw = self { return 101 }
        return UInt16(dataLinkType)
    }
}
