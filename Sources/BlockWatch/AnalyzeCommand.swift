#if canImport(Glibc)
import Glibc
#endif
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
        let reader: CaptureReader
        do { reader = try CaptureReader(paths: request.files, filter: request.filter) } catch { throw .capture(error) }
        var catalog = try SignatureCatalogLoader.load(extraFiles: request.signatureFiles)
        if !request.control.isEmpty {
            do { try catalog.setControlServices(request.control) } catch { throw .signatures(error) }
        }
        let domestic = try SignatureCatalogLoader.domestic(request.domestic)
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          configuration: request.flowTable, catalog: catalog, domestic: domestic)
        let judge = AttemptJudge(catalog: catalog)
        var attempts: [Attempt] = []
        var activity = PacketActivity()
        let wantsProgress = request.showProgress ?? (isatty(2) == 1)
        var progress = wantsProgress ? ProgressMeter(totalBytes: reader.totalFileBytes) : nil
        var sinceProgress = 0

        let outcome: ReadOutcome
        do {
            outcome = try reader.forEachPacket(limit: request.packetLimit) { packet in
                activity.note(Timestamp(nanoseconds: packet.timestampNanoseconds))
                pipeline.process(packet) { record, identity in
                    if let a = judge.judge(record, identity, captureEnd: activity.last!) { attempts.append(a) }
                }
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
        let end = activity.last ?? Timestamp(nanoseconds: 0)
        pipeline.finish { record, identity in
            if let a = judge.judge(record, identity, captureEnd: end) { attempts.append(a) }
        }
        var summary = pipeline.summary
        summary.warnings = outcome.warnings.map(\.description)

        // The observer's own losses lower confidence; they are never evidence of blocking.
        var losses: [String] = []
        if !outcome.warnings.isEmpty { losses.append("the capture file is damaged or cut short") }
        let drops = reader.statistics()
        if let drops, drops.droppedByKernel + drops.droppedByInterface > 0 {
            losses.append("the capture dropped \(drops.droppedByKernel + drops.droppedByInterface) packets")
        }
        let snaplenCuts = summary.issues[.snaplenTruncated]
        if summary.packets > 0 && snaplenCuts * 100 > summary.packets {
            losses.append("\(snaplenCuts) packets were cut by the snapshot length")
        }
        let captureLoss = losses.isEmpty ? nil : "Capture loss (" + losses.joined(separator: "; ") + ") lowers the confidence of every verdict."

        var result = Detector().analyze(attempts: attempts, activity: activity, bin: request.bin, captureLoss: captureLoss)
        if !request.services.isEmpty {
            let wanted = Set(request.services.map { $0.lowercased() })
            result.services = result.services.filter { wanted.contains($0.group.description) }
        }
        let report = AnalysisReport(result: result, capture: summary,
                                    signaturesVersion: catalog.newestVersion?.description,
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
        let errors = TextOutput.standardError()
        for warning in summary.warnings { errors.write("blockwatch: warning: \(warning)\n") }
        errors.flush()
        return result
    }
}
