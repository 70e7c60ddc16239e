import Capture
import Detection
import Reports
import Wire

/// What live mode writes to standard output: alert lines (text), a status view redrawn each bin
/// (text on a terminal), or JSON lines (`--format jsonl`: one per state change and per bin).
final class LiveOutput {
    let format: LiveRequest.Format
    let statusView: Bool
    let interface: String
    /// The zone of the times in alert lines and the status view (JSON lines keep epoch seconds).
    let timeZone: ReportTimeZone
    let out = TextOutput.standardOutput()
    /// The newest alerts, shown under the status view.
    var recentAlerts: [String] = []

    init(format: LiveRequest.Format, statusView: Bool, interface: String, timeZone: ReportTimeZone = .utc) {
        self.format = format
        self.statusView = statusView
        self.interface = interface
        self.timeZone = timeZone
    }

    /// The newest bin summarised, for redrawing the status view when an alert comes mid-bin.
    var lastBin: LiveBinReport?

    func show(_ update: LiveUpdate) {
        guard !update.bins.isEmpty || !update.changes.isEmpty else { return }
        switch format {
        case .jsonl:
            for change in update.changes { out.write(LiveOutput.json(change) + "\n") }
            for bin in update.bins { out.write(LiveOutput.json(bin) + "\n") }
        case .text:
            let alerts = update.changes.map { LiveOutput.alertLine($0, timeZone: timeZone) }
            if statusView {
                recentAlerts = Array((recentAlerts + alerts).suffix(12))
                lastBin = update.bins.last ?? lastBin
                if let bin = lastBin { out.write(LiveOutput.statusView(bin, interface: interface, alerts: recentAlerts, timeZone: timeZone)) }
                else { for line in alerts { out.write(line + "\n") } }
            } else {
                for line in alerts { out.write(line + "\n") }
            }
        }
        out.flush()
    }

    func finalReport(_ text: String) {
        out.write(text)
        out.flush()
    }

    func stopped(statistics: CaptureStatistics?, packets: Int, files: [String]) {
        guard format == .jsonl else { return }
        var fields = ["\"type\":\"stop\"", "\"packets\":\(packets)"]
        if let s = statistics {
            fields += ["\"received\":\(s.received)", "\"dropped_by_kernel\":\(s.droppedByKernel)",
                       "\"dropped_by_interface\":\(s.droppedByInterface)"]
        }
        fields.append("\"files\":[" + files.map(LiveOutput.quoted).joined(separator: ",") + "]")
        out.write("{" + fields.joined(separator: ",") + "}\n")
        out.flush()
    }

    // MARK: Text

    /// "14:03:10 UTC telegram blocked (ip-blackhole, medium): 12 attempts to 4 servers failed since 14:02:10";
    /// with another zone the times are its own and the zone is named by its offset then ("UTC+06:00").
    static func alertLine(_ change: LiveChange, timeZone: ReportTimeZone = .utc) -> String {
        func clock(_ time: Timestamp) -> String { timeZone.clock(time) }
        let zone = timeZone.offsetName(at: Double(change.time.nanoseconds / 1_000_000_000))
        let head = "\(clock(change.time)) \(zone) \(change.subject) "
        let servers = change.subject == "network" ? "destination" : "server"
        if change.to == NetworkState.captureLoss.rawValue {
            return head + "capture-loss: the capture dropped \(change.drops) of \(change.packets + change.drops) packets "
                + "in the bin; no verdict from it"
        }
        if RollingAnalysis.isNews(change.to) {
            guard let e = change.event else { return head + change.to }
            let mechanism = e.mechanism.map { "\($0), " } ?? ""
            let since = clock(Timestamp(seconds: e.start))
            if change.to == ServiceState.throttled.rawValue || change.to == ServiceState.degraded.rawValue {
                return head + "\(change.to) (\(mechanism)\(e.confidence.rawValue)): \(e.why), since \(since)"
            }
            return head + "\(change.to) (\(mechanism)\(e.confidence.rawValue)): \(e.failures) attempt\(e.failures == 1 ? "" : "s") "
                + "to \(e.servers) \(servers)\(e.servers == 1 ? "" : "s") failed since \(since)"
        }
        let now = change.to == "ok" ? "ok again" : (change.to == "gap" ? "no packets captured" : "no evidence now")
        return head + "\(now) (was \(change.from))"
    }

    static func statusView(_ report: LiveBinReport, interface: String, alerts: [String], timeZone: ReportTimeZone = .utc) -> String {
        func clock(_ time: Timestamp) -> String { timeZone.clock(time) }
        let zone = timeZone.offsetName(at: Double(report.start.nanoseconds / 1_000_000_000))
        var s = "\u{1B}[H\u{1B}[2J"   // home, clear: redraw in place
        s += "blockwatch live on \(interface) — bin \(clock(report.start))–\(clock(report.end)) \(zone) (judged \(clock(report.time)))\n"
        let permille = report.packets + report.drops > 0 ? report.drops * 1000 / (report.packets + report.drops) : 0
        s += "network: \(report.network)   packets: \(report.packets)   capture drops: \(report.drops) "
            + "(\(permille / 10).\(permille % 10) %)\n\n"
        s += pad("service", 22) + pad("state", 20) + pad("attempts", 10) + "failures\n"
        for service in report.services.sorted(by: { $0.name < $1.name }) {
            s += pad(service.name, 22) + pad(service.state, 20) + pad(String(service.attempts), 10) + String(service.failures) + "\n"
        }
        if !alerts.isEmpty {
            s += "\nalerts:\n" + alerts.map { "  " + $0 + "\n" }.joined()
        }
        return s
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    // MARK: JSON lines

    static func json(_ change: LiveChange) -> String {
        var fields = ["\"type\":\"change\"", "\"time\":\(TimeFormatting.epochSeconds(change.time, fractionDigits: 3))",
                      "\"subject\":\(quoted(change.subject))", "\"from\":\(quoted(change.from))", "\"to\":\(quoted(change.to))"]
        if let e = change.event {
            fields += ["\"mechanism\":" + (e.mechanism.map(quoted) ?? "null"), "\"confidence\":\(quoted(e.confidence.rawValue))",
                       "\"since\":\(e.start)", "\"attempts\":\(e.attempts)", "\"failures\":\(e.failures)",
                       "\"servers\":\(e.servers)", "\"why\":\(quoted(e.why))"]
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func json(_ report: LiveBinReport) -> String {
        let services = report.services.sorted { $0.name < $1.name }.map {
            "{\"service\":\(quoted($0.name)),\"state\":\(quoted($0.state)),\"attempts\":\($0.attempts),\"failures\":\($0.failures)}"
        }
        return "{\"type\":\"bin\",\"bin\":\(report.index),\"start\":\(TimeFormatting.epochSeconds(report.start, fractionDigits: 3)),"
            + "\"end\":\(TimeFormatting.epochSeconds(report.end, fractionDigits: 3)),"
            + "\"time\":\(TimeFormatting.epochSeconds(report.time, fractionDigits: 3)),\"network\":\(quoted(report.network)),"
            + "\"packets\":\(report.packets),\"capture_drops\":\(report.drops),\"services\":[" + services.joined(separator: ",") + "]}"
    }

    static func quoted(_ s: String) -> String { FlowLogWriter.jsonString(s) }
}
