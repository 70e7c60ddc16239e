#if canImport(Glibc)
import Glibc
#endif
import BlockWatch
import Capture
import Flows
import FuzzSupport
import Identification
import Wire

// The whole pipeline on a capture file: the input is the file's bytes (pcap in either byte order,
// µs or ns, or pcapng), written to a file in /dev/shm and read as `blockwatch` reads it —
// CaptureReader (the memory-mapped pcap and pcapng readers), PacketPipeline
// (decoding, fragment reassembly, the flow table, identification) — then every flow is ended.
// A small flow table makes eviction and the idle sweep happen within one input.
let path: String = {
    let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    removeFilesOfDeadRuns(in: directory)
    return "\(directory)/blockwatch-fuzz-pipeline-\(getpid()).pcap"
}()

/// A run that crashed (the point of fuzzing) never reached its `unlink`: its file stays behind,
/// one per crashed process. Each new run removes those whose process is gone.
func removeFilesOfDeadRuns(in directory: String) {
    guard let listing = opendir(directory) else { return }
    defer { closedir(listing) }
    let prefix = "blockwatch-fuzz-pipeline-", suffix = ".pcap"
    while let entry = readdir(listing) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard name.hasPrefix(prefix), name.hasSuffix(suffix),
              let pid = pid_t(name.dropFirst(prefix.count).dropLast(suffix.count)), pid != getpid(),
              kill(pid, 0) == -1, errno == ESRCH
        else { continue }
        unlink("\(directory)/\(name)")
    }
}
let configuration: FlowTableConfiguration = {
    var configuration = FlowTableConfiguration()
    configuration.maximumFlows = 64
    return configuration
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { fatalError("cannot write \(path)") }
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        guard count > 0 else { fatalError("cannot write \(path)") }
        written += count
    }
    close(descriptor)
    defer { unlink(path) }

    guard let reader = try? CaptureReader(paths: [path]),
          var pipeline = try? PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                              describedLinkTypes: reader.describedLinkTypes,
                                              configuration: configuration, catalog: FuzzInput.catalog)
    else { return 0 }
    var flows = 0
    let emit: (FlowRecord, FlowIdentity) -> Void = { record, identity in
        flows += 1
        blackHole((record.slot, identity.app, identity.serverName))
    }
    if let outcome = try? reader.forEachPacket(limit: 10_000, { packet in pipeline.process(packet, emit: emit) }) {
        blackHole(outcome)
    }
    pipeline.finish(emit: emit)
    blackHole((flows, pipeline.summary.packets, pipeline.summary.inFlows, pipeline.summary.undecodable))
    return 0
}

FuzzInput.run(fuzz)
