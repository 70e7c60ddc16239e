import Capture
import Foundation
import Testing

@Suite("Saving live captures: rotation and pcapng")
struct RotationTests {
    func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "bw-rotation-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("names follow tcpdump: -C appends 1, 2, ... from the second file; -G expands strftime in UTC")
    func naming() {
        let size = CaptureSaving(path: "cap.pcap", rotateBytes: 1_000_000)
        #expect(size.fileName(epochSeconds: 0, number: 0) == "cap.pcap")
        #expect(size.fileName(epochSeconds: 0, number: 1) == "cap.pcap1")
        #expect(size.fileName(epochSeconds: 0, number: 12) == "cap.pcap12")
        let time = CaptureSaving(path: "cap-%Y%m%d-%H%M%S.pcap", rotateSeconds: 60)
        #expect(time.fileName(epochSeconds: 1_795_998_058, number: 0) == "cap-20261130-002058.pcap")
        let both = CaptureSaving(path: "c-%H%M.pcapng", rotateBytes: 10, rotateSeconds: 3600)
        #expect(both.fileName(epochSeconds: 0, number: 2) == "c-0000.pcapng2")
        #expect(both.format == .pcapng)
        #expect(CaptureSaving(path: "x.pcap").format == .pcap)
        #expect(CaptureSaving(path: "x.cap", format: .pcapng).format == .pcapng)
        // Without -G a % in the name is kept as it is.
        #expect(CaptureSaving(path: "a%Yb").fileName(epochSeconds: 0, number: 0) == "a%Yb")
    }

    /// Writes `count` 100-byte packets, one every `step` seconds, through a rotating writer.
    func write(_ saving: CaptureSaving, count: Int, step: Int64) throws -> [String] {
        let start: Int64 = 1_795_998_000
        let writer = try RotatingCaptureWriter(saving: saving, linkType: .ethernet, snapshotLength: 262_144,
                                               startEpochSeconds: Int(start))
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
        defer { bytes.deallocate() }
        bytes.initializeMemory(as: UInt8.self, repeating: 0xAB)
        for i in 0..<count {
            try writer.write(CapturedPacket(timestampNanoseconds: (start + Int64(i) * step) * 1_000_000_000 + 123,
                                            capturedLength: 100, originalLength: 1500, linkType: .ethernet,
                                            sourceIndex: 0, bytes: UnsafeRawBufferPointer(bytes)))
        }
        try writer.finish()
        return writer.files
    }

    func packets(in path: String) throws -> [(Int64, Int, Int)] {
        let reader = try CaptureReader(paths: [path])
        var out: [(Int64, Int, Int)] = []
        _ = try reader.forEachPacket { out.append(($0.timestampNanoseconds, $0.capturedLength, $0.originalLength)) }
        return out
    }

    @Test("-C: a new file once the current one holds the size; every packet is in exactly one file, in order",
          arguments: [CaptureSaving.Format.pcap, .pcapng])
    func bySize(format: CaptureSaving.Format) throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try write(CaptureSaving(path: dir + "/s.cap", format: format, rotateBytes: 1000), count: 30, step: 1)
        #expect(files.first == dir + "/s.cap")
        #expect(files.count > 2)
        #expect(files.dropFirst().enumerated().allSatisfy { $0.element == dir + "/s.cap\($0.offset + 1)" })
        var all: [(Int64, Int, Int)] = []
        for f in files { all += try packets(in: f) }
        #expect(all.count == 30)
        let expected: [Int64] = (0..<30).map { (i: Int) -> Int64 in (1_795_998_000 + Int64(i)) * 1_000_000_000 + 123 }
        let times: [Int64] = all.map(\.0)
        #expect(times == expected)   // in order, nanoseconds kept
        #expect(all.allSatisfy { $0.1 == 100 && $0.2 == 1500 })
        for f in files.dropLast() {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: f)[.size] as? Int)
            #expect(size >= 1000 && size < 1000 + 200)
        }
    }

    @Test("-G: one file per period, named by strftime at its first packet")
    func byTime() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try write(CaptureSaving(path: dir + "/t-%H%M%S.pcapng", rotateSeconds: 10), count: 25, step: 1)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["t-002000.pcapng", "t-002010.pcapng", "t-002020.pcapng"])
        #expect(try files.map { try packets(in: $0).count } == [10, 10, 5])
        let handle = try CaptureHandle.openFile(files[0])
        #expect(handle.linkType == .ethernet)
    }

    @Test("an unwritable -w path is a one-line cannotWrite error")
    func unwritable() {
        #expect(throws: CaptureError.self) {
            _ = try RotatingCaptureWriter(saving: CaptureSaving(path: "/nonexistent-dir/x.pcapng"), linkType: .ethernet,
                                          snapshotLength: 100, startEpochSeconds: 0)
        }
    }

    @Test("-Z: root keeps root, no -Z means nobody when root and nothing otherwise")
    func privilegeTarget() {
        #expect(PrivilegeDrop.target(requested: "root") == nil)
        #expect(PrivilegeDrop.target(requested: "daemon") == "daemon")
        #expect(PrivilegeDrop.target(requested: nil) == (PrivilegeDrop.isRoot ? "nobody" : nil))
        #expect(PrivilegeDrop.lookup("root")?.uid == 0)
        #expect(PrivilegeDrop.lookup("no-such-user-bw") == nil)
    }
}
