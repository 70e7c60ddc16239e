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
        var run = try CaptureRun(files: request.files, filter: request.filter, flowTable: request.flowTable,
                                 signatureFiles: request.signatureFiles, domestic: request.domestic,
                                 identify: request.identify)
        let output: TextOutput
        if let path = request.outputPath {
            do { output = try TextOutput(path: path) } catch { throw .output(error) }
        } else {
            output = TextOutput.standardOutput()
        }
        let errors = TextOutput.standardError()
        var log = FlowLogWriter(format: request.format, output: output)
        let outcome = try run.read(limit: request.packetLimit, showProgress: request.showProgress) {
            log.write($0, identity: $1)
        }
        var summary = run.pipeline.summary
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
