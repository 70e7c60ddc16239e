#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pcapng file straight from memory (`mmap`), every section and interface whatever their
/// link types: libpcap reads one link type per pcapng file and stops at an interface of another,
/// while sensors write files such as `dumpcap -i eth0 -i tun0` (Ethernet and raw IP).
///
/// Blocks (draft-ietf-opsawg-pcapng): a Section Header Block in either byte order starts a
/// section and forgets the interfaces of the one before; Interface Description Blocks give each
/// interface its link type, snapshot length, `if_tsresol` (10^-n or 2^-n) and `if_tsoffset`;
/// Enhanced, Simple and (obsolete) Packet Blocks carry packets; every other block is skipped by
/// its length. Packet bytes are a view into the mapping: nothing is copied or allocated per packet.
///
/// A block that cannot be read (cut, a corrupt length, a packet of an interface never described,
/// a captured length beyond its block) ends the reading; `damage` says what and `damageOffset`
/// where, and the packets before it stand.
///
/// Trivial (no references), so it lives inside `SourceCursor`. Safety: `window` and `interfaces`
/// are owned by this value; `CaptureReader` calls `close` once, before the handle is closed.
@usableFromInline
struct MappedPcapng {
    @usableFromInline static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    @usableFromInline static let interfaceDescriptionType: UInt32 = 1
    @usableFromInline static let obsoletePacketType: UInt32 = 2
    @usableFromInline static let simplePacketType: UInt32 = 3
    @usableFromInline static let enhancedPacketType: UInt32 = 6
    /// Bytes mapped at a time (more when one block is larger), as in `MappedPcap`.
    @usableFromInline static let windowBytes = 16 << 20
    /// A longer block is taken for a corrupt length field (libpcap's own limit is 16 MiB).
    @usableFromInline static let maximumBlockLength = 64 << 20
    /// What a snapshot length of 0 (no limit) or beyond it means: libpcap's maximum for these link types.
    @usableFromInline static let maximumSnapshotLength = 262_144

    @usableFromInline let descriptor: Int32
    /// The file's size when the reader was created; blocks beyond it are not read.
    @usableFromInline let fileSize: Int
    @usableFromInline var window: UnsafeRawPointer?
    @usableFromInline var windowStart = 0
    @usableFromInline var windowLength = 0
    /// File offset of the next block.
    @usableFromInline var offset = 0
    /// Whether the current section's byte order is the other one than this machine's.
    @usableFromInline var swapped = false
    /// The current section's interfaces, by interface id.
    @usableFromInline var interfaces: UnsafeMutablePointer<PcapngInterface>?
    @usableFromInline var interfaceCount = 0
    @usableFromInline var interfaceCapacity = 0
    /// Packet blocks read so far, delivered or not (the number of the last one read).
    @usableFromInline var packetBlocksRead = 0
    /// Why reading stopped before the end of the file, and the offset of the block at fault.
    @usableFromInline var damage: PcapngDamage?
    @usableFromInline var damageOffset = 0
    @usableFromInline var atEnd = false

    /// A reader for `handle` if it is a regular pcapng file, else nil (libpcap reads it). Reads the
    /// blocks before the first packet, so `linkTypes` knows the interfaces described up front.
    static func open(_ handle: CaptureHandle) -> MappedPcapng? {
        guard !handle.isLive, handle.fileSize != nil, let descriptor = Libpcap.fileDescriptor(handle.pcap) else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size >= 12 else { return nil }
        var type: UInt32 = 0
        guard withUnsafeMutableBytes(of: &type, { pread(descriptor, $0.baseAddress, 4, 0) }) == 4,
              type == sectionHeaderType else { return nil }
        var reader = MappedPcapng(descriptor: descriptor, fileSize: Int(info.st_size))
        _ = reader.nextPacketBlock()
        return reader
    }

    private init(descriptor: Int32, fileSize: Int) {
        self.descriptor = descriptor
        self.fileSize = fileSize
    }

