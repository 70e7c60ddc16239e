#if canImport(Glibc)
import Glibc
#endif
import Capture
import Detection
import Dispatch
import Flows
import Identification
import Reports
import Wire

/// `blockwatch live`: captures from an interface, keeps rolling verdicts with the same Detector as
/// `analyze`, alerts on every state change, and on a stop (SIGINT/SIGTERM, `-c`, `--duration`)
/// writes the final report and the capture statistics.
public enum LiveCommand {
    /// How a run ended, for callers and tests.
    public struct Outcome: Sendable {
        public var statistics: CaptureStatistics?
        public var packets: Int
        public var savedFiles: [String]
    }

    @discardableResult
    public static func run(_ request: LiveRequest) throws(BlockWatchError) -> Outcome {
        // Everything that needs privileges or may fail comes first: the capture, the filter, the
        // output files (opened before dropping root, as tcpdump does), the catalog.
        let timeZone: ReportTimeZone
        do { timeZone = try ReportTimeZone(request.timeZone) } catch { throw .usage(error.description) }
        let handle: CaptureHandle
        let warning: String?
        do {
            (handle, warning) = try CaptureHandle.openInterface(request.interface, options: request.options)
            if let filter = request.filter { try handle.setFilter(filter) }
        } catch { throw .capture(error) }
        let errors = TextOutput.standardError()
        if let warning { errors.write("blockwatch: warning: \(warning)\n"); errors.flush() }

        let startWall = wallClock()
        var writer: RotatingCaptureWriter? = nil
        if let saving = request.saving {
            do {
                writer = try RotatingCaptureWriter(saving: saving, linkType: handle.linkType, snapshotLength: handle.snapshotLength,
                                                   startEpochSeconds: Int(startWall.nanoseconds / 1_000_000_000))
            } catch { throw .capture(error) }
        }
        var reportOutput: TextOutput? = nil
        if let path = request.reportPath {
            do { reportOutput = try TextOutput(path: path) } catch { throw .output(error) }
        }
        var catalog = try SignatureCatalogLoader.load(extraFiles: request.signatureFiles)
        if !request.control.isEmpty {
            do { try catalog.setControlServices(request.control) } catch { throw .signatures(error) }
        }
        let pipeline = try PacketPipeline(sources: [handle.source], linkTypes: [handle.linkType], configuration: request.flowTable,
                                          catalog: catalog, domestic: try SignatureCatalogLoader.domestic(request.domestic))

        let user = PrivilegeDrop.target(requested: request.user)
        if let path = request.htmlPath {
            // Written at the stop, after root is gone: create it now and hand it to the user then.
            do { _ = try TextOutput(path: path) } catch { throw .output(error) }
            if let user, let ids = PrivilegeDrop.lookup(user) { _ = chown(path, ids.uid, ids.gid) }
        }
        if let user {
            do { try PrivilegeDrop.drop(to: user, interface: request.interface) } catch { throw .capture(error) }
        }

        // SIGINT/SIGTERM end the loop through pcap_breakloop; the handlers run on a dispatch queue,
        // so nothing here has to be async-signal-safe.
        // A second signal while the final report is being made ends at once (exit 130).
        let token = handle.breakLoopToken
        let signalQueue = DispatchQueue(label: "blockwatch.live.signals")
        let received = SignalCount()
        var signalSources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
            source.setEventHandler {
                received.count += 1
                if received.count > 1 {
                    let errors = TextOutput.standardError()
                    errors.write("blockwatch: stopped again: no final report\n")
                    errors.flush()
                    _exit(130)
                }
                token.breakLoop()
            }
            source.resume()
            signalSources.append(source)
        }
        defer { for source in signalSources { source.cancel() } }

        let output = LiveOutput(format: request.format,
                                statusView: request.statusView ?? (request.format == .text && isatty(1) == 1),
                                interface: request.interface, timeZone: timeZone)
        let rolling = RollingAnalysis(catalog: catalog, bin: request.bin)
        var session = LiveSession(handle: handle, pipeline: pipeline, rolling: rolling, writer: writer, errors: errors,
                                  worker: AnalysisWorker(analyst: rolling.analyst, output: output),
                                  stopAt: request.duration.map { startWall + $0 })

