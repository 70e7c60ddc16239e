#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a pcapng file: one section, one interface with nanosecond timestamps (`if_tsresol` 9),
/// one Enhanced Packet Block per packet. libpcap 1.10 reads pcapng but cannot write it, so the
/// blocks are laid out here (little-endian, as the byte-order magic says).
/// Not `Sendable`; write from one thread.
public final class PcapngWriter {
    public let path: String
    public let linkType: LinkType
    public let snapshotLength: Int
    /// Bytes written so far (headers included), for size-based rotation.
    public private(set) var bytesWritten = 0

    // Safety: `file` and `buffer` are owned here and released once, in `close()`: the FILE first
    // (fclose flushes into `buffer`), then the buffer.
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: UnsafeMutableRawPointer?
    private var block: [UInt8] = []
    private var failed = false

    public init(path: String, linkType: LinkType, snapshotLength: Int = 262_144) throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        self.snapshotLength = snapshotLength
        guard let file = fopen(path, "wb") else { throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        // Safety: `buffer` outlives every use of `file` (freed after fclose in close()).
        setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, 1 << 20)
        self.file = file
        self.buffer = buffer
        // Section Header Block: no options, section length unknown (-1).
        block.removeAll(keepingCapacity: true)
        put32(0x0A0D_0D0A); put32(28); put32(0x1A2B_3C4D); put16(1); put16(0)
        put32(0xFFFF_FFFF); put32(0xFFFF_FFFF); put32(28)
        emit()
        // Interface Description Block with if_tsresol = 9 (nanoseconds), then opt_endofopt.
        block.removeAll(keepingCapacity: true)
        put32(1); put32(32); put16(UInt16(truncatingIfNeeded: linkType.rawValue)); put16(0)
        put32(UInt32(clamping: snapshotLength))
        put16(9); put16(1); block += [9, 0, 0, 0]; put16(0); put16(0)
        put32(32)
        emit()
        if failed { close(); throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
    }

    deinit { close() }

    /// Appends one packet; bytes beyond the snapshot length are cut (`originalLength` keeps the size).
    public func write(timestampNanoseconds: Int64, bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) {
        guard file != nil else { preconditionFailure("PcapngWriter.write after close() for '\(path)'") }
        let captured = Swift.min(bytes.count, snapshotLength)
        let padded = (captured + 3) & ~3
        let total = 32 + padded
        let time = UInt64(bitPattern: timestampNanoseconds)
        block.removeAll(keepingCapacity: true)
        put32(6); put32(UInt32(total)); put32(0)
        put32(UInt32(truncatingIfNeeded: time >> 32)); put32(UInt32(truncatingIfNeeded: time))
        put32(UInt32(captured)); put32(UInt32(clamping: Swift.max(originalLength ?? bytes.count, captured)))
        block.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<captured]))
        block.append(contentsOf: repeatElement(0, count: padded - captured))
        put32(UInt32(total))
        emit()
    }

    /// Flushes buffered packets; throws if the system reported a write error (e.g. disk full).
    public func flush() throws(CaptureError) {
        guard let file else { return }
        if failed || fflush(file) != 0 || ferror(file) != 0 { throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
    }

    /// Closes the file (idempotent; also done on deinit).
    public func close() {
        if let file { fclose(file) }
        buffer?.deallocate()
        file = nil
        buffer = nil
    }

    private func put16(_ v: UInt16) { block.append(UInt8(v & 0xFF)); block.append(UInt8(v >> 8)) }
    private func put32(_ v: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { block.append(UInt8((v >> UInt32(shift)) & 0xFF)) } }

    private func emit() {
        guard let file else { return }
        let written = block.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != block.count { failed = true }
        bytesWritten += block.count
    }
}