    /// The link types of the current section's interfaces (right after `open`: those described
    /// before the first packet).
    var linkTypes: [LinkType] {
        guard let interfaces else { return [] }
        return (0..<interfaceCount).map { interfaces[$0].linkType }
    }

    /// One packet read from the mapping; `data` stays valid until the next call to `next`.
    @usableFromInline
    struct Record {
        @usableFromInline var timestampNanoseconds: Int64
        @usableFromInline var capturedLength: Int
        @usableFromInline var originalLength: Int
        @usableFromInline var data: UnsafePointer<UInt8>
        /// The bytes the block holds: more than `capturedLength` when the interface's snapshot
        /// length cut the packet.
        @usableFromInline var storedLength: Int
        @usableFromInline var linkType: LinkType
        /// Where the packet's block starts in the file.
        @usableFromInline var blockOffset: Int

        @inlinable init(timestampNanoseconds: Int64, capturedLength: Int, originalLength: Int, data: UnsafePointer<UInt8>,
                        storedLength: Int, linkType: LinkType, blockOffset: Int) {
            self.timestampNanoseconds = timestampNanoseconds
            self.capturedLength = capturedLength
            self.originalLength = originalLength
            self.data = data
            self.storedLength = storedLength
            self.linkType = linkType
            self.blockOffset = blockOffset
        }
    }