        let read: ReadOutcome
        do throws(CaptureError) {
            read = try handle.readLive(limit: request.packetLimit, whenIdle: { session.check(wallClock()) }) { packet in
                session.packet(packet)
            }
        } catch {
            throw .capture(error)
        }
        // The stop: the analysis under way finishes, files are flushed, the final report, the statistics.
        session.worker.drain()
        if let job = session.pendingJob { _ = session.worker.offer(job); session.worker.drain() }
        var writeFailure = session.writeFailure
        do { try writer?.finish() } catch { if writeFailure == nil { writeFailure = error } }
        let end = max(session.now, session.pipeline.summary.lastPacket ?? session.now)
        session.finish(at: end)
        let statistics = handle.statistics()
        var summary = session.pipeline.summary
        summary.warnings = read.warnings.map(\.description)
        let dropped = statistics.map { $0.droppedByKernel + $0.droppedByInterface } ?? 0
        let captureLoss = dropped > 0 ? "Capture loss (the capture dropped \(dropped) packets) lowers the confidence of every verdict." : nil
        let result = session.rolling.finalResult(captureLoss: captureLoss)
        let report = AnalysisReport(result: result, capture: summary, signaturesVersion: catalog.newestVersion?.description,
                                    captureDrops: statistics.map { ($0.received, $0.droppedByKernel + $0.droppedByInterface) })
        let text = request.reportFormat == .json ? report.json() : report.text(timeZone: timeZone)
        if let reportOutput {
            reportOutput.write(text)
            reportOutput.flush()
            if let failure = reportOutput.failure { throw .output(failure) }
        } else if request.format == .text {
            output.finalReport(text)
        }
        if let path = request.htmlPath {
            do { try HTMLReport(report: report, inputs: [request.interface], timeZone: timeZone).write(to: path) } catch { throw .output(error) }
        }
        output.stopped(statistics: statistics, packets: summary.packets, files: writer?.files ?? [])
        for warning in summary.warnings { errors.write("blockwatch: warning: \(warning)\n") }
        let s = statistics ?? CaptureStatistics(received: summary.packets, droppedByKernel: 0, droppedByInterface: 0)
        errors.write("\(s.received) packets received, \(s.droppedByKernel) dropped by kernel, \(s.droppedByInterface) dropped by interface\n")
        errors.flush()
        if let writeFailure { throw .capture(writeFailure) }
        return Outcome(statistics: statistics, packets: summary.packets, savedFiles: writer?.files ?? [])
    }

    static func wallClock() -> Timestamp {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Timestamp(nanoseconds: Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec))
    }
}

/// What the capture loop works on, per packet and per idle wait. One struct behind one local
/// variable, so each packet's path runs without dynamic exclusivity checks: as variables captured
/// by a local function it cost three `swift_beginAccess` per packet (about 300 instructions of
/// some 4,400, measured with callgrind).
struct LiveSession {
    let handle: CaptureHandle
    var pipeline: PacketPipeline
    var rolling: RollingAnalysis
    let writer: RotatingCaptureWriter?
    let errors: TextOutput
    let worker: AnalysisWorker
    let stopAt: Timestamp?
    /// The first failure to save packets: saving stops, the analysis goes on, the run ends with status 1.
    var writeFailure: CaptureError? = nil
    var pendingJob: AnalysisJob? = nil
    /// The newest time seen: packet time, or the wall clock while the link is idle.
    var now = Timestamp(nanoseconds: .min)
    var nextCheck = Timestamp(nanoseconds: .min)
    var lastStatistics = CaptureStatistics(received: 0, droppedByKernel: 0, droppedByInterface: 0)

