import Capture
import Foundation
import Testing

@Suite("Bad input gets a clear message naming the file")
struct BadInputTests {
    @Test("a path that does not exist")
    func missingFile() throws {
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: ["/nonexistent/x.pcap"]) }
        #expect(error == .cannotRead(path: "/nonexistent/x.pcap", reason: "No such file or directory"))
        #expect(error?.description == "cannot read capture '/nonexistent/x.pcap': No such file or directory")
    }

    @Test("a directory")
    func directory() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [dir.url.path]) }
        #expect(error == .isDirectory(path: dir.url.path))
        #expect(error?.description == "'\(dir.url.path)' is a directory, not a capture file")
    }

    @Test("a zero-length file")
    func emptyFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("f.pcap", [])
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [path]) }
        #expect(error == .emptyFile(path: path))
        #expect(error?.description == "'\(path)' is empty (0 bytes): not a capture")
    }

    @Test("a file that is not a capture (garbage header)")
    func garbage() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("passwd", Array("root:x:0:0:root:/root:/bin/bash\n".utf8))
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [path]) }
        #expect(error == .notACapture(path: path, detail: "unknown file format"))
        #expect(error?.description == "'\(path)' is not a pcap or pcapng capture (unknown file format)")
    }

    @Test("a file shorter than the file header")
    func tooShortForHeader() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("3.pcap", [0xd4, 0xc3, 0xb2])
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [path]) }
        #expect(error == .damaged(path: path, detail: "truncated dump file; tried to read 4 file header bytes, only got 3"))
    }

    @Test("an unreadable file names the file and the system's reason")
    func unreadable() throws {
        let dir = try TemporaryDirectory()
        let capture = try writeCapture(dir.path("secret.pcap"), [(1, Frames.ethernetUDP())])
        if getuid() != 0 {
            chmod(capture, 0)
            let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [capture]) }
            #expect(error == .cannotRead(path: capture, reason: "Permission denied"))
        } else {
            // Root reads any file whatever its mode; a path through a regular file fails for root too.
            let path = capture + "/inner.pcap"
            let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [path]) }
            #expect(error == .cannotRead(path: path, reason: "Not a directory"))
        }
    }

    @Test("with several files, the error names the bad one and nothing is read")
    func oneBadAmongMany() throws {
        let dir = try TemporaryDirectory()
        let good = try writeCapture(dir.path("good.pcap"), [(1, Frames.ethernetUDP())])
        let bad = try dir.write("bad.pcap", [])
        #expect(throws: CaptureError.emptyFile(path: bad)) { _ = try CaptureReader(paths: [good, bad]) }
    }

    @Test("a header-only capture has no packets and no warning")
    func headerOnly() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCapture(dir.path("none.pcap"), [])
        #expect(try CaptureReader(paths: [path]).collect().1 == ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .endOfInput))
    }

    @Test("a file cut mid-packet gives the packets before the cut and a warning, not an error")
    func cutMidPacket() throws {
        let dir = try TemporaryDirectory()
        let whole = try writeCapture(dir.path("whole.pcap"), (1...5).map { (Int64($0) * 1000, Frames.ethernetUDP()) })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: whole)))
        let cut = try dir.write("cut.pcap", Array(bytes.dropLast(10)))   // the 5th record loses 10 bytes
        let (packets, outcome) = try CaptureReader(paths: [cut]).collect()
        #expect(packets.map(\.time) == [1000, 2000, 3000, 4000])
        #expect(outcome.packetsDelivered == 4)
        #expect(outcome.endedBy == .endOfInput)
        let warning = try #require(outcome.warnings.first)
        #expect(outcome.warnings.count == 1)
        #expect(warning.kind == .truncated)
        #expect(warning.source == cut)
        #expect(warning.packetsRead == 4)
        #expect(warning.byteOffset == Int64(bytes.count - 10))
        let frame = Frames.ethernetUDP().count
        #expect(warning.detail == "truncated dump file; tried to read \(frame) captured bytes, only got \(frame - 10)")
        let recordStart = bytes.count - 16 - frame
        #expect(warning.record == 5)
        #expect(warning.recordOffset == Int64(recordStart))
        #expect(warning.description == "capture '\(cut)' is cut short after 4 packets "
            + "(in record 5 at byte \(recordStart), reading stopped at byte \(bytes.count - 10)): "
            + "truncated dump file; tried to read \(frame) captured bytes, only got \(frame - 10): results cover what could be read")
    }

    @Test("a file cut inside a record header gives the packets before it and a warning")
    func cutInRecordHeader() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("cuthdr.pcap", ClassicPcap.header()
            + ClassicPcap.record(seconds: 1, fraction: 0, Frames.ethernetUDP()) + [1, 2])
        let (packets, outcome) = try CaptureReader(paths: [path]).collect()
        #expect(packets.count == 1)
        #expect(outcome.warnings.map(\.detail) == ["truncated dump file; tried to read 16 header bytes, only got 2"])
    }

    @Test("a file cut inside its first packet is an error: nothing could be read")
    func cutInFirstPacket() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("first.pcap", ClassicPcap.header() + Array(ClassicPcap.record(seconds: 1, fraction: 0, Frames.ethernetUDP()).prefix(20)))
        let reader = try CaptureReader(paths: [path])
        let error = #expect(throws: CaptureError.self) { _ = try reader.collect() }
        #expect(error == .damaged(path: path, detail: "truncated dump file; tried to read \(Frames.ethernetUDP().count) captured bytes, only got 4"))
        #expect(error?.description.hasPrefix("capture '\(path)' is damaged before its first packet: truncated dump file") == true)
    }

    @Test("a damaged file among good ones: all packets that could be read, and a warning for it")
    func damagedAmongGood() throws {
        let dir = try TemporaryDirectory()
        let good = try writeCapture(dir.path("good.pcap"), [(1, Frames.ethernetUDP()), (3, Frames.ethernetUDP())])
        let bad = try dir.write("bad.pcap", ClassicPcap.header() + [1, 2, 3])
        let (packets, outcome) = try CaptureReader(paths: [good, bad]).collect()
        #expect(packets.map(\.time) == [1, 3])
        #expect(outcome.warnings.map(\.source) == [bad])
        #expect(outcome.warnings.first?.packetsRead == 0)
    }

    @Test("with a filter, a damaged file is a warning even if no packet matched before the damage")
    func damagedWithFilter() throws {
        let dir = try TemporaryDirectory()
        let whole = try writeCapture(dir.path("w.pcap"), [(1, Frames.ethernetTCP()), (2, Frames.ethernetTCP())])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: whole)))
        let cut = try dir.write("c.pcap", Array(bytes.dropLast(3)))
        let (packets, outcome) = try CaptureReader(paths: [cut], filter: "udp").collect()
        #expect(packets.isEmpty)
        #expect(outcome.warnings.map(\.kind) == [.truncated])
    }

    @Test("an absurd record length is reported as damage, after the good packets")
    func corruptRecordLength() throws {
        let dir = try TemporaryDirectory()
        var bogus: [UInt8] = []
        bogus.le32(2); bogus.le32(0); bogus.le32(0x7fff_ffff); bogus.le32(0x7fff_ffff)
        let path = try dir.write("bogus.pcap", ClassicPcap.header()
            + ClassicPcap.record(seconds: 1, fraction: 0, Frames.ethernetUDP()) + bogus + [UInt8](repeating: 0, count: 64))
        let (packets, outcome) = try CaptureReader(paths: [path]).collect()
        #expect(packets.count == 1)
        let warning = try #require(outcome.warnings.first)
        #expect(warning.kind == .damaged)
        #expect(warning.description.contains("is damaged after 1 packet"))
    }

    @Test("an unknown link type still opens and is reported; refusing it is the decoder's job")
    func unknownLinkType() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("odd.pcap", ClassicPcap.header(linkType: 65000)
            + ClassicPcap.record(seconds: 1, fraction: 0, [0xde, 0xad, 0xbe, 0xef]))
        let reader = try CaptureReader(paths: [path])
        #expect(reader.linkTypes == [LinkType(rawValue: 65000)])
        #expect(reader.linkTypes.first?.name == "DLT 65000")
        let (packets, _) = try reader.collect()
        #expect(packets.first?.bytes == [0xde, 0xad, 0xbe, 0xef])
        #expect(packets.first?.linkType.rawValue == 65000)
    }
}
