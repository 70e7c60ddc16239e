#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the records of a classic pcap file straight from memory (`mmap`), without libpcap's two
/// `fread`s and copy per packet: about 30 instructions per packet instead of about 500.
///
/// Only the common case is read this way; libpcap remains the reference for everything else. A
/// mapped reader exists only for a regular file that libpcap opened as classic pcap in this
/// machine's byte order, version 2.4, with ns delivery, no BPF filter, and a link type without
/// pseudo-header fix-ups. Whenever a record is anything but plain — shorter than its header says
/// (truncated), longer than the snapshot length, with a µs field out of range, or the end of the
/// file — reading is handed over to libpcap at that record (`handOver`: its FILE is positioned
/// there), so errors, warnings and their byte offsets are exactly libpcap's.
///
/// The file is mapped in windows of `windowBytes`, so the resident set holds at most one window
/// of the file however large it is.
///
/// Trivial (no references), so it lives inside `SourceCursor`. Safety: `window` is a mapping
/// owned by this value; `CaptureReader` unmaps it (`close`) before the handle is closed.
@usableFromInline
struct MappedPcap {
    /// Bytes mapped at a time: more than the largest record (16 + 262,144 bytes) plus a page.
    @usableFromInline static let windowBytes = 16 << 20

    @usableFromInline let descriptor: Int32
    /// The file's size when the reader was created; records beyond it are left to libpcap.
    @usableFromInline let fileSize: Int
    /// The current window: `windowLength` bytes of the file from `windowStart` (page-aligned).
    @usableFromInline var window: UnsafeRawPointer?
    @usableFromInline var windowStart = 0
    @usableFromInline var windowLength = 0
    /// File offset of the next record.
    @usableFromInline var offset = 24
    /// µs timestamps (scaled to ns, as libpcap does for a ns-precision handle).
    @usableFromInline let microseconds: Bool
    /// The largest captured length read here: libpcap's snapshot length for the file, and at
    /// most 262,144 (libpcap's sanity limit for these link types).
    @usableFromInline let maximumCapturedLength: UInt32