    /// The next packet, or nil at the end of the file or at damage (see `damage`).
    @inlinable
    mutating func next() -> Record? {
        guard let (block, type, length) = nextPacketBlock() else { return nil }
        let interfaceID: UInt32
        let ticks: UInt64
        var captured: UInt32
        let original: UInt32
        let dataStart: Int
        if type == MappedPcapng.enhancedPacketType || type == MappedPcapng.obsoletePacketType {
            guard length >= 32 else { return stop(.tooShort(blockType: type, length: UInt32(length), minimum: 32)) }
            // The obsolete Packet Block has a 16-bit interface id and a 16-bit drop count instead.
            interfaceID = type == MappedPcapng.enhancedPacketType
                ? load32(block, 8) : UInt32(swapped ? block.loadUnaligned(fromByteOffset: 8, as: UInt16.self).byteSwapped
                                                     : block.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
            ticks = UInt64(load32(block, 12)) << 32 | UInt64(load32(block, 16))
            captured = load32(block, 20)
            original = load32(block, 24)
            dataStart = 28
        } else {
            guard length >= 16 else { return stop(.tooShort(blockType: type, length: UInt32(length), minimum: 16)) }
            // A Simple Packet Block: interface 0, no timestamp (0, as libpcap gives), and a captured
            // length that is the original length cut to the snapshot length.
            interfaceID = 0
            ticks = 0
            original = load32(block, 8)
            captured = original
            dataStart = 12
        }
        guard interfaceID < interfaceCount, let interfaces else {
            if interfaceCount == 0 { return stop(.packetBeforeInterface(blockType: type)) }
            return stop(.undescribedInterface(interfaceID, described: interfaceCount))
        }
        let interface = interfaces[Int(interfaceID)]
        if type == MappedPcapng.simplePacketType, captured > UInt32(interface.snapshotLength) {
            captured = UInt32(interface.snapshotLength)
        }
        let room = length &- dataStart &- 4
        guard Int(captured) <= room else {
            return stop(.capturedLengthBeyondBlock(blockType: type, capturedLength: captured, room: room))
        }
        let stored = Int(captured)
        let record = Record(
            timestampNanoseconds: interface.nanoseconds(ticks),
            capturedLength: min(stored, interface.snapshotLength),
            originalLength: Int(original),
            data: (block + dataStart).assumingMemoryBound(to: UInt8.self),
            storedLength: stored,
            linkType: interface.linkType,
            blockOffset: offset)
        offset &+= length
        packetBlocksRead &+= 1
        return record
    }

    @usableFromInline
    mutating func stop(_ reason: PcapngDamage) -> Record? {
        damage = reason
        damageOffset = offset
        return nil
    }

    /// A 32-bit field of the current section's byte order.
    @inlinable @inline(__always)
    func load32(_ block: UnsafeRawPointer, _ at: Int) -> UInt32 {
        let value = block.loadUnaligned(fromByteOffset: at, as: UInt32.self)
        return swapped ? value.byteSwapped : value
    }

    /// Reads the blocks before the next packet block and leaves `offset` at it (not consumed):
    /// its bytes (all mapped), type and length; nil at the end of the file or at damage.
    @inlinable
    mutating func nextPacketBlock() -> (UnsafeRawPointer, UInt32, Int)? {
        while damage == nil, !atEnd {
            var position = offset &- windowStart
            if windowLength &- position < 12 {
                let left = fileSize &- offset
                if left == 0 {
                    atEnd = true
                    return nil
                }
                if left < 12 {
                    _ = stop(.cutShort(blockType: 0, needed: 12, available: left))
                    return nil
                }
                guard slide(needing: 12) else { return nil }
                position = offset &- windowStart
            }
            var block = window.unsafelyUnwrapped + position
            let rawType = block.loadUnaligned(as: UInt32.self)
            if rawType == MappedPcapng.sectionHeaderType {
                // The type reads the same in both byte orders; the magic after the length says which.
                switch block.loadUnaligned(fromByteOffset: 8, as: UInt32.self) {
                case 0x1A2B_3C4D: swapped = false
                case 0x4D3C_2B1A: swapped = true
                case let magic:
                    _ = stop(.badByteOrderMagic(magic))
                    return nil
                }
            }
            let type = swapped ? rawType.byteSwapped : rawType
            let length32 = load32(block, 4)
            guard length32 % 4 == 0 else {
                _ = stop(.unalignedLength(blockType: type, length: length32))
                return nil
            }
            let minimum = MappedPcapng.minimumLength(type)
            guard length32 >= minimum else {
                _ = stop(.tooShort(blockType: type, length: length32, minimum: minimum))
                return nil
            }
            guard length32 <= MappedPcapng.maximumBlockLength else {
                _ = stop(.tooLong(blockType: type, length: length32, maximum: MappedPcapng.maximumBlockLength))
                return nil
            }
            let length = Int(length32)
            if windowLength &- position < length {
                let left = fileSize &- offset
                if left < length {
                    _ = stop(.cutShort(blockType: type, needed: length, available: left))
                    return nil
                }
                guard slide(needing: length) else { return nil }
                position = offset &- windowStart
                block = window.unsafelyUnwrapped + position
            }
            let trailer = load32(block, length &- 4)
            guard trailer == length32 else {
                _ = stop(.trailerMismatch(blockType: type, length: length32, trailer: trailer))
                return nil
            }
            switch type {
            case MappedPcapng.enhancedPacketType, MappedPcapng.simplePacketType, MappedPcapng.obsoletePacketType:
                return (block, type, length)
            case MappedPcapng.sectionHeaderType:
                let major = swapped ? block.loadUnaligned(fromByteOffset: 12, as: UInt16.self).byteSwapped
                                    : block.loadUnaligned(fromByteOffset: 12, as: UInt16.self)
                guard major == 1 else {
                    _ = stop(.unsupportedVersion(major: major))
                    return nil
                }
                interfaceCount = 0
            case MappedPcapng.interfaceDescriptionType:
                guard addInterface(block, length: length) else { return nil }
            default:
                break   // name resolution, statistics, decryption secrets, custom blocks: not needed
            }
            offset &+= length
        }
        return nil
    }

    /// The fixed part every block of `type` has (header and trailer included).
    @usableFromInline
    static func minimumLength(_ type: UInt32) -> Int {
        switch type {
        case sectionHeaderType: return 28
        case interfaceDescriptionType: return 20
        case enhancedPacketType, obsoletePacketType: return 32
        case simplePacketType: return 16
        default: return 12
        }
    }

    /// Reads an Interface Description Block into the interface table; false (and `damage`) if its
    /// resolution is unusable.
    @usableFromInline
    mutating func addInterface(_ block: UnsafeRawPointer, length: Int) -> Bool {
        let rawLinkType = swapped ? block.loadUnaligned(fromByteOffset: 8, as: UInt16.self).byteSwapped
                                  : block.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let snapshot = load32(block, 12)
        var resolution: UInt8 = 6
        var offsetSeconds: Int64 = 0
        // Options: code, length, value padded to 4 bytes; a malformed tail is ignored, as the
        // fields before it are enough to read packets.
        var at = 16
        let end = length - 4
        while at + 4 <= end {
            let code = swapped ? block.loadUnaligned(fromByteOffset: at, as: UInt16.self).byteSwapped
                               : block.loadUnaligned(fromByteOffset: at, as: UInt16.self)
            let size = Int(swapped ? block.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self).byteSwapped
                                   : block.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self))
            if code == 0 || at + 4 + size > end { break }
            if code == 9, size >= 1 {   // if_tsresol
                resolution = block.load(fromByteOffset: at + 4, as: UInt8.self)
            } else if code == 14, size >= 8 {   // if_tsoffset, seconds
                let raw = block.loadUnaligned(fromByteOffset: at + 4, as: UInt64.self)
                offsetSeconds = Int64(bitPattern: swapped ? raw.byteSwapped : raw)
            }
            at += 4 + (size + 3) & ~3
        }
        guard let interface = PcapngInterface(linkType: MappedPcapng.dataLinkType(rawLinkType), snapshot: snapshot,
                                              resolution: resolution, offsetSeconds: offsetSeconds) else {
            _ = stop(.unusableResolution(resolution))
            return false
        }
        if interfaceCount == interfaceCapacity {
            let capacity = max(4, interfaceCapacity * 2)
            let grown = UnsafeMutablePointer<PcapngInterface>.allocate(capacity: capacity)
            if let interfaces {
                grown.moveInitialize(from: interfaces, count: interfaceCount)
                interfaces.deallocate()
            }
            interfaces = grown
            interfaceCapacity = capacity
        }
        (interfaces.unsafelyUnwrapped + interfaceCount).initialize(to: interface)
        interfaceCount += 1
        return true
    }

    /// A file's LINKTYPE_ value as the DLT_ value libpcap reports (its `linktype_to_dlt`): they
    /// differ for a few old types only, raw IP among them.
    static func dataLinkType(_ linkType: UInt16) -> LinkType {
        switch linkType {
        case 100: return LinkType(rawValue: 11)        // ATM RFC 1483
        case 101: return .raw                           // LINKTYPE_RAW → DLT_RAW
        case 102: return LinkType(rawValue: 15)        // SLIP BSD/OS
        case 103: return LinkType(rawValue: 16)        // PPP BSD/OS
        default: return LinkType(rawValue: Int32(linkType))
        }
    }

    /// Maps the window that holds `needed` bytes from `offset`; false (with `damage`) when mapping fails.
    @usableFromInline
    mutating func slide(needing needed: Int) -> Bool {
        unmap()
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset - offset % page
        let length = min(max(MappedPcapng.windowBytes, offset - start + needed), fileSize - start)
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(start)), base != MAP_FAILED else {
            _ = stop(.unmappable(errno: errno))
            return false
        }
        _ = madvise(base, length, MADV_SEQUENTIAL)
        window = UnsafeRawPointer(base)
        windowStart = start
        windowLength = length
        return true
    }

    /// Releases the current window.
    mutating func unmap() {
        if let window { munmap(UnsafeMutableRawPointer(mutating: window), windowLength) }
        window = nil
        windowStart = 0
        windowLength = 0
    }

    /// Releases the window and the interface table.
    mutating func close() {
        unmap()
        interfaces?.deallocate()
        interfaces = nil
        interfaceCount = 0
        interfaceCapacity = 0
    }
}

