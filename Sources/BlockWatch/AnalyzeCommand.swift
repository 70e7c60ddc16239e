import Capture
import Detection
import Flows
import Identification
import Reports
import Wire

/// `blockwatch analyze`: per-service blocking, throttling and cutoff verdicts for captures.
public enum AnalyzeCommand {
    @discardableResult
    public static func run(_ request: AnalyzeRequest) throws(BlockWatchError) -> AnalysisResult {
        let timeZone: ReportTimeZone
        do { timeZone = try ReportTimeZone(request.timeZone) } catch { throw .usage(error.description) }
        var run = try CaptureRun(files: request.files, filter: request.filter, flowTable: request.flowTable,
                                 signatureFiles: request.signatureFiles, domestic: request.domestic,
                                 control: request.control)
        let judge = AttemptJudge(catalog: run.catalog)
        // Attempts are summarised into bins as they are judged, never kept: memory stays bounded
        // however long the capture runs.
        var ledger = AttemptLedger(bin: request.bin)
        let outcome = try run.read(limit: request.packetLimit, showProgress: request.showProgress,
                                   onPacket: { ledger.notePacket($0) }) { record, identity in
            // Flows ending now are judged against the capture's clock so far (its end, at the end).
            if let a = judge.judge(record, identity, captureEnd: ledger.activity.last ?? record.lastSeen) { ledger.add(a) }
        }
        var summary = run.pipeline.summary
        summary.warnings = outcome.warnings.map(\.description)

        // The observer's own losses lower confidence; they are never evidence of blocking.
        var losses: [String] = []
        if !outcome.warnings.isEmpty { losses.append("the capture file is damaged or cut short") }
        let drops = run.reader.statistics()
        if let drops, drops.droppedByKernel + drops.droppedByInterface > 0 {
            losses.append("the capture dropped \(drops.droppedByKernel + drops.droppedByInterface) packets")
        }
        let snaplenCuts = summary.issues[.snaplenTruncated]
        if summary.packets > 0 && snaplenCuts * 100 > summary.packets {
            losses.append("\(snaplenCuts) packets were cut by the snapshot length")
        }
        let captureLoss = losses.isEmpty ? nil : "Capture loss (" + losses.joined(separator: "; ") + ") lowers the confidence of every verdict."

        var result = Detector().analyze(ledger, captureLoss: captureLoss)
        if !request.services.isEmpty {
            let wanted = Set(request.services.map { $0.lowercased() })
            result.services = result.services.filter { wanted.contains($0.group.description) }
        }
        let report = AnalysisReport(result: result, capture: summary,
                                    signaturesVersion: run.catalog.newestVersion?.description,
                                    captureDrops: drops.map { ($0.received, $0.droppedByKernel + $0.droppedByInterface) })
        let output: TextOutput
        if let path = request.outputPath {
            do { output = try TextOutput(path: path) } catch { throw .output(error) }
        } else {
            output = TextOutput.standardOutput()
        }
        output.write(request.format == .json ? report.json() : report.text(timeZone: timeZone))
        output.flush()
        if let failure = output.failure { throw .output(failure) }
        // The HTML page is written in addition to the text or JSON report, never instead of it.
        if let htmlPath = request.htmlPath {
            do { try HTMLReport(report: report, inputs: request.files, timeZone: timeZone).write(to: htmlPath) } catch { throw .output(error) }
        }
        let errors = TextOutput.standardError()
        for warning in summary.warnings { errors.write("blockwatch: warning: \(warning)\n") }
        errors.flush()
        return result
    }
}