    /// A mapped reader for `handle`, or nil when libpcap should read it (see the type's comment).
    static func open(_ handle: CaptureHandle) -> MappedPcap? {
        guard !handle.isLive, handle.filter == nil, handle.fileSize != nil, handle.nanosecondsPerTick == 1,
              MappedPcap.supportedLinkTypes.contains(handle.linkType.rawValue),
              let descriptor = Libpcap.fileDescriptor(handle.pcap),
              Libpcap.fileOffset(handle.pcap) == 24 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size >= 24 else { return nil }
        // The file header, as libpcap read it: magic in this machine's byte order, version 2.4.
        var header = (UInt32(0), UInt16(0), UInt16(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        let read = withUnsafeMutableBytes(of: &header) { pread(descriptor, $0.baseAddress, 24, 0) }
        guard read == 24, header.1 == 2, header.2 == 4 else { return nil }
        let microseconds: Bool
        switch header.0 {
        case 0xA1B2_C3D4: microseconds = true
        case 0xA1B2_3C4D: microseconds = false
        default: return nil
        }
        let snapshot = handle.snapshotLength
        guard snapshot > 0 else { return nil }
        return MappedPcap(descriptor: descriptor, fileSize: Int(info.st_size), microseconds: microseconds,
                          maximumCapturedLength: UInt32(min(snapshot, 262_144)))
    }

    /// Whether `handle` reads a classic pcap file (either byte order), whose records have a
    /// 16-byte header and no padding: then their positions can be followed.
    static func isClassicPcap(_ handle: CaptureHandle) -> Bool {
        guard !handle.isLive, handle.fileSize != nil, let descriptor = Libpcap.fileDescriptor(handle.pcap) else { return false }
        var magic: UInt32 = 0
        guard withUnsafeMutableBytes(of: &magic, { pread(descriptor, $0.baseAddress, 4, 0) }) == 4 else { return false }
        return [0xA1B2_C3D4, 0xA1B2_3C4D, 0xD4C3_B2A1, 0x4D3C_B2A1].contains(magic)
    }

    /// DLT values whose records libpcap hands over unchanged in a file of this machine's byte
    /// order (no pseudo-header fix-up): the link types the decoder reads.
    static let supportedLinkTypes: Set<Int32> = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]

    private init(descriptor: Int32, fileSize: Int, microseconds: Bool, maximumCapturedLength: UInt32) {
        self.descriptor = descriptor
        self.fileSize = fileSize
        self.microseconds = microseconds
        self.maximumCapturedLength = maximumCapturedLength
    }

    /// One record read from the mapping.
    @usableFromInline
    struct Record {
        @usableFromInline var timestampNanoseconds: Int64
        @usableFromInline var capturedLength: Int
        @usableFromInline var originalLength: Int
        @usableFromInline var data: UnsafePointer<UInt8>
        /// The bytes the record holds in the file: more than `capturedLength` when the record is
        /// longer than the snapshot length and only its first snaplen bytes are delivered.
        @usableFromInline var storedLength: Int

        @inlinable init(timestampNanoseconds: Int64, capturedLength: Int, originalLength: Int, data: UnsafePointer<UInt8>,
                        storedLength: Int) {
            self.timestampNanoseconds = timestampNanoseconds
            self.capturedLength = capturedLength
            self.originalLength = originalLength
            self.data = data
            self.storedLength = storedLength
        }
    }

    /// The next record, or nil when it is not plain (see the type's comment): then call `handOver`.
    /// The record's bytes stay valid until the next call.
    @inlinable
    mutating func next() -> Record? {
        var position = offset &- windowStart
        if windowLength &- position < 16 {
            guard slide(needing: 16) else { return nil }
            position = offset &- windowStart
        }
        // Safety: the window holds at least 16 bytes from `position` (checked above).
        var header = window.unsafelyUnwrapped + position
        let seconds = header.loadUnaligned(as: Int32.self)
        let fraction = header.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        let captured = header.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let original = header.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        // Longer than the snapshot length but within libpcap's sanity limit: libpcap delivers the
        // first snaplen bytes and skips the rest, and so does this. Beyond the limit it is an error,
        // which libpcap reports.
        guard captured <= 262_144 else { return nil }
        let length = Int(captured)
        if windowLength &- position &- 16 < length {
            guard slide(needing: 16 &+ length) else { return nil }
            position = offset &- windowStart
            header = window.unsafelyUnwrapped + position
        }
        // Negative fields (signed or not, depending on the libpcap version) and µs fields whose
        // scaling libpcap does in 32 bits are left to libpcap.
        guard seconds >= 0, fraction >= 0 else { return nil }
        let nanoseconds: Int64
        if microseconds {
            guard fraction < 4_294_967 else { return nil }
            nanoseconds = Int64(seconds) &* 1_000_000_000 &+ Int64(fraction) &* 1000
        } else {
            nanoseconds = Int64(seconds) &* 1_000_000_000 &+ Int64(fraction)
        }
        offset &+= 16 &+ length
        return Record(timestampNanoseconds: nanoseconds, capturedLength: min(length, Int(maximumCapturedLength)),
                      originalLength: Int(original), data: (header + 16).assumingMemoryBound(to: UInt8.self),
                      storedLength: length)
    }

    /// Maps the window that holds `needed` bytes from `offset`; false when the file (as it was
    /// when opened) does not hold them, or mapping fails.
    @usableFromInline
    mutating func slide(needing needed: Int) -> Bool {
        guard fileSize - offset >= needed else { return false }
        unmap()
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset - offset % page
        let length = min(MappedPcap.windowBytes, fileSize - start)
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(start)), base != MAP_FAILED else {
            return false
        }
        _ = madvise(base, length, MADV_SEQUENTIAL)
        window = UnsafeRawPointer(base)
        windowStart = start
        windowLength = length
        return offset - start + needed <= length
    }

    /// Releases the current window.
    mutating func unmap() {
        if let window { munmap(UnsafeMutableRawPointer(mutating: window), windowLength) }
        window = nil
        windowStart = 0
        windowLength = 0
    }
}
