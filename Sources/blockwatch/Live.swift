import ArgumentParser
import BlockWatch

struct Live: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Capture from an interface with rolling verdicts and an alert on every state change.",
        discussion: """
            Flags follow tcpdump's: blockwatch live -i eth0 -w cap.pcap -C 100 'not port 22'
            Verdicts come from the same Detector as analyze, run several times per bin on what happened up to \
            one judge window (about 10 s) ago; every state change is an alert line (or a JSON line). Stop with \
            Ctrl-C (or SIGTERM), -c or --duration: the final report is written and the capture statistics printed.
            """
    )

    @Option(name: .customShort("i"), help: ArgumentHelp("The interface to capture on.", valueName: "interface"))
    var interface: String

    @Option(name: .customShort("B"), help: ArgumentHelp("Kernel capture buffer size in KiB.", valueName: "KiB"))
    var bufferSize: Int = 32_768

    @Option(name: .customShort("s"), help: ArgumentHelp("Bytes kept of each packet (262144: whole packets).", valueName: "snaplen"))
    var snaplen: Int = 262_144

    @Flag(name: .customShort("p"), help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @Flag(help: "Hand over each packet as it arrives (a wakeup per packet) instead of in blocks, as tcpdump's --immediate-mode.")
    var immediateMode = false

    @Option(help: ArgumentHelp("Without --immediate-mode: the longest a packet waits in the kernel, 1 to 1000 (default 100).", valueName: "ms"))
    var bufferTimeout: Int = 100

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var count: Int?

    @Option(help: ArgumentHelp("Stop after this long: 90, 30s, 10m, 2h.", valueName: "duration"))
    var duration: String?

    @Option(name: .customShort("w"), help: ArgumentHelp("Also save the packets to this file (.pcapng: pcapng, else pcap).", valueName: "file"))
    var write: String?

    @Option(name: .customShort("C"), help: ArgumentHelp("With -w: start a new file after this many million bytes (file, file1, file2, ...).", valueName: "MB"))
    var fileSize: Int?

    @Option(name: .customShort("G"), help: ArgumentHelp("With -w: start a new file every this many seconds; the name may hold strftime patterns.", valueName: "seconds"))
    var rotateSeconds: Int?

    @Flag(help: "With -w: write pcapng whatever the extension.")
    var pcapng = false

    @Option(name: .customShort("Z"), help: ArgumentHelp("Become this user once the capture is open (default: nobody when root; root keeps root).", valueName: "user"))
    var user: String?

    @Option(help: ArgumentHelp("Width of the time bins verdicts are made in: 30s, 2m, 1h.", valueName: "duration"))
    var bin: String = "30s"

    @Option(help: "Standard output: text (alerts; a status view on a terminal) or jsonl (state changes and bin summaries).")
    var format: String = "text"

    @Option(help: ArgumentHelp("Write the final report to this file.", valueName: "file"))
    var report: String?

    @Option(help: "Format of the final report: text or json.")
    var reportFormat: String = "text"

    @Option(help: ArgumentHelp("Also write the final report as a self-contained HTML page.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Time zone for alerts, the status view and the final report: UTC, an offset such as +06:00, or a name such as Asia/Almaty.", valueName: "zone"))
    var tz: String = "UTC"

    @Option(help: ArgumentHelp("A signature file whose services add to or replace the bundled ones (repeatable).", valueName: "file"))
    var signatures: [String] = []

    @Option(help: ArgumentHelp("In-country prefixes (comma-separated) or a file of them: the DOMESTIC group (repeatable).", valueName: "prefixes|file"))
    var domestic: [String] = []

    @Option(help: ArgumentHelp("Use these catalog services as CONTROL instead of the bundled list (repeatable, or comma-separated).", valueName: "name"))
    var control: [String] = []

    @Argument(help: ArgumentHelp("An optional BPF filter expression.", valueName: "expression"))
    var expression: [String] = []

    func validate() throws {
        guard LiveRequest.Format(rawValue: format) != nil else { throw ValidationError("unknown format '\(format)': use text or jsonl") }
        guard LiveRequest.ReportFormat(rawValue: reportFormat) != nil else {
            throw ValidationError("unknown report format '\(reportFormat)': use text or json")
        }
        if let count, count <= 0 { throw ValidationError("-c needs a positive packet count") }
        guard bufferSize > 0, snaplen > 0 else { throw ValidationError("-B and -s must be positive") }
        guard (1...1000).contains(bufferTimeout) else { throw ValidationError("--buffer-timeout needs 1 to 1000 ms") }
        if let fileSize, fileSize <= 0 { throw ValidationError("-C needs a positive size in MB") }
        if let rotateSeconds, rotateSeconds <= 0 { throw ValidationError("-G needs a positive number of seconds") }
        if write == nil && (fileSize != nil || rotateSeconds != nil || pcapng) { throw ValidationError("-C, -G and --pcapng need -w") }
        _ = try Analyze.binSeconds(bin)
        if let duration { _ = try Live.durationSeconds(duration) }
    }

    func run() throws {
        var request = LiveRequest(interface: interface)
        request.bufferSize = bufferSize * 1024
        request.snapshotLength = snaplen
        request.promiscuous = !noPromiscuous
        request.immediateMode = immediateMode
        request.bufferTimeoutMilliseconds = bufferTimeout
        request.filter = expression.isEmpty ? nil : expression.joined(separator: " ")
        request.packetLimit = count
        if let duration { request.duration = .seconds(try Live.durationSeconds(duration)) }
        request.savePath = write
        request.pcapng = pcapng
        request.rotateBytes = fileSize.map { $0 * 1_000_000 }
        request.rotateSeconds = rotateSeconds
        request.user = user
        request.bin = .seconds(try Analyze.binSeconds(bin))
        request.format = LiveRequest.Format(rawValue: format)!
        request.reportPath = report
        request.reportFormat = LiveRequest.ReportFormat(rawValue: reportFormat)!
        request.htmlPath = html
        request.signatureFiles = signatures
        request.domestic = domestic
        request.control = Analyze.names(control)
        request.timeZone = tz
        do {
            try LiveCommand.run(request)
        } catch .usage(let message) {
            // A time zone name only the library can check: still a usage error (exit 64).
            Live.exit(withError: ValidationError(message))
        } catch {
            Diagnostics.fail(error)
        }
    }

    /// "90", "30s", "10m", "2h": seconds, more than zero.
    static func durationSeconds(_ text: String) throws -> Double {
        let scales: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text), unit = 1.0
        for (suffix, scale) in scales where text.hasSuffix(suffix) {
            number = text.dropLast()
            unit = scale
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number), value > 0 else {
            throw ValidationError("cannot read --duration '\(text)': use a duration such as 90, 30s, 10m or 2h")
        }
        return value * unit
    }
}
