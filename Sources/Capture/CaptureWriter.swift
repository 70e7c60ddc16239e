import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a classic pcap file with nanosecond timestamps (`nsecpcap`, which tcpdump, tshark and
/// every libpcap read).
///
/// Output goes through a 1 MiB stdio buffer (glibc ignores the size in `setvbuf` unless the buffer
/// is supplied, so this object owns it), which turns thousands of small `write(2)`s into a few.
/// Not `Sendable`; write from one thread.
public final class CaptureWriter {
    public let path: String
    public let linkType: LinkType
    public let snapshotLength: Int

    // Safety: `dead`, `dumper` and `buffer` are owned here and released exactly once, in `close()`,
    // in the order libpcap needs: the dumper (which flushes into `buffer` and fcloses the FILE),
    // then the buffer, then the dead handle. After that they are nil and nothing touches them.
    private var dead: OpaquePointer?
    private var dumper: OpaquePointer?
    private var buffer: UnsafeMutableRawPointer?
    private static let bufferSize = 1 << 20

    public init(path: String, linkType: LinkType, snapshotLength: Int = 262_144) throws(CaptureError) {
        self.path = path
        self.linkType = linkType
        self.snapshotLength = snapshotLength
        guard let file = fopen(path, "wb") else { throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        // Safety: `buffer` outlives every use of `file`: it is freed only after pcap_dump_close.
        setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, Self.bufferSize)
        guard let dead = Libpcap.openDead(linkType: linkType.rawValue, snapshotLength: Int32(clamping: snapshotLength)) else {
            fclose(file)
            buffer.deallocate()
            throw .cannotWrite(path: path, reason: "libpcap could not set up a writer (out of memory?)")
        }
        switch Libpcap.dumpOpen(dead, file) {
        case .success(let dumper):
            self.dead = dead
            self.dumper = dumper
            self.buffer = buffer
        case .failure(let failure):
            fclose(file)
            buffer.deallocate()
            Libpcap.close(dead)
            Self.removeIfEmptyRegularFile(path)   // don't leave the empty file fopen just made
            // libpcap says "stream: link-layer type 65000 isn't supported in savefiles".
            let reason = failure.text.hasPrefix("stream: ") ? String(failure.text.dropFirst(8)) : failure.text
            throw .cannotWrite(path: path, reason: reason)
        }
    }

    deinit { close() }

    private static func removeIfEmptyRegularFile(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 { unlink(path) }
    }

    /// Appends one packet. Bytes beyond the snapshot length are cut (and `originalLength` keeps the
    /// real size). `originalLength` defaults to the byte count.
    public func write(timestampNanoseconds: Int64, bytes: UnsafeRawBufferPointer, originalLength: Int? = nil) {
        guard let dumper else { preconditionFailure("CaptureWriter.write after close() for '\(path)'") }
        let captured = Swift.min(bytes.count, snapshotLength)
        var header = pcap_pkthdr()
        var seconds = timestampNanoseconds / 1_000_000_000
        var nanoseconds = timestampNanoseconds % 1_000_000_000
        if nanoseconds < 0 { seconds -= 1; nanoseconds += 1_000_000_000 }   // floor, for times before 1970
        header.ts.tv_sec = .init(seconds)
        header.ts.tv_usec = .init(nanoseconds)   // ns: the dead handle has nanosecond precision
        header.caplen = UInt32(clamping: captured)
        header.len = UInt32(clamping: Swift.max(originalLength ?? bytes.count, captured))
        if captured == 0 {
            var none: UInt8 = 0
            Libpcap.dump(dumper, &header, &none)   // caplen 0: libpcap reads no bytes from the pointer
            return
        }
        // Safety: `bytes` holds at least `captured` bytes and is valid for this call.
        Libpcap.dump(dumper, &header, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// Appends one packet from an array.
    public func write(timestampNanoseconds: Int64, bytes: [UInt8], originalLength: Int? = nil) {
        bytes.withUnsafeBytes { write(timestampNanoseconds: timestampNanoseconds, bytes: $0, originalLength: originalLength) }
    }

    /// Flushes buffered packets to the file; throws if the system reported a write error (e.g. disk full).
    public func flush() throws(CaptureError) {
        guard let dumper else { return }
        if !Libpcap.dumpFlush(dumper) { throw .cannotWrite(path: path, reason: systemErrorText(errno)) }
    }

    /// Flushes, reports any write error, and closes. Prefer this to `close()` when the file matters.
    public func finish() throws(CaptureError) {
        defer { close() }
        try flush()
    }

    /// Closes the file (idempotent; also done on deinit). Write errors are not reported: use `finish()`.
    public func close() {
        if let dumper { Libpcap.dumpClose(dumper) }
        buffer?.deallocate()
        if let dead { Libpcap.close(dead) }
        dumper = nil
        buffer = nil
        dead = nil
    }
}
