import Capture
import Foundation
import Testing

@Suite("Reading many files as one stream")
struct CaptureReaderTests {
    /// Two files whose packets interleave in time: a = 10, 30, 50; b = 20, 40, 60 (+ a tie at 50).
    func twoInterleavedFiles(_ dir: TemporaryDirectory) throws -> (String, String) {
        let a = try writeCapture(dir.path("a.pcap"), [(10, Frames.ethernetUDP()), (30, Frames.ethernetUDP()), (50, Frames.ethernetUDP())])
        let b = try writeCapture(dir.path("b.pcap"), [(20, Frames.ethernetTCP()), (40, Frames.ethernetTCP()),
                                                       (50, Frames.ethernetTCP()), (60, Frames.ethernetTCP())])
        return (a, b)
    }

    @Test("files are merged in time order; each packet says which file it came from; ties go to the earlier file")
    func mergeInTimeOrder() throws {
        let dir = try TemporaryDirectory()
        let (a, b) = try twoInterleavedFiles(dir)
        let reader = try CaptureReader(paths: [a, b])
        #expect(reader.files == [a, b])
        #expect(reader.linkTypes == [.ethernet, .ethernet])
        let (packets, outcome) = try reader.collect()
        #expect(packets.map(\.time) == [10, 20, 30, 40, 50, 50, 60])
        #expect(packets.map(\.source) == [0, 1, 0, 1, 0, 1, 1])
        #expect(packets.filter { $0.source == 1 }.allSatisfy { $0.bytes == Frames.ethernetTCP() })
        #expect(outcome == ReadOutcome(packetsDelivered: 7, warnings: [], endedBy: .endOfInput))
    }

    @Test("files of different link types merge; each packet carries its own link type")
    func mergeMixedLinkTypes() throws {
        let dir = try TemporaryDirectory()
        let eth = try writeCapture(dir.path("e.pcap"), [(2, Frames.ethernetUDP())])
        let raw = try writeCapture(dir.path("r.pcap"), linkType: .raw, [(1, Frames.udp())])
        let reader = try CaptureReader(paths: [eth, raw])
        #expect(reader.linkTypes == [.ethernet, .raw])
        let (packets, _) = try reader.collect()
        #expect(packets.map(\.linkType) == [.raw, .ethernet])
    }

    @Test("a limit delivers exactly N packets; the next call continues where it stopped")
    func limitThenContinue() throws {
        let dir = try TemporaryDirectory()
        let (a, b) = try twoInterleavedFiles(dir)
        let reader = try CaptureReader(paths: [a, b])
        let (first, outcome1) = try reader.collect(limit: 3)
        #expect(first.map(\.time) == [10, 20, 30])
        #expect(outcome1.endedBy == .limitReached)
        #expect(outcome1.packetsDelivered == 3)
        let (rest, outcome2) = try reader.collect()
        #expect(rest.map(\.time) == [40, 50, 50, 60])
        #expect(outcome2.endedBy == .endOfInput)
    }

    @Test("a limit on a single file, and a limit of 0, deliver exactly that many")
    func limitSingleFile() throws {
        let dir = try TemporaryDirectory()
        let (a, _) = try twoInterleavedFiles(dir)
        let reader = try CaptureReader(paths: [a])
        #expect(try reader.collect(limit: 0).1 == ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .limitReached))
        let (two, outcome) = try reader.collect(limit: 2)
        #expect(two.map(\.time) == [10, 30])
        #expect(outcome.endedBy == .limitReached)
        let (rest, end) = try reader.collect(limit: 5)
        #expect(rest.map(\.time) == [50])
        #expect(end.endedBy == .endOfInput)
        #expect(try reader.collect().1 == ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .endOfInput))
    }

    @Test("a BPF filter applies to every file: 'udp' keeps only UDP")
    func filterEveryFile() throws {
        let dir = try TemporaryDirectory()
        let mixedA = try writeCapture(dir.path("ma.pcap"), [(1, Frames.ethernetUDP()), (2, Frames.ethernetTCP()), (5, Frames.ethernetUDP())])
        let mixedB = try writeCapture(dir.path("mb.pcap"), [(3, Frames.ethernetTCP()), (4, Frames.ethernetUDP())])
        let reader = try CaptureReader(paths: [mixedA, mixedB], filter: "udp")
        let (packets, outcome) = try reader.collect()
        #expect(packets.map(\.time) == [1, 4, 5])
        #expect(packets.allSatisfy { $0.bytes == Frames.ethernetUDP() })
        #expect(outcome.warnings.isEmpty)
    }

