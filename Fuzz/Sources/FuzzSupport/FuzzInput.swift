#if canImport(Glibc)
import Glibc
#endif
import CLibFuzzer
import Identification

/// Helpers the fuzz targets share.
public enum FuzzInput {
    /// Splits an input into pieces: each piece is a 2-byte big-endian length and that many bytes
    /// (the last piece takes whatever is left when the length runs past the end). A seed of N
    /// packets is therefore `len₁ bytes₁ len₂ bytes₂ …`; `fuzz.sh` writes them that way.
    ///
    /// Each piece is copied into an allocation of its own, exactly its size, so the address
    /// sanitizer catches a read past a piece's end (inside one big input it would not).
    /// With `raw`, the whole input is one piece (copied as well: libFuzzer's buffer is exact too,
    /// but targets that skip a few control bytes want the rest in an allocation of its own).
    public static func withPieces<R>(_ data: UnsafePointer<UInt8>, _ size: Int, maximum: Int = 256, raw: Bool = false,
                                     _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        var pieces: [UnsafeMutableRawBufferPointer] = []
        var offset = 0
        if raw {
            let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
            if size > 0 { piece.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }
            pieces.append(piece)
            offset = size
        }
        while offset + 2 <= size, pieces.count < maximum {
            let declared = Int(data[offset]) << 8 | Int(data[offset + 1])
            offset += 2
            let length = min(declared, size - offset)
            let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
            if length > 0 { piece.copyMemory(from: UnsafeRawBufferPointer(start: data + offset, count: length)) }
            pieces.append(piece)
            offset += length
        }
        defer { for piece in pieces { piece.deallocate() } }
        return body(pieces.map { UnsafeRawBufferPointer($0) })
    }

    /// Runs libFuzzer with the process's arguments and `target` as LLVMFuzzerTestOneInput; the
    /// last line of every target's main.swift.
    public static func run(_ target: @escaping @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    }

    /// The bundled signature catalog, loaded once per process.
    public static let catalog: SignatureCatalog = {
        do { return try SignatureCatalog.bundled() } catch { fatalError("bundled signatures: \(error)") }
    }()
}

/// Keeps a value alive and observable so the optimizer cannot drop the work that produced it.
@inline(never)
public func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

import Wire

/// Reads every byte of a view, so a view that points past its packet trips the address sanitizer.
@inline(never)
public func touch(_ bytes: UnsafeRawBufferPointer) {
    var sum: UInt8 = 0
    for byte in bytes { sum &+= byte }
    blackHole(sum)
}

/// Reads everything a decode result points at.
public func consume(_ result: PacketDecoder.Result) {
    switch result {
    case .packet(let packet):
        touch(packet.payload)
        blackHole((packet.sourcePort, packet.destinationPort, packet.network.source.description,
                   packet.payloadLength, packet.note))
        if case .icmp(let icmp) = packet.transport { blackHole(icmp.quoted) }
        if case .tcp(let tcp) = packet.transport { blackHole(tcp.synOptions) }
    case .fragment(let fragment):
        touch(fragment.payload)
        blackHole((fragment.offset, fragment.moreFragments, fragment.payloadLength))
    case .notIP(let type):
        blackHole(type)
    case .malformed(let issue):
        blackHole(issue)
    }
}