    @inline(__always)
    mutating func packet(_ packet: borrowing CapturedPacket) {
        let time = Timestamp(nanoseconds: packet.timestampNanoseconds)
        if let w = writer, writeFailure == nil {
            do throws(CaptureError) { try w.write(packet) } catch {
                // The sensor keeps watching without saving; the run still ends with status 1.
                writeFailure = error
                errors.write("blockwatch: warning: \(error); saving stopped, the analysis goes on\n")
                errors.flush()
            }
        }
        rolling.notePacket(time)
        LiveSession.process(packet, at: time, &pipeline, &rolling)
        if time >= nextCheck { check(time) }
    }

    /// The pipeline and the rolling analysis as two separate parts of the session, so the flow
    /// callback may change one while the other runs.
    @inline(__always)
    static func process(_ packet: borrowing CapturedPacket, at time: Timestamp,
                        _ pipeline: inout PacketPipeline, _ rolling: inout RollingAnalysis) {
        pipeline.process(packet) { record, identity in rolling.flowEnded(record, identity, now: time) }
    }

    /// Once a second (packet time, or the wall clock when idle): capture drops, the duration,
    /// attempts whose judge window passed, and the rolling analysis (which runs the Detector
    /// every few seconds).
    mutating func check(_ time: Timestamp) {
        if time > now { now = time }
        guard now >= nextCheck else { return }
        nextCheck = now + .seconds(1)
        if let stats = handle.statistics() {
            let lost = (stats.droppedByKernel - lastStatistics.droppedByKernel)
                + (stats.droppedByInterface - lastStatistics.droppedByInterface)
            if lost > 0 { rolling.noteDrops(lost, at: now) }
            lastStatistics = stats
        }
        rolling.judgeDue(now: now, pipeline: &pipeline)
        if var job = rolling.collect(now: now, pipeline: &pipeline) {
            if let earlier = pendingJob { job.absorb(earlier) }
            pendingJob = worker.offer(job)
        }
        if let stopAt, LiveCommand.wallClock() >= stopAt { handle.breakLoopToken.breakLoop() }
    }

    /// After the loop: open flows are judged, and drops since the last check noted.
    mutating func finish(at end: Timestamp) {
        LiveSession.finish(at: end, &pipeline, &rolling)
        if let statistics = handle.statistics() {
            let lost = (statistics.droppedByKernel - lastStatistics.droppedByKernel)
                + (statistics.droppedByInterface - lastStatistics.droppedByInterface)
            if lost > 0 { rolling.noteDrops(lost, at: end) }
        }
    }

    static func finish(at end: Timestamp, _ pipeline: inout PacketPipeline, _ rolling: inout RollingAnalysis) {
        pipeline.finish { record, identity in rolling.flowEnded(record, identity, now: end) }
    }
}

/// Runs the Detector off the capture thread: a run over many attempts must not stall reading
/// packets (the kernel buffer holds a fraction of a second at high rates). One job at a time;
/// a job offered while one runs comes back to the caller, which folds it into the next.
final class AnalysisWorker: @unchecked Sendable {
    // Safety (`@unchecked Sendable`): `analyst` and `output` are used only on `queue` (and by the
    // caller after `drain()`); `busy` only on `flag`.
    private let queue = DispatchQueue(label: "blockwatch.live.analysis")
    private let flag = DispatchQueue(label: "blockwatch.live.analysis.flag")
    private var busy = false
    private var analyst: LiveAnalyst
    private let output: LiveOutput

    init(analyst: LiveAnalyst, output: LiveOutput) {
        self.analyst = analyst
        self.output = output
    }

    /// Starts `job` unless one is running; then `job` is handed back.
    func offer(_ job: AnalysisJob) -> AnalysisJob? {
        let accepted = flag.sync { () -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard accepted else { return job }
        queue.async {
            let update = self.analyst.run(job)
            self.output.show(update)
            self.flag.sync { self.busy = false }
        }
        return nil
    }

    /// Waits for the job under way.
    func drain() { queue.sync {} }
}

/// Signals received so far. Safety (`@unchecked Sendable`): used only on the signal queue.
final class SignalCount: @unchecked Sendable {
    var count = 0
}
