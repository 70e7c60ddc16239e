// Heap allocations and time of BlockWatch's per-packet path, on frames held in memory.
//
// Input: the first `BLOCKWATCH_BENCH_PACKETS` (default 100 000) packets of the classic pcap file
// named by `BLOCKWATCH_BENCH_PCAP` (default `work/alloc.pcap`, which `../run.sh` writes with
// craft-captures; paths are relative to this package's folder, where the benchmark runs).
// The frames are copied into one buffer before anything is measured, so no file reading and no
// libpcap are inside the measurement.
//
// One iteration = one pass over all those frames. Read `mallocCountTotal` per iteration and
// divide by the packet count (printed in the benchmark's name) to get allocations per packet.
//
// "Flows exist": the flow table is filled by one unmeasured pass first; measured passes replay the
// very same frames with the very same timestamps. The table's clock (the latest packet time) then
// never moves forward, so nothing expires, and a replayed SYN carries the flow's own initial
// sequence number, so it is not taken for port reuse: a replay creates no flow. The custom metric
// "flows created" (per iteration) shows that this held. Whatever `mallocCountTotal` reports is
// therefore the per-packet path itself, not flow creation.
//
// The Wire, Flows, Capture and Identification modules are not products of the main package; they are imported
// here because SwiftPM builds the BlockWatch product's module dependencies into the same module
// folder. See README.md ("Which products the benchmark needs").
import Benchmark
import BlockWatch
import Capture
import Flows
import Foundation
import Identification
import Wire

/// Frames copied out of a classic pcap file.
struct FrameSet: @unchecked Sendable {
    /// All captured bytes, back to back.
    let storage: UnsafeMutableRawBufferPointer
    let offsets: [Int]
    let capturedLengths: [Int]
    let originalLengths: [Int]
    let timestamps: [Int64]
    let linkType: Int32
    var count: Int { offsets.count }

    func frame(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[offsets[index] ..< offsets[index] + capturedLengths[index]])
    }

    /// Reads up to `limit` packets of a classic pcap file (either byte order, µs or ns).
    static func load(path: String, limit: Int) -> FrameSet {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 24 else {
            fatalError("cannot read \(path): run ../run.sh first, or set BLOCKWATCH_BENCH_PCAP to a classic pcap file")
        }
        let bytes = [UInt8](data)
        func u32(_ at: Int, swapped: Bool) -> UInt32 {
            let v = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            return swapped ? v.byteSwapped : v
        }
        let magic = u32(0, swapped: false)
        let swapped: Bool, nanos: Bool
        switch magic {
        case 0xA1B2_C3D4: (swapped, nanos) = (false, false)
        case 0xA1B2_3C4D: (swapped, nanos) = (false, true)
        case 0xD4C3_B2A1: (swapped, nanos) = (true, false)
        case 0x4D3C_B2A1: (swapped, nanos) = (true, true)
        default: fatalError("\(path) is not a classic pcap file (pcapng is not supported by this loader)")
        }
        let linkType = Int32(bitPattern: u32(20, swapped: swapped) & 0x0FFF_FFFF)
        var offsets: [Int] = [], captured: [Int] = [], original: [Int] = [], times: [Int64] = []
        var sourceOffsets: [Int] = []
        var at = 24, total = 0
        while at + 16 <= bytes.count && offsets.count < limit {
            let seconds = Int64(u32(at, swapped: swapped))
            let fraction = Int64(u32(at + 4, swapped: swapped))
            let capLen = Int(u32(at + 8, swapped: swapped))
            let origLen = Int(u32(at + 12, swapped: swapped))
            guard at + 16 + capLen <= bytes.count else { break }   // a cut-off last record
            sourceOffsets.append(at + 16)
            offsets.append(total)
            captured.append(capLen)
            original.append(origLen)
            times.append(seconds * 1_000_000_000 + (nanos ? fraction : fraction * 1000))
            total += capLen
            at += 16 + capLen
        }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            for i in offsets.indices {
                let from = UnsafeRawBufferPointer(rebasing: source[sourceOffsets[i] ..< sourceOffsets[i] + captured[i]])
                UnsafeMutableRawBufferPointer(rebasing: storage[offsets[i]...]).copyMemory(from: from)
            }
        }
        return FrameSet(storage: storage, offsets: offsets, capturedLengths: captured, originalLengths: original,
                        timestamps: times, linkType: linkType)
    }
}