    @Test("the filter compiles per file, so it also works on raw-IP files")
    func filterOnRawIP() throws {
        let dir = try TemporaryDirectory()
        let raw = try writeCapture(dir.path("raw.pcap"), linkType: .raw, [(1, Frames.udp()), (2, Frames.tcp())])
        let (packets, _) = try CaptureReader(paths: [raw], filter: "tcp port 443").collect()
        #expect(packets.map(\.time) == [2])
    }

    @Test("a bad filter expression is an error that names the expression")
    func badFilter() throws {
        let dir = try TemporaryDirectory()
        let (a, _) = try twoInterleavedFiles(dir)
        let error = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [a], filter: "tcp and") }
        #expect(error == .badFilter(expression: "tcp and", detail: "syntax error"))
        #expect(error?.description == "bad filter expression 'tcp and': syntax error")
    }

    @Test("with several files, a filter that fails for one file's link type names that file")
    func badFilterForOneLinkType() throws {
        let dir = try TemporaryDirectory()
        let eth = try writeCapture(dir.path("e.pcap"), [(1, Frames.ethernetUDP())])
        let raw = try writeCapture(dir.path("r.pcap"), linkType: .raw, [(2, Frames.udp())])
        let error = #expect(throws: CaptureError.self) {
            _ = try CaptureReader(paths: [eth, raw], filter: "ether host 02:00:00:00:00:01")
        }
        guard case let .badFilter(expression, detail) = error else { Issue.record("expected .badFilter, got \(String(describing: error))"); return }
        #expect(expression == "ether host 02:00:00:00:00:01")
        #expect(detail.contains("'\(raw)'"))
    }

    @Test("stop() from inside the callback ends the loop after that packet, for good")
    func stopFromCallback() throws {
        let dir = try TemporaryDirectory()
        let (a, b) = try twoInterleavedFiles(dir)
        let reader = try CaptureReader(paths: [a, b])
        var seen: [Int64] = []
        let outcome = try reader.forEachPacket { packet in
            seen.append(packet.timestampNanoseconds)
            if seen.count == 2 { reader.stop() }
        }
        #expect(seen == [10, 20])
        #expect(outcome.endedBy == .stopped)
        #expect(try reader.collect().1 == ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .stopped))
    }

    @Test("stop through the Sendable token on a single file, before reading, delivers nothing")
    func stopBeforeReading() throws {
        let dir = try TemporaryDirectory()
        let (a, _) = try twoInterleavedFiles(dir)
        let reader = try CaptureReader(paths: [a])
        let token = reader.stopToken
        Thread.detachNewThread { token.breakLoop() }
        while !token.isBreakRequested { usleep(1000) }
        let (packets, outcome) = try reader.collect()
        #expect(packets.isEmpty)
        #expect(outcome.endedBy == .stopped)
    }

    @Test("stop() on a single file ends the loop via pcap_breakloop")
    func stopSingleFile() throws {
        let dir = try TemporaryDirectory()
        let (_, b) = try twoInterleavedFiles(dir)
        let reader = try CaptureReader(paths: [b])
        var count = 0
        let outcome = try reader.forEachPacket { _ in
            count += 1
            reader.stop()
        }
        #expect(count == 1)
        #expect(outcome == ReadOutcome(packetsDelivered: 1, warnings: [], endedBy: .stopped))
    }

    @Test("progress: total file bytes is the sum of sizes, and bytes consumed reaches it at the end")
    func progress() throws {
        let dir = try TemporaryDirectory()
        let (a, b) = try twoInterleavedFiles(dir)
        let sizes = try [a, b].map { try #require(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) }
        let reader = try CaptureReader(paths: [a, b])
        #expect(reader.totalFileBytes == Int64(sizes.reduce(0, +)))
        #expect(reader.bytesConsumed < reader.totalFileBytes)
        _ = try reader.collect()
        #expect(reader.bytesConsumed == reader.totalFileBytes)
    }

    @Test("a single handle (as live mode uses) reads with the same loop")
    func singleHandle() throws {
        let dir = try TemporaryDirectory()
        let (a, _) = try twoInterleavedFiles(dir)
        let handle = try CaptureHandle.openFile(a)
        try handle.setFilter("udp")
        #expect(handle.linkType == .ethernet)
        #expect(handle.snapshotLength == 262_144)
        #expect(handle.statistics() == nil)
        #expect(handle.isLive == false)
        let reader = CaptureReader(handle: handle)
        #expect(reader.sources == [a])
        let (packets, _) = try reader.collect()
        #expect(packets.map(\.time) == [10, 30, 50])
    }

    @Test("no paths: nothing to read, the loop ends at once")
    func noPaths() throws {
        let reader = try CaptureReader(paths: [])
        #expect(try reader.collect().1 == ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .endOfInput))
    }
}