/// One interface of a pcapng section, as its Interface Description Block describes it.
@usableFromInline
struct PcapngInterface {
    @usableFromInline let linkType: LinkType
    /// The most bytes delivered of one packet (a snaplen of 0, "no limit", is libpcap's maximum).
    @usableFromInline let snapshotLength: Int
    /// Timestamp units per second: 10^n or 2^n (`if_tsresol`; 10^6 without one).
    @usableFromInline let ticksPerSecond: UInt64
    /// Nanoseconds per unit when that is a whole number (10^-9 to 1 s, 2^-9 and coarser), else 0.
    @usableFromInline let nanosecondsPerTick: Int64
    /// `if_tsoffset` in nanoseconds (saturated).
    @usableFromInline let offsetNanoseconds: Int64
    /// Tick counts up to this one take the fast path: `ticks * nanosecondsPerTick + offset` fits.
    @usableFromInline let fastTicksLimit: UInt64

    /// nil when `resolution` is finer than 64-bit tick counts can express (10^-20, 2^-64 and beyond).
    init?(linkType: LinkType, snapshot: UInt32, resolution: UInt8, offsetSeconds: Int64) {
        let ticksPerSecond: UInt64
        if resolution & 0x80 != 0 {
            let exponent = resolution & 0x7F
            guard exponent <= 63 else { return nil }
            ticksPerSecond = 1 << UInt64(exponent)
        } else {
            guard resolution <= 19 else { return nil }
            var power: UInt64 = 1
            for _ in 0..<resolution { power *= 10 }
            ticksPerSecond = power
        }
        self.linkType = linkType
        snapshotLength = snapshot == 0 || snapshot > UInt32(MappedPcapng.maximumSnapshotLength)
            ? MappedPcapng.maximumSnapshotLength : Int(snapshot)
        self.ticksPerSecond = ticksPerSecond
        nanosecondsPerTick = 1_000_000_000 % ticksPerSecond == 0 ? Int64(1_000_000_000 / ticksPerSecond) : 0
        offsetNanoseconds = PcapngInterface.saturating(offsetSeconds, times: 1_000_000_000)
        if nanosecondsPerTick == 0 {
            fastTicksLimit = 0   // 0 ticks is `offset` either way
        } else {
            let headroom = offsetNanoseconds > 0 ? Int64.max - offsetNanoseconds : Int64.max
            fastTicksLimit = UInt64(headroom / nanosecondsPerTick)
        }
    }

