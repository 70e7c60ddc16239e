#if canImport(Glibc)
import Glibc
#endif
import Capture
import Flows
import Identification
import Wire

/// What every command that reads captures shares: open the files, load the catalog, build the
/// pipeline, read every packet (with a progress line on a terminal), and end the flows.
struct CaptureRun {
    let reader: CaptureReader
    let catalog: SignatureCatalog
    var pipeline: PacketPipeline

    init(files: [String], filter: String?, flowTable: FlowTableConfiguration, signatureFiles: [String],
         domestic: [String], control: [String] = [], identify: Bool = true) throws(BlockWatchError) {
        do { reader = try CaptureReader(paths: files, filter: filter) } catch { throw .capture(error) }
        var catalog = try SignatureCatalogLoader.load(extraFiles: signatureFiles)
        if !control.isEmpty {
            do { try catalog.setControlServices(control) } catch { throw .signatures(error) }
        }
        self.catalog = catalog
        pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                      describedLinkTypes: reader.describedLinkTypes, configuration: flowTable,
                                      catalog: catalog, domestic: try SignatureCatalogLoader.domestic(domestic),
                                      identify: identify)
    }

    /// Reads up to `limit` packets; every flow that ends, including those still open at the end,
    /// goes to `emit`. `onPacket` sees each packet's time before the pipeline does.
    mutating func read(limit: Int?, showProgress: Bool?, onPacket: (Timestamp) -> Void = { _ in },
                       emit: (FlowRecord, FlowIdentity) -> Void) throws(BlockWatchError) -> ReadOutcome {
        let wantsProgress = showProgress ?? (isatty(2) == 1)
        var progress = wantsProgress ? ProgressMeter(totalBytes: reader.totalFileBytes) : nil
        var sinceProgress = 0
        let reader = self.reader
        let outcome: ReadOutcome
        do {
            outcome = try reader.forEachPacket(limit: limit) { packet in
                onPacket(Timestamp(nanoseconds: packet.timestampNanoseconds))
                pipeline.process(packet, emit: emit)
                if progress != nil {
                    sinceProgress &+= 1
                    if sinceProgress >= 65_536 {
                        sinceProgress = 0
                        progress!.update(bytesRead: reader.bytesConsumed, packets: pipeline.summary.packets,
                                         flows: pipeline.flows.activeFlows)
                    }
                }
            }
        } catch {
            progress?.clear()
            throw .capture(error)
        }
        progress?.clear()
        pipeline.finish(emit: emit)
        return outcome
    }
}