let environment = ProcessInfo.processInfo.environment
let capturePath = environment["BLOCKWATCH_BENCH_PCAP"] ?? "work/alloc.pcap"
let packetLimit = Int(environment["BLOCKWATCH_BENCH_PACKETS"] ?? "") ?? 100_000

/// For the control benchmark: a heap object the optimizer cannot keep on the stack (it escapes
/// into `blackHole`).
final class Box {
    let value: Int
    init(_ value: Int) { self.value = value }
}

let flowsCreated = BenchmarkMetric.custom("flows created", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let frames = FrameSet.load(path: capturePath, limit: packetLimit)
    let n = frames.count
    guard let layer = LinkLayer(dataLinkType: frames.linkType) else { fatalError("unsupported link type \(frames.linkType)") }
    let decoder = PacketDecoder(linkLayer: layer)

    // One pass of a few milliseconds at least per sample (see research notes: tiny samples run
    // with cold caches on this VM); a fixed iteration count keeps the run short and predictable.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    // 0. Control: proves that malloc counting works here (it must report 1000 per iteration).
    // Without it, a harness whose interposer silently failed to load would report a fine-looking 0.
    Benchmark("control 1000 allocations") { benchmark in
        for _ in benchmark.scaledIterations {
            for i in 0 ..< 1000 { blackHole(Box(i)) }
        }
    }

    // 1. Wire alone: link layer down to the transport header.
    Benchmark("decode \(n) packets") { benchmark in
        var kinds = 0
        for _ in benchmark.scaledIterations {
            for i in 0 ..< n {
                switch decoder.decode(frames.frame(i), originalLength: frames.originalLengths[i]) {
                case .packet(let p): kinds &+= p.payloadLength
                case .fragment: kinds &+= 1
                case .notIP: kinds &+= 2
                case .malformed: kinds &+= 3
                }
            }
        }
        blackHole(kinds)
    }

    // 2. Wire + Flows on flows that already exist (see the file comment).
    Benchmark("decode+observe \(n) packets, flows exist",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, flowsCreated])) { benchmark in
        var table = FlowTable(configuration: FlowTableConfiguration())
        func pass(_ table: inout FlowTable) {
            for i in 0 ..< n {
                if case .packet(let p) = decoder.decode(frames.frame(i), originalLength: frames.originalLengths[i]) {
                    _ = table.observe(p, at: Timestamp(nanoseconds: frames.timestamps[i]))
                }
            }
            blackHole(table.takeEnded())   // records of flows that ended: none once the table is filled
        }
        pass(&table)   // fills the table; not measured
        let before = table.statistics.flowsCreated
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { pass(&table) }
        benchmark.stopMeasurement()
        let passes = max(1, benchmark.scaledIterations.count)
        benchmark.measurement(flowsCreated, (table.statistics.flowsCreated - before) / passes)
        blackHole(table.activeFlows)
    }

    // 3. The façade's per-packet step (decode, fragments, observe, identification, summary),
    // flows exist, with the bundled signature catalog.
    Benchmark("pipeline \(n) packets, flows exist",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, flowsCreated])) { benchmark in
        var pipeline = try PacketPipeline(sources: ["bench"], linkTypes: [LinkType(rawValue: frames.linkType)],
                                          configuration: FlowTableConfiguration(), catalog: SignatureCatalog.bundled())
        func pass(_ pipeline: inout PacketPipeline) {
            for i in 0 ..< n {
                let packet = CapturedPacket(timestampNanoseconds: frames.timestamps[i], capturedLength: frames.capturedLengths[i],
                                            originalLength: frames.originalLengths[i], linkType: LinkType(rawValue: frames.linkType),
                                            sourceIndex: 0, bytes: frames.frame(i))
                pipeline.process(packet) { record, identity in blackHole(record); blackHole(identity) }
            }
        }
        pass(&pipeline)
        let before = pipeline.flows.statistics.flowsCreated
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { pass(&pipeline) }
        benchmark.stopMeasurement()
        let passes = max(1, benchmark.scaledIterations.count)
        benchmark.measurement(flowsCreated, (pipeline.flows.statistics.flowsCreated - before) / passes)
        blackHole(pipeline.summary.packets)
    }
}