    /// Nanoseconds since the epoch of a timestamp of `ticks` units; saturated, never a trap.
    @inlinable @inline(__always)
    func nanoseconds(_ ticks: UInt64) -> Int64 {
        if ticks <= fastTicksLimit { return Int64(ticks) &* nanosecondsPerTick &+ offsetNanoseconds }
        return exactNanoseconds(ticks)
    }

    /// Whole seconds and the fraction apart, so no product exceeds 128 bits and the fraction of a
    /// 2^-n or sub-nanosecond resolution is truncated to whole nanoseconds (as libpcap does).
    @usableFromInline
    func exactNanoseconds(_ ticks: UInt64) -> Int64 {
        let seconds = Int64(clamping: ticks / ticksPerSecond)
        let fraction = ticks % ticksPerSecond
        let product = fraction.multipliedFullWidth(by: 1_000_000_000)
        let fractionNanoseconds = Int64(ticksPerSecond.dividingFullWidth(product).quotient)   // < 10^9
        let whole = PcapngInterface.saturating(seconds, times: 1_000_000_000)
        return PcapngInterface.saturatingSum(PcapngInterface.saturatingSum(whole, fractionNanoseconds), offsetNanoseconds)
    }

    @usableFromInline
    static func saturating(_ value: Int64, times factor: Int64) -> Int64 {
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        if overflow { return (value < 0) != (factor < 0) ? .min : .max }
        return product
    }

    @usableFromInline
    static func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b < 0 ? .min : .max }
        return sum
    }
}
