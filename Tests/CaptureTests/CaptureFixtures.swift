// Tiny byte helpers for the Capture tests. Every fixture is built at test time in a fresh temporary
// directory; no capture is committed and nothing from ../shared is used.

import Capture
import Foundation

/// A fresh directory per test, removed when the value is deinitialised.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("capture-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Little-endian byte appending.
extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) { append(contentsOf: [UInt8(v & 0xff), UInt8(v >> 8)]) }
    mutating func le32(_ v: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(shift)) & 0xff)) } }
    mutating func be16(_ v: UInt16) { append(contentsOf: [UInt8(v >> 8), UInt8(v & 0xff)]) }
    mutating func pad4() { while count % 4 != 0 { append(0) } }
}

enum Frames {
    static let clientMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
    static let serverMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x02]

    /// IPv4 header (no checksum: BPF and the reader do not care) followed by `payload`.
    static func ipv4(protocol proto: UInt8, payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0x45, 0]
        b.be16(UInt16(20 + payload.count))
        b += [0, 1, 0x40, 0, 64, proto, 0, 0]
        b += [10, 0, 0, 1, 10, 0, 0, 2]
        return b + payload
    }

    static func udp(sourcePort: UInt16 = 40000, destinationPort: UInt16 = 53, payload: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        var u: [UInt8] = []
        u.be16(sourcePort); u.be16(destinationPort); u.be16(UInt16(8 + payload.count)); u.be16(0)
        return ipv4(protocol: 17, payload: u + payload)
    }

    static func tcp(sourcePort: UInt16 = 40000, destinationPort: UInt16 = 443) -> [UInt8] {
        var t: [UInt8] = []
        t.be16(sourcePort); t.be16(destinationPort)
        t += [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]   // SYN, no options
        return ipv4(protocol: 6, payload: t)
    }

    static func ethernet(_ ip: [UInt8]) -> [UInt8] { serverMAC + clientMAC + [0x08, 0x00] + ip }

    static func ethernetUDP(payload: [UInt8] = [1, 2, 3, 4]) -> [UInt8] { ethernet(udp(payload: payload)) }
    static func ethernetTCP() -> [UInt8] { ethernet(tcp()) }
}

/// Classic pcap, built by hand (to test what `CaptureWriter` cannot produce: µs files, odd link types).
enum ClassicPcap {
    /// File header; `magic` 0xa1b2c3d4 is microseconds, 0xa1b23c4d nanoseconds.
    static func header(magic: UInt32 = 0xa1b2_c3d4, linkType: UInt32 = 1, snaplen: UInt32 = 262_144) -> [UInt8] {
        var b: [UInt8] = []
        b.le32(magic); b.le16(2); b.le16(4); b.le32(0); b.le32(0); b.le32(snaplen); b.le32(linkType)
        return b
    }

    /// One record; `fraction` is µs or ns according to the file's magic.
    static func record(seconds: UInt32, fraction: UInt32, _ data: [UInt8], originalLength: Int? = nil) -> [UInt8] {
        var b: [UInt8] = []
        b.le32(seconds); b.le32(fraction); b.le32(UInt32(data.count)); b.le32(UInt32(originalLength ?? data.count))
        return b + data
    }
}

/// pcapng blocks, built by hand (little-endian section).
enum Pcapng {
    static func block(type: UInt32, body: [UInt8]) -> [UInt8] {
        var padded = body
        padded.pad4()
        let total = UInt32(12 + padded.count)
        var b: [UInt8] = []
        b.le32(type); b.le32(total)
        b += padded
        b.le32(total)
        return b
    }

    static func sectionHeader() -> [UInt8] {
        var body: [UInt8] = []
        body.le32(0x1a2b_3c4d); body.le16(1); body.le16(0)
        body += [UInt8](repeating: 0xff, count: 8)   // section length: unknown
        return block(type: 0x0A0D_0D0A, body: body)
    }

    /// Interface description; `tsresol` nil means the pcapng default, microseconds.
    static func interface(linkType: UInt16, snaplen: UInt32 = 262_144, tsresol: UInt8? = nil) -> [UInt8] {
        var body: [UInt8] = []
        body.le16(linkType); body.le16(0); body.le32(snaplen)
        if let tsresol {
            body.le16(9); body.le16(1); body.append(tsresol); body.pad4()   // if_tsresol
            body.le16(0); body.le16(0)                                       // opt_endofopt
        }
        return block(type: 1, body: body)
    }

    /// Enhanced packet; `ticks` counts units of the interface's resolution since the epoch.
    static func packet(interface: UInt32 = 0, ticks: UInt64, _ data: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.le32(interface)
        body.le32(UInt32(ticks >> 32)); body.le32(UInt32(ticks & 0xffff_ffff))
        body.le32(UInt32(data.count)); body.le32(UInt32(data.count))
        body += data
        return block(type: 6, body: body)
    }

    /// A block type no reader knows; readers must skip it.
    static func unknownBlock() -> [UInt8] { block(type: 0x0BAD_BEEF, body: [1, 2, 3, 4, 5, 6, 7]) }
}

/// One packet as delivered, copied out of the callback for checking.
struct SeenPacket: Equatable {
    var time: Int64
    var capturedLength: Int
    var originalLength: Int
    var linkType: LinkType
    var source: Int
    var bytes: [UInt8]
}

extension CaptureReader {
    /// Reads everything (or `limit`) into copies — fine for tests, never for the real pipeline.
    func collect(limit: Int? = nil) throws(CaptureError) -> ([SeenPacket], ReadOutcome) {
        var seen: [SeenPacket] = []
        let outcome = try forEachPacket(limit: limit) { packet in
            seen.append(SeenPacket(
                time: packet.timestampNanoseconds, capturedLength: packet.capturedLength,
                originalLength: packet.originalLength, linkType: packet.linkType,
                source: packet.sourceIndex, bytes: Array(packet.bytes)))
        }
        return (seen, outcome)
    }
}

/// Writes `packets` (ns time, bytes) to `path` with the project's writer.
@discardableResult
func writeCapture(_ path: String, linkType: LinkType = .ethernet, snapshotLength: Int = 262_144,
                  _ packets: [(Int64, [UInt8])]) throws -> String {
    let writer = try CaptureWriter(path: path, linkType: linkType, snapshotLength: snapshotLength)
    for (time, bytes) in packets { writer.write(timestampNanoseconds: time, bytes: bytes) }
    try writer.finish()
    return path
}

/// Runs a tool (e.g. editcap) if it is installed; returns its exit status, or nil when absent.
func runTool(_ name: String, _ arguments: [String]) throws -> Int32? {
    guard let tool = toolPath(name) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

func toolPath(_ name: String) -> String? {
    for dir in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    return nil
}
