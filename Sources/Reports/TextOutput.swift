#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor (stdout, or a file from `-o`). Reports are written
/// as they are produced, so a long capture's flow log never has to sit in memory.
public final class TextOutput: TextOutputStream {
    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case writeFailed(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): "cannot write '\(path)': \(reason)"
            case .writeFailed(let path, let reason): "writing '\(path)' failed: \(reason)"
            }
        }
    }

    let descriptor: Int32
    let ownsDescriptor: Bool
    public let path: String
    var buffer: [UInt8] = []
    public private(set) var failure: Failure?

    public static func standardOutput() -> TextOutput { TextOutput(descriptor: 1, path: "standard output", owns: false) }
    public static func standardError() -> TextOutput { TextOutput(descriptor: 2, path: "standard error", owns: false) }

    /// Opens (creating or truncating) `path` for writing.
    public init(path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        descriptor = fd
        ownsDescriptor = true
        self.path = path
        buffer.reserveCapacity(1 << 16)
    }

    init(descriptor: Int32, path: String, owns: Bool) {
        self.descriptor = descriptor
        self.ownsDescriptor = owns
        self.path = path
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        flush()
        if ownsDescriptor { close(descriptor) }
    }

    /// Whether this output is a terminal (a table for people rather than a machine format).
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    public func write(_ string: String) {
        var s = string
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty, failure == nil else { buffer.removeAll(keepingCapacity: true); return }
        var written = 0
        buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let n = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .writeFailed(path: path, reason: String(cString: strerror(errno)))
                    return
                }
                written += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
