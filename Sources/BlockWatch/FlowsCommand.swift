#if canImport(Glibc)
import Glibc
#endif
import Capture
import Flows
import Identification
import Reports
import Wire

/// `blockwatch flows`: reads captures and writes one record per flow, then a summary.
public enum FlowsCommand {
    /// Runs the request, writing records to its output and warnings and progress to standard
    /// error. Returns the summary; throws when nothing could be read.
    @discardableResult
    public static func run(_ request: FlowsRequest) throws(BlockWatchError) -> CaptureSummary {
        let reader: CaptureReader
        do {
            reader = try CaptureReader(paths: request.files, filter: request.filter)
        } catch {
            throw .capture(error)
        }
        let catalog = try SignatureCatalogLoader.load(extraFiles: request.signatureFiles)
        let domestic = try SignatureCatalogLoader.domestic(request.domestic)
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          configuration: request.flowTable, catalog: catalog,
                                          domestic: domestic, identify: request.identify)
        let output: TextOutput
        if let path = request.outputPath {
            do { output = try TextOutput(path: path) } catch { throw .output(error) }
        } else {
            output = TextOutput.standardOutput()
        }
        let errors = TextOutput.standardError()
        var log = FlowLogWriter(format: request.format, output: output)
        let wantsProgress = request.showProgress ?? (isatty(2) == 1)
        var progress = wantsProgress ? ProgressMeter(totalBytes: reader.totalFileBytes) : nil

        var sinceProgress = 0
        let outcome: ReadOutcome
        do {
            outcome = try reader.forEachPacket(limit: request.packetLimit) { packet in
                pipeline.process(packet) { log.write($0, identity: $1) }
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
        pipeline.finish { log.write($0, identity: $1) }
        var summary = pipeline.summary
        summary.warnings = outcome.warnings.map(\.description)
        log.finish(closedAt: summary.lastPacket)

        // People get the summary under their table; machine formats keep standard output clean.
        let summaryOutput = request.format == .table ? output : errors
        if request.format == .table { output.write("\n") }
        summaryOutput.write(summary.text + "\n")
        summaryOutput.flush()
        for warning in summary.warnings { errors.write("blockwatch: warning: \(warning)\n") }
        errors.flush()
        output.flush()
        if let failure = output.failure { throw .output(failure) }
        return summary
    }
}
